package org.sipcharge.systemtests;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The clustered layout, started by the product's own scripts ({@code sipcharge.sh start --cluster N}): the DAS, N
 * Payara instances in a deployment group, Kamailio in front of them, Artemis and the billing simulator, every port
 * chosen free and a Hazelcast cluster name of its own. Stopped by {@code sipcharge.sh stop} (every process by PID).
 */
final class ClusterUnderTest implements AutoCloseable {

    /** One instance of the deployment group and its ports. */
    record Instance(String name, int sipPort, int httpPort, int cdfPort) {
    }

    final Path root;
    final Path runDir;
    /** Kamailio: the one SIP address callers see. */
    final int lbPort;
    final int uasPort;
    final List<Instance> instances;
    private final Map<String, String> env = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ClusterUnderTest(Path root, Path runDir, int size, String extraProperties) {
        this.root = root;
        this.runDir = runDir;
        int dasBase = FreePorts.payaraPortBase();
        this.lbPort = FreePorts.tcpAndUdp();
        this.uasPort = FreePorts.tcpAndUdp();
        List<Instance> list = new ArrayList<>();
        List<Integer> bases = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            int base = instancePortBase(dasBase, bases);
            bases.add(base);
            list.add(new Instance("sipcharge-i" + i, FreePorts.tcpAndUdp(), base + 80, FreePorts.tcpAndUdp()));
        }
        this.instances = List.copyOf(list);
        env.put("SIPCHARGE_RUN_DIR", runDir.toString());
        env.put("SIPCHARGE_PORTBASE", Integer.toString(dasBase));
        env.put("SIPCHARGE_ADMIN_PORT", Integer.toString(dasBase + 48));
        env.put("SIPCHARGE_HTTP_PORT", Integer.toString(dasBase + 80));
        env.put("SIPCHARGE_SIP_PORT", Integer.toString(lbPort));
        env.put("SIPCHARGE_UAS_PORT", Integer.toString(uasPort));
        env.put("SIPCHARGE_DIAMETER_PORT", Integer.toString(FreePorts.tcpAndUdp()));
        env.put("SIPCHARGE_ARTEMIS_PORT", Integer.toString(FreePorts.tcpAndUdp()));
        env.put("SIPCHARGE_BILLING_PORT", Integer.toString(FreePorts.tcpAndUdp()));
        env.put("SIPCHARGE_BILLING_LINE_PORT", Integer.toString(FreePorts.tcpAndUdp()));
        env.put("SIPCHARGE_CLUSTER_NAME", "sipcharge-cluster-it-" + ProcessHandle.current().pid() + "-" + dasBase);
        env.put("SIPCHARGE_INSTANCES", Integer.toString(size));
        env.put("SIPCHARGE_INSTANCE_PORTBASES", bases.stream().map(String::valueOf).collect(Collectors.joining(" ")));
        env.put("SIPCHARGE_INSTANCE_SIP_PORTS", list.stream().map(x -> String.valueOf(x.sipPort())).collect(Collectors.joining(" ")));
        env.put("SIPCHARGE_INSTANCE_CDF_PORTS", list.stream().map(x -> String.valueOf(x.cdfPort())).collect(Collectors.joining(" ")));
        env.put("SIPCHARGE_EXTRA_PROPERTIES", extraProperties);
        // Each instance's billing link leaves from its own loopback address (the terminal server tells them apart).
        env.put("SIPCHARGE_INSTANCE_BILLING_SOURCES", java.util.stream.IntStream.rangeClosed(1, size)
                .mapToObj(n -> "127.0.0." + (10 + n)).collect(Collectors.joining(" ")));
    }

    /** A Payara port base for an instance: its ports and its Hazelcast port (base + 90) free, apart from the others. */
    private static int instancePortBase(int dasBase, List<Integer> taken) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = FreePorts.payaraPortBase();
            if (base != dasBase && !taken.contains(base) && FreePorts.tcpFree(base + 90)) {
                return base;
            }
        }
        throw new IllegalStateException("no free port base for an instance");
    }

    static ClusterUnderTest start(String name, int size, String extraProperties) throws Exception {
        Path root = Path.of(System.getProperty("sipcharge.root", "..")).toAbsolutePath().normalize();
        Path runDir = Path.of(System.getProperty("sipcharge.runDir", "target/e2e-run")).toAbsolutePath().resolve(name);
        deleteTree(runDir);
        ClusterUnderTest c = new ClusterUnderTest(root, runDir, size, extraProperties);
        try {
            Processes.Result r = c.script(Duration.ofMinutes(25), "sipcharge.sh", "start", "--cluster", Integer.toString(size));
            if (r.exitCode() != 0) {
                throw new IllegalStateException("sipcharge.sh start --cluster failed (" + r.exitCode() + "):\n" + r.output());
            }
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    Processes.Result script(Duration timeout, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("server-config/bin/" + script).toString()));
        cmd.addAll(List.of(args));
        return Processes.run(cmd, env, runDir.resolve("logs/" + script + "-" + args[0] + "-" + System.nanoTime() + ".log"), timeout);
    }

    /** Runs server-config/bin/cluster.sh with this cluster's settings; fails unless it exits 0. */
    String cluster(Duration timeout, String... args) throws IOException, InterruptedException {
        Processes.Result r = script(timeout, "cluster.sh", args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cluster.sh " + String.join(" ", args) + " failed (" + r.exitCode() + "):\n" + r.output());
        }
        return r.output();
    }

    /** PID of an instance, or -1 when it does not run. */
    long pid(Instance i) throws IOException, InterruptedException {
        String out = cluster(Duration.ofSeconds(30), "pid", i.name()).trim();
        String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1).trim();
        return last.matches("\\d+") ? Long.parseLong(last) : -1;
    }

    /** Resident memory of a process in MB, from /proc. */
    static long rssMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    /** An instance's figures from GET /sipcharge/api/status (text form). */
    Map<String, String> status(Instance i) {
        return SystemUnderTest.status(http, i.httpPort(), i.name());
    }

    long statusLong(Instance i, String key) {
        return SystemUnderTest.statusLong(status(i), key);
    }

    /** Lines the billing-system simulator recorded: one per CDR received. */
    List<String[]> billingRecords() throws IOException {
        Path f = runDir.resolve("billing/received.tsv");
        if (!Files.exists(f)) {
            return List.of();
        }
        return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).toList();
    }

    /** The CDFs' shared H2 database (cluster layout "shared"), as a client of the instance that serves it (AUTO_SERVER). */
    java.sql.Connection cdfDatabase() throws IOException, java.sql.SQLException {
        String url = "jdbc:h2:" + runDir.resolve("cluster/database/sipcharge") + ";AUTO_SERVER=TRUE";
        String password = Files.readString(runDir.resolve("h2-database.password")).trim();
        return java.sql.DriverManager.getConnection(url, "sipcharge", password);
    }

    Path kamailioLog() {
        return runDir.resolve("kamailio/kamailio.log");
    }

    Path dasLog() {
        return runDir.resolve("payara6/glassfish/domains/sipcharge/logs/server.log");
    }

    Path instanceLog(Instance i) {
        return runDir.resolve("payara6/glassfish/nodes/localhost-sipcharge/" + i.name() + "/logs/server.log");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() throws Exception {
        script(Duration.ofMinutes(3), "sipcharge.sh", "stop");
    }
}

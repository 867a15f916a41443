package org.sipcharge.systemtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole product, started by its own script (server-config/bin/sipcharge.sh) on free ports in a run
 * directory of the test's own, and stopped by it (every process by its PID).
 */
final class SystemUnderTest implements AutoCloseable {

    final Path root;
    final Path runDir;
    final int portBase;
    final int sipPort;
    final int uasPort;
    final int diameterPort;
    final int artemisPort;
    final int billingPort;
    final int httpPort;
    private final Map<String, String> env = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private SystemUnderTest(Path root, Path runDir, String extraProperties) {
        this.root = root;
        this.runDir = runDir;
        this.portBase = FreePorts.payaraPortBase();
        this.httpPort = portBase + 80;
        this.sipPort = FreePorts.tcpAndUdp();
        this.uasPort = FreePorts.tcpAndUdp();
        this.diameterPort = FreePorts.tcpAndUdp();
        this.artemisPort = FreePorts.tcpAndUdp();
        this.billingPort = FreePorts.tcpAndUdp();
        env.put("SIPCHARGE_RUN_DIR", runDir.toString());
        env.put("SIPCHARGE_PORTBASE", Integer.toString(portBase));
        // Explicit, so that values exported by a caller's environment can never override the port base.
        env.put("SIPCHARGE_ADMIN_PORT", Integer.toString(portBase + 48));
        env.put("SIPCHARGE_HTTP_PORT", Integer.toString(httpPort));
        env.put("SIPCHARGE_SIP_PORT", Integer.toString(sipPort));
        env.put("SIPCHARGE_UAS_PORT", Integer.toString(uasPort));
        env.put("SIPCHARGE_DIAMETER_PORT", Integer.toString(diameterPort));
        env.put("SIPCHARGE_ARTEMIS_PORT", Integer.toString(artemisPort));
        env.put("SIPCHARGE_BILLING_PORT", Integer.toString(billingPort));
        env.put("SIPCHARGE_BILLING_LINE_PORT", Integer.toString(FreePorts.tcpAndUdp()));
        env.put("SIPCHARGE_CLUSTER_NAME", "sipcharge-it-" + ProcessHandle.current().pid() + "-" + portBase);
        env.put("SIPCHARGE_EXTRA_PROPERTIES", extraProperties);
        // Maven built the EAR before the tests; the script must not rebuild (and install) it when a source changes.
        env.put("SIPCHARGE_NO_BUILD", "1");
    }

    static SystemUnderTest start(String name, String extraProperties) throws Exception {
        return prepare(name, extraProperties, Map.of()).launch();
    }

    /**
     * Chooses ports and a fresh run directory, without starting anything: a test can then set up what must exist
     * before the product starts (a network path towards the CDF, say) and call {@link #launch()}.
     *
     * @param extraEnv environment variables for server-config's scripts, applied over the chosen ones
     */
    static SystemUnderTest prepare(String name, String extraProperties, Map<String, String> extraEnv) throws Exception {
        Path root = Path.of(System.getProperty("sipcharge.root", "..")).toAbsolutePath().normalize();
        // One run directory per test class, kept after the run for its logs.
        Path runDir = Path.of(System.getProperty("sipcharge.runDir", "target/e2e-run")).toAbsolutePath().resolve(name);
        // A fresh run directory: a domain left by an earlier run has other ports.
        deleteTree(runDir);
        SystemUnderTest sut = new SystemUnderTest(root, runDir, extraProperties);
        sut.env.putAll(extraEnv);
        return sut;
    }

    SystemUnderTest launch() throws Exception {
        try {
            Processes.Result r = script(Duration.ofMinutes(8), "start");
            if (r.exitCode() != 0) {
                throw new IllegalStateException("sipcharge.sh start failed (" + r.exitCode() + "):\n" + r.output());
            }
            return this;
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    Processes.Result script(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("server-config/bin/sipcharge.sh").toString()));
        cmd.addAll(List.of(args));
        return Processes.run(cmd, env, runDir.resolve("logs/sipcharge-" + args[0] + "-" + System.nanoTime() + ".log"), timeout);
    }

    /** Runs one of server-config/bin's scripts (payara.sh, artemis.sh, ...) with this system's environment. */
    Processes.Result bin(Duration timeout, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("server-config/bin/" + script).toString()));
        cmd.addAll(List.of(args));
        return Processes.run(cmd, env, runDir.resolve("logs/" + script + "-" + args[0] + "-" + System.nanoTime() + ".log"), timeout);
    }

    /** The node's figures from GET /sipcharge/api/status (text form). */
    Map<String, String> status() {
        return status(http, httpPort, "the node");
    }

    long statusLong(String key) {
        return statusLong(status(), key);
    }

    /** GET /sipcharge/api/status (text form) of the node whose HTTP listener is on {@code port}, as key=value pairs. */
    static Map<String, String> status(HttpClient http, int port, String who) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sipcharge/api/status"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("status of " + who + " answered " + r.statusCode());
            }
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : r.body().split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    m.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return m;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A number from a status map; a missing or empty key fails with its name. */
    static long statusLong(Map<String, String> status, String key) {
        String v = status.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException("status has no " + key);
        }
        return Long.parseLong(v);
    }

    int httpGetStatusCode(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String httpGet(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Lines the billing-system simulator recorded: one per CDR received. */
    List<String[]> billingRecords() throws IOException {
        Path f = runDir.resolve("billing/received.tsv");
        if (!Files.exists(f)) {
            return List.of();
        }
        return Files.readAllLines(f).stream().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).toList();
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
        script(Duration.ofMinutes(2), "stop");
        if ("postgres".equals(env.get("SIPCHARGE_DB"))) {
            // The private PostgreSQL cluster's data directory lives outside the run directory: remove it.
            Processes.run(List.of("bash", root.resolve("server-config/bin/postgres.sh").toString(), "destroy"), env,
                    runDir.resolve("logs/postgres-destroy.log"), Duration.ofMinutes(1));
        }
    }

    /** Runs SQL in the product's private PostgreSQL database (SIPCHARGE_DB=postgres) and returns psql's unaligned output. */
    String psql(String sql) throws IOException, InterruptedException {
        Processes.Result r = Processes.run(List.of("bash", root.resolve("server-config/bin/postgres.sh").toString(), "psql", "-tA",
                "-v", "ON_ERROR_STOP=1", "-c", sql), env, runDir.resolve("logs/psql-" + System.nanoTime() + ".log"), Duration.ofSeconds(30));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("psql failed: " + r.output());
        }
        return r.output().trim();
    }
}

package org.sipcharge.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Drives real SIPp (Debian's sip-tester) against the B2BUA: a UAS behind it on the configured next hop and a UAC
 * in front of it, with SIPp's built-in uac/uas scenarios (INVITE, 180, 200, ACK, pause, BYE, 200).
 */
final class Sipp {

    record Result(int exitCode, long successfulCalls, long failedCalls, String summary) {
    }

    private Sipp() {
    }

    static Result calls(SystemUnderTest sut, int calls, int holdMillis, String tag) throws Exception {
        return calls(sut, calls, holdMillis, tag, List.of("-sn", "uac"), List.of("-sn", "uas"));
    }

    /** A scenario of our own from src/test/resources/sipp, as SIPp arguments. */
    static List<String> scenarioFile(String name) throws Exception {
        var url = Sipp.class.getResource("/sipp/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no SIPp scenario " + name);
        }
        return List.of("-sf", Path.of(url.toURI()).toString());
    }

    static Result calls(SystemUnderTest sut, int calls, int holdMillis, String tag, List<String> uacScenario,
                        List<String> uasScenario) throws Exception {
        return calls(sut.runDir.resolve("sipp/" + tag), sut.uasPort, sut.sipPort, calls, holdMillis, uacScenario, uasScenario);
    }

    /** Calls towards any SIP address on this host (a B2BUA, or the load balancer in front of a cluster). */
    static Result calls(Path dir, int uasPort, int targetPort, int calls, int holdMillis, List<String> uacScenario,
                        List<String> uasScenario) throws Exception {
        try (Running r = start(dir, uasPort, targetPort, calls, holdMillis, uacScenario, uasScenario)) {
            return r.finish(Duration.ofSeconds(90));
        }
    }

    /**
     * Starts a UAS and a UAC and returns while the calls run (the failover tests act during the calls). The UAC
     * places calls at 10 per second and holds each for holdMillis.
     */
    static Running start(Path dir, int uasPort, int targetPort, int calls, int holdMillis, List<String> uacScenario,
                         List<String> uasScenario) throws Exception {
        Files.createDirectories(dir);
        List<String> uasCmd = new java.util.ArrayList<>(List.of("sipp"));
        uasCmd.addAll(uasScenario);
        uasCmd.addAll(List.of("-i", "127.0.0.1", "-p", Integer.toString(uasPort),
                "-nostdin", "-trace_err", "-error_file", dir.resolve("uas-errors.log").toString()));
        Process uas = Processes.start(uasCmd, dir.resolve("uas.out"));
        try {
            Running uac = startUac(dir, targetPort, calls, holdMillis, uacScenario);
            return new Running(dir, uas, uac.uac, uac.stats);
        } catch (Exception e) {
            Processes.destroy(uas);
            throw e;
        }
    }

    /** A second UAC towards the same target, its calls answered by the UAS of a {@link #start} already running. */
    static Running startUac(Path dir, int targetPort, int calls, int holdMillis, List<String> uacScenario) throws Exception {
        Files.createDirectories(dir);
        int uacPort = FreePorts.tcpAndUdp();
        Path stats = dir.resolve("uac-stats.csv");
        List<String> uacCmd = new java.util.ArrayList<>(List.of("sipp"));
        uacCmd.addAll(uacScenario);
        uacCmd.addAll(List.of("-i", "127.0.0.1", "-p", Integer.toString(uacPort),
                "-m", Integer.toString(calls), "-r", "10", "-d", Integer.toString(holdMillis), "-nostdin",
                "-timeout", Math.max(60, 30 + holdMillis / 1000) + "s", "-timeout_error", "-recv_timeout", "10000",
                "-trace_stat", "-stf", stats.toString(), "-trace_err", "-error_file", dir.resolve("uac-errors.log").toString(),
                "127.0.0.1:" + targetPort));
        return new Running(dir, null, Processes.start(uacCmd, dir.resolve("uac.out")), stats);
    }

    /** A SIPp UAS and UAC at work (or a UAC alone); closing ends both by PID. */
    static final class Running implements AutoCloseable {
        private final Path dir;
        private final Process uas;
        private final Process uac;
        private final Path stats;

        private Running(Path dir, Process uas, Process uac, Path stats) {
            this.dir = dir;
            this.uas = uas;
            this.uac = uac;
            this.stats = stats;
        }

        /** Waits for the UAC to place and end all its calls, then reads its statistics. */
        Result finish(Duration deadline) throws Exception {
            if (!uac.waitFor(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("SIPp UAC did not finish within " + deadline + ", see " + dir);
            }
            int exit = uac.exitValue();
            Map<String, String> last = lastStats(stats);
            long ok = Long.parseLong(last.getOrDefault("SuccessfulCall(C)", "0"));
            long failed = Long.parseLong(last.getOrDefault("FailedCall(C)", "0"));
            return new Result(exit, ok, failed, "SIPp exit " + exit + ", successful " + ok + ", failed " + failed
                    + " (logs in " + dir + ")");
        }

        @Override
        public void close() throws InterruptedException {
            Processes.destroy(uac);
            if (uas != null) {
                Processes.destroy(uas);
            }
        }
    }

    /** SIPp's statistics file: a header line and one line per period, fields separated by ';'. */
    private static Map<String, String> lastStats(Path stats) throws Exception {
        List<String> lines = Files.readAllLines(stats);
        if (lines.size() < 2) {
            return Map.of();
        }
        String[] names = lines.get(0).split(";");
        String[] values = lines.get(lines.size() - 1).split(";");
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < Math.min(names.length, values.length); i++) {
            m.put(names[i].trim(), values[i].trim());
        }
        return m;
    }
}

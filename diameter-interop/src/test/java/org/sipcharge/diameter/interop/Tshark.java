package org.sipcharge.diameter.interop;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** tshark (Debian 4.0.x): live capture on lo into a file, and offline reads of that file with Diameter on a port. */
final class Tshark {

    private Tshark() {
    }

    /** Starts capturing TCP on the given ports of lo into {@code pcap}; returns once tshark says it is capturing. */
    static ExternalProcess capture(Path workDir, Path pcap, int... ports) {
        StringBuilder filter = new StringBuilder();
        for (int p : ports) {
            filter.append(filter.isEmpty() ? "" : " or ").append("tcp port ").append(p);
        }
        ExternalProcess p = ExternalProcess.start("tshark-capture", workDir,
                List.of("tshark", "-n", "-i", "lo", "-f", filter.toString(), "-w", pcap.toString()));
        p.awaitOutput("'Capturing on'", Duration.ofSeconds(20), s -> s.contains("Capturing on"));
        return p;
    }

    /** Runs {@code tshark -r pcap -d tcp.port==N,diameter ... args} to completion and returns its stdout. */
    static String read(Path workDir, String name, Path pcap, int diameterPort, String... args) {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
                "-d", "tcp.port==" + diameterPort + ",diameter"));
        cmd.addAll(List.of(args));
        try (ExternalProcess p = ExternalProcess.start(name, workDir, cmd)) {
            int rc = p.waitFor(Duration.ofSeconds(60));
            if (rc != 0) {
                throw new AssertionError(String.join(" ", cmd) + " exited " + rc + ": " + p.stderr());
            }
            return p.stdout();
        }
    }
}

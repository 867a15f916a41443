package org.sipcharge.diameter.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** tshark (Debian 4.0.x): live capture on lo into a file, and offline reads of that file with Diameter on a port. */
final class Tshark {

    private Tshark() {
    }

    /**
     * Starts capturing TCP on the given ports of lo into {@code pcap}, and returns once packets are really reaching
     * the file: tshark prints "Capturing on" before dumpcap's filter is in place, so a probe connection to a port of
     * our own (part of the capture filter) is repeated until it shows up in the file. The first packets of the test
     * (the SYN of the Diameter connection) are then not lost.
     */
    static ExternalProcess capture(Path workDir, Path pcap, int... ports) {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            StringBuilder filter = new StringBuilder("tcp port " + probe.getLocalPort());
            for (int p : ports) {
                filter.append(" or tcp port ").append(p);
            }
            ExternalProcess p = ExternalProcess.start("tshark-capture", workDir,
                    List.of("tshark", "-n", "-i", "lo", "-f", filter.toString(), "-w", pcap.toString()));
            boolean ok = false;
            try {
                p.awaitOutput("'Capturing on'", Duration.ofSeconds(20), s -> s.contains("Capturing on"));
                Interop.await("probe packets in " + pcap.getFileName(), Duration.ofSeconds(20), () -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), probe.getLocalPort())) {
                        probe.accept().close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return Files.exists(pcap) && !readQuietly(workDir, pcap, "tcp.port == " + probe.getLocalPort()).isBlank();
                });
                ok = true;
                return p;
            } finally {
                if (!ok) {
                    p.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readQuietly(Path workDir, Path pcap, String displayFilter) {
        try (ExternalProcess p = ExternalProcess.start("tshark-poll", workDir,
                List.of("tshark", "-n", "-r", pcap.toString(), "-Y", displayFilter))) {
            p.waitFor(Duration.ofSeconds(30)); // a file still being written may end mid-packet: not an error here
            return p.stdout();
        }
    }

    /**
     * Waits until packets matching the display filter have reached the capture file. dumpcap receives packets from
     * the kernel in blocks (up to 250 ms late) and loses an unfinished block when stopped, so a test stops the
     * capture only once its last packet is in the file.
     */
    static void awaitInFile(Path workDir, Path pcap, int diameterPort, String displayFilter, Duration timeout) {
        Interop.await("'" + displayFilter + "' in " + pcap.getFileName(), timeout,
                () -> !readQuietly(workDir, pcap, displayFilter + " && tcp.port == " + diameterPort, diameterPort).isBlank());
    }

    private static String readQuietly(Path workDir, Path pcap, String displayFilter, int diameterPort) {
        try (ExternalProcess p = ExternalProcess.start("tshark-poll", workDir, List.of("tshark", "-n", "-r", pcap.toString(),
                "-d", "tcp.port==" + diameterPort + ",diameter", "-Y", displayFilter))) {
            p.waitFor(Duration.ofSeconds(30));
            return p.stdout();
        }
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

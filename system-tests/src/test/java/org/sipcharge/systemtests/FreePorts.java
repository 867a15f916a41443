package org.sipcharge.systemtests;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Chooses ports that are free now, so that two test runs on one machine never collide. */
final class FreePorts {

    /** Offsets from a Payara --portbase that the domain uses (admin 48, http 80, Hazelcast 49/59, ...). */
    private static final int[] PAYARA_OFFSETS = {9, 37, 38, 39, 48, 49, 59, 66, 76, 80, 81, 86};

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    static int payaraPortBase() {
        for (int attempt = 0; attempt < 200; attempt++) {
            // Below Linux's ephemeral range (32768-60999 by default): a port base in it was taken, between the check
            // and create-domain, by some outgoing connection's local port (seen twice: "Port 38,538 is in use").
            int base = 20000 + 100 * ThreadLocalRandom.current().nextInt(127);
            boolean free = true;
            for (int off : PAYARA_OFFSETS) {
                free &= tcpFree(base + off);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free Payara port base found");
    }

    /** A port free for both TCP and UDP (SIP listens on both). */
    static int tcpAndUdp() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 10000 + ThreadLocalRandom.current().nextInt(10000);
            if (tcpFree(port) && udpFree(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free TCP+UDP port found");
    }

    static boolean tcpFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean udpFree(int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

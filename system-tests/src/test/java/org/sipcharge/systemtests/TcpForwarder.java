package org.sipcharge.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP path between two of our processes that the test can cut and restore: stop() closes the listening port
 * and every connection (the peers see a network failure), start() opens it again on the same port. In between, the
 * path can turn into a black hole ({@link Mode#BLACK_HOLE}: connections stay up, bytes are taken and never
 * delivered, as a hung peer or a silently failed route) or lose only the answers ({@link Mode#DROP_REPLIES}).
 */
final class TcpForwarder implements AutoCloseable {

    enum Mode {
        /** Bytes flow both ways. */
        FORWARD,
        /** Bytes are read from both sides and thrown away: nobody ever gets an answer, nobody sees a close. */
        BLACK_HOLE,
        /** Bytes towards the target are delivered, its replies are thrown away (the target acts, the caller never learns it). */
        DROP_REPLIES
    }

    private final int listenPort;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesToTarget = new AtomicLong();
    private final AtomicLong bytesFromTarget = new AtomicLong();
    private volatile ServerSocket server;
    private volatile Mode mode = Mode.FORWARD;

    TcpForwarder(int listenPort, int targetPort) {
        this.listenPort = listenPort;
        this.targetPort = targetPort;
    }

    synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        // Connections just cut may keep the port briefly: retry the bind until a deadline rather than fail at once.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
                break;
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    s.close();
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // poll interval, bounded by the deadline
            }
        }
        server = s;
        mode = Mode.FORWARD;
        Thread accept = new Thread(() -> acceptLoop(s), "forwarder-accept-" + listenPort);
        accept.setDaemon(true);
        accept.start();
    }

    void mode(Mode m) {
        mode = m;
    }

    /** Bytes delivered to the target so far (thrown-away bytes not counted). */
    long bytesToTarget() {
        return bytesToTarget.get();
    }

    /** Bytes of the target delivered back to the caller so far. */
    long bytesFromTarget() {
        return bytesFromTarget.get();
    }

    synchronized void stop() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            closeQuietly(s);
        }
        for (Socket c : sockets) {
            closeQuietly(c);
        }
        sockets.clear();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(in);
                sockets.add(out);
                if (server != s) {
                    // stop() ran while this connection was being set up: it must not outlive the cut
                    closeQuietly(in);
                    closeQuietly(out);
                    continue;
                }
                pump(in, out, true);
                pump(out, in, false);
            } catch (IOException e) {
                // closed by stop(), or the target refused: the peer sees its connection fail
            }
        }
    }

    private void pump(Socket from, Socket to, boolean towardsTarget) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            AtomicLong counter = towardsTarget ? bytesToTarget : bytesFromTarget;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    Mode m = mode;
                    if (m == Mode.BLACK_HOLE || (m == Mode.DROP_REPLIES && !towardsTarget)) {
                        continue;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    counter.addAndGet(n);
                }
            } catch (IOException e) {
                // connection cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "forwarder-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to do
        }
    }

    @Override
    public void close() {
        stop();
    }
}

package org.sipcharge.simulators.terminal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulator of the terminal server in front of the legacy billing system: the billing system hangs off one serial
 * line, so the terminal server admits ONE TCP connection at a time and relays its bytes to the line (here: a TCP
 * connection to the billing-system simulator). It is written to show the connector's mistakes:
 * <ul>
 *   <li>a second connection while one is open is accepted and closed at once without a byte (the port is busy),
 *       and counted: two coordinators at the same time show up as {@link #refused()} &gt; 0 with their log line;</li>
 *   <li>a connection silent for longer than the idle timeout is dropped (what terminal servers do to free a port
 *       held by a hung client), so a coordinator that hangs cannot keep the line for ever.</li>
 * </ul>
 * A client that dies (kill -9) has its connection closed by its kernel, which frees the port at once.
 *
 * <p>Fault injection for tests: when the control file (option {@code --control-file}) appears, the source address of
 * the connection that holds the line at that moment is stalled: the billing system's answers to every connection
 * from that address are swallowed from then on (that client's path has degraded; other clients are served
 * normally). The file is deleted once read.
 */
public final class TerminalServerSimulator implements AutoCloseable {

    static final String USAGE = "usage: java -cp sipcharge-simulators.jar " + TerminalServerSimulator.class.getName()
            + " --port N --target HOST:PORT [--host 127.0.0.1] [--idle-timeout SECONDS (default 30)] [--control-file FILE]";

    private final String host;
    private final int port;
    private final InetSocketAddress target;
    private final Duration idleTimeout;
    private final java.nio.file.Path controlFile;
    /** The client address whose answers are swallowed, or null. Guarded by this. */
    private InetAddress stalled;
    private final AtomicLong stalls = new AtomicLong();

    private ServerSocket serverSocket;
    private Thread acceptor;
    private volatile boolean closed;
    /** The connection that holds the line, or null. Guarded by this. */
    private Socket active;
    private Socket activeLine;

    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong idleDrops = new AtomicLong();

    public TerminalServerSimulator(String host, int port, InetSocketAddress target, Duration idleTimeout) {
        this(host, port, target, idleTimeout, null);
    }

    public TerminalServerSimulator(String host, int port, InetSocketAddress target, Duration idleTimeout, java.nio.file.Path controlFile) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
        this.host = host;
        this.port = port;
        this.target = target;
        this.idleTimeout = idleTimeout;
        this.controlFile = controlFile;
    }

    /** Binds and starts accepting; returns the bound port. */
    public synchronized int start() throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
        serverSocket = ss;
        acceptor = new Thread(this::acceptLoop, "terminal-server-acceptor");
        acceptor.start();
        if (controlFile != null) {
            Thread control = new Thread(this::watchControlFile, "terminal-server-control");
            control.setDaemon(true);
            control.start();
        }
        log("TSS-000 terminal-server simulator on " + host + ":" + ss.getLocalPort() + ", one connection at a time, line to "
                + target.getHostString() + ":" + target.getPort() + ", idle timeout " + idleTimeout.toSeconds() + " s");
        return ss.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log("TSS-090 accept failed: " + e);
                }
                return;
            }
            String peer = client.getRemoteSocketAddress().toString();
            Socket line;
            synchronized (this) {
                if (active != null) {
                    refused.incrementAndGet();
                    log("TSS-002 connection from " + peer + " refused: the line is held by " + active.getRemoteSocketAddress());
                    closeQuietly(client);
                    continue;
                }
                try {
                    line = new Socket();
                    line.connect(target, 5000);
                    line.setTcpNoDelay(true);
                    client.setTcpNoDelay(true);
                    client.setSoTimeout((int) idleTimeout.toMillis());
                } catch (IOException e) {
                    log("TSS-003 connection from " + peer + " closed: the billing system behind the line is unreachable: " + e.getMessage());
                    closeQuietly(client);
                    continue;
                }
                active = client;
                activeLine = line;
            }
            admitted.incrementAndGet();
            log("TSS-001 connection from " + peer + " holds the line");
            Thread up = new Thread(() -> relay(client, line, true), "terminal-server-up");
            Thread down = new Thread(() -> relay(line, client, false), "terminal-server-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }
    }

    private void watchControlFile() {
        while (!closed) {
            if (java.nio.file.Files.exists(controlFile)) {
                stallActive();
                try {
                    java.nio.file.Files.deleteIfExists(controlFile);
                } catch (IOException e) {
                    log("TSS-092 cannot delete " + controlFile + ": " + e);
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Swallows the billing system's answers to the address that holds the line now, from now on. */
    public synchronized void stallActive() {
        stalled = active == null ? null : active.getInetAddress();
        stalls.incrementAndGet();
        log("TSS-005 answers to " + (stalled == null ? "nobody (the line is free)" : stalled.getHostAddress()) + " are swallowed from now on");
    }

    private synchronized boolean isStalled(Socket client) {
        return client.getInetAddress().equals(stalled);
    }

    /** Copies bytes one way until either side ends; then frees the line. Only the client's silence is timed. */
    private void relay(Socket from, Socket to, boolean fromClient) {
        String end = "closed";
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[16 * 1024];
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    idleDrops.incrementAndGet();
                    end = "dropped after " + idleTimeout.toSeconds() + " s of silence";
                    break;
                }
                if (n < 0) {
                    end = fromClient ? "closed by the client" : "closed by the billing system";
                    break;
                }
                if (!fromClient && isStalled(to)) {
                    continue;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            end = "ended: " + e.getMessage();
        }
        synchronized (this) {
            Socket client = fromClient ? from : to;
            if (active == client) {
                log("TSS-004 connection from " + client.getRemoteSocketAddress() + " " + end + "; the line is free");
                active = null;
                closeQuietly(activeLine);
                activeLine = null;
            }
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    public long admitted() {
        return admitted.get();
    }

    public long refused() {
        return refused.get();
    }

    public long idleDrops() {
        return idleDrops.get();
    }

    public synchronized boolean lineHeld() {
        return active != null;
    }

    public String summary() {
        return "admitted=" + admitted.get() + " refused=" + refused.get() + " idleDrops=" + idleDrops.get() + " stalls=" + stalls.get();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(serverSocket);
        closeQuietly(active);
        closeQuietly(activeLine);
        active = null;
        activeLine = null;
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static void log(String message) {
        System.out.println(Instant.now() + " " + message);
    }

    public static void main(String[] args) {
        String host = "127.0.0.1";
        Integer port = null;
        InetSocketAddress target = null;
        Duration idle = Duration.ofSeconds(30);
        java.nio.file.Path control = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                    case "--host" -> host = value(args, ++i, a);
                    case "--target" -> {
                        String t = value(args, ++i, a);
                        int colon = t.lastIndexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException("--target must be HOST:PORT: " + t);
                        }
                        target = new InetSocketAddress(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
                    }
                    case "--idle-timeout" -> idle = Duration.ofSeconds(Long.parseLong(value(args, ++i, a)));
                    case "--control-file" -> control = java.nio.file.Path.of(value(args, ++i, a));
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (port == null || target == null) {
                throw new IllegalArgumentException("--port and --target are required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        TerminalServerSimulator sim = new TerminalServerSimulator(host, port, target, idle, control);
        try {
            sim.start();
        } catch (IOException e) {
            System.err.println("TSS-091 cannot start: " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            log("TSS-099 stopped: " + sim.summary());
        }, "terminal-server-shutdown"));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}

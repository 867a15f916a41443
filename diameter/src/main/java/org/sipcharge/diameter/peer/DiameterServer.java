package org.sipcharge.diameter.peer;

import org.sipcharge.diameter.DiameterConstants;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Diameter responder on TCP (RFC 6733 2.1): accepts connections, runs the capabilities exchange, watchdog and
 * disconnect for each, and hands application requests to a {@link RequestHandler}. One thread per connection, from
 * the given factory (in Payara: a ManagedThreadFactory).
 */
public final class DiameterServer {

    private static final Logger LOG = Logger.getLogger(DiameterServer.class.getName());

    private final LocalIdentity identity;
    private final InetSocketAddress bindAddress;
    private final ThreadFactory threads;
    private final RequestHandler handler;
    private final ServerOptions options;
    private final Set<PeerConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket serverSocket;

    public DiameterServer(LocalIdentity identity, InetSocketAddress bindAddress, ThreadFactory threads,
                          RequestHandler handler, ServerOptions options) {
        this.identity = identity;
        this.bindAddress = bindAddress;
        this.threads = threads;
        this.handler = handler;
        this.options = options;
    }

    /** Binds the port and starts accepting. @throws IOException when the port cannot be bound */
    public synchronized void start() throws IOException {
        if (serverSocket != null) {
            return;
        }
        ServerSocket s;
        if (options.tls() != null) {
            // RFC 6733 13.1: TLS with mutual authentication; the handshake runs on the connection's first read.
            javax.net.ssl.SSLServerSocket tls = (javax.net.ssl.SSLServerSocket) options.tls().getServerSocketFactory().createServerSocket();
            tls.setNeedClientAuth(true);
            s = tls;
        } else {
            s = new ServerSocket();
        }
        s.setReuseAddress(true);
        try {
            s.bind(bindAddress, 128);
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + bindAddress + ": " + e.getMessage(), e);
        }
        serverSocket = s;
        Thread acceptor = threads.newThread(this::acceptLoop);
        acceptor.setName("diameter-accept-" + s.getLocalPort());
        acceptor.start();
    }

    public int localPort() {
        ServerSocket s = serverSocket;
        return s == null ? -1 : s.getLocalPort();
    }

    public boolean isRunning() {
        ServerSocket s = serverSocket;
        return s != null && !s.isClosed();
    }

    /** Open connections (capabilities exchanged) and who they are. */
    public List<PeerInfo> openPeers() {
        return connections.stream().filter(c -> c.state() == PeerState.OPEN).map(PeerConnection::peer).toList();
    }

    /** Sends DPR to every open peer, waits briefly for DPA, and closes everything. */
    public void stop() {
        ServerSocket s;
        synchronized (this) {
            s = serverSocket;
            serverSocket = null;
        }
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (PeerConnection c : connections) {
            c.disconnect(DiameterConstants.DISCONNECT_REBOOTING, Duration.ofSeconds(1));
        }
        connections.clear();
    }

    private void acceptLoop() {
        ServerSocket s = serverSocket;
        while (s != null && !s.isClosed()) {
            Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    LOG.log(Level.WARNING, "DIA-001 accept failed on port {0}: {1}", new Object[]{s.getLocalPort(), e.getMessage()});
                }
                continue;
            }
            if (connections.size() >= options.maxConnections()) {
                LOG.log(Level.WARNING, "DIA-002 refusing connection from {0}: {1} connections already",
                        new Object[]{socket.getRemoteSocketAddress(), connections.size()});
                closeQuietly(socket);
                continue;
            }
            try {
                PeerConnection c = new PeerConnection(socket, PeerConnection.Role.RESPONDER, identity, handler,
                        options.allowedPeers(), options.watchdogInterval(), options.capabilitiesTimeout());
                connections.add(c);
                c.closed().whenComplete((v, e) -> connections.remove(c));
                Thread t = threads.newThread(c::run);
                t.setName("diameter-peer-" + socket.getRemoteSocketAddress());
                t.start();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "DIA-003 could not serve connection from {0}: {1}",
                        new Object[]{socket.getRemoteSocketAddress(), e.toString()});
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}

package org.sipcharge.diameter.peer;

import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Diameter initiator towards one peer: keeps a connection open (CER/CEA, watchdog), reconnects with exponential
 * backoff when it is lost, and sends requests. Requests are refused at once while the connection is not open, so the
 * caller decides what to do (retransmit, fail over, buffer).
 */
public final class DiameterClient {

    private static final Logger LOG = Logger.getLogger(DiameterClient.class.getName());

    private final LocalIdentity identity;
    private final InetSocketAddress remote;
    private final String destinationRealm;
    private final ThreadFactory threads;
    private final ClientOptions options;
    private final Object lock = new Object();
    private volatile boolean running;
    private volatile PeerConnection connection;
    private volatile String lastError = "";
    private Thread connector;

    public DiameterClient(LocalIdentity identity, InetSocketAddress remote, String destinationRealm, ThreadFactory threads,
                          ClientOptions options) {
        this.identity = identity;
        this.remote = remote;
        this.destinationRealm = destinationRealm;
        this.threads = threads;
        this.options = options;
    }

    public void start() {
        synchronized (lock) {
            if (running) {
                return;
            }
            running = true;
            connector = threads.newThread(this::connectLoop);
            connector.setName("diameter-client-" + remote);
            connector.start();
        }
    }

    public void stop() {
        Thread t;
        synchronized (lock) {
            running = false;
            t = connector;
            connector = null;
            lock.notifyAll();
        }
        PeerConnection c = connection;
        if (c != null) {
            c.disconnect(DiameterConstants.DISCONNECT_REBOOTING, Duration.ofSeconds(1));
        }
        if (t != null) {
            t.interrupt();
        }
    }

    public boolean isOpen() {
        PeerConnection c = connection;
        return c != null && c.state() == PeerState.OPEN;
    }

    /**
     * Connected, OPEN or SUSPECT (RFC 3539: a request or DWR unanswered): a caller that has another peer OPEN sends
     * there, one that has not may still send here.
     */
    public boolean isConnected() {
        return connected(connection);
    }

    private static boolean connected(PeerConnection c) {
        return c != null && (c.state() == PeerState.OPEN || c.state() == PeerState.SUSPECT);
    }

    public PeerState state() {
        PeerConnection c = connection;
        return c == null ? PeerState.CLOSED : c.state();
    }

    public String lastError() {
        return lastError;
    }

    public String destinationRealm() {
        return destinationRealm;
    }

    /**
     * Sends a request, adding Origin-Host and Origin-Realm after the Session-Id when the builder has none.
     * Completes with the answer, or exceptionally when not connected ({@link #isConnected}), on timeout or on
     * connection loss.
     */
    public CompletableFuture<DiameterMessage> send(DiameterMessage.Builder request) {
        PeerConnection c = connection;
        if (!connected(c)) {
            return CompletableFuture.failedFuture(new IOException("no open Diameter connection to " + remote
                    + (lastError.isEmpty() ? "" : " (" + lastError + ")")));
        }
        return c.request(withOrigin(request.build()), options.requestTimeout());
    }

    private DiameterMessage withOrigin(DiameterMessage m) {
        if (m.avp(DiameterConstants.AVP_ORIGIN_HOST).isPresent()) {
            return m;
        }
        List<Avp> avps = new ArrayList<>(m.avps());
        int at = !avps.isEmpty() && avps.get(0).code() == DiameterConstants.AVP_SESSION_ID ? 1 : 0;
        avps.add(at, Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, identity.originRealm()));
        avps.add(at, Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, identity.originHost()));
        DiameterMessage.Builder b = m.isRequest()
                ? DiameterMessage.request(m.commandCode(), m.applicationId()) : DiameterMessage.answerTo(m);
        if (m.isRetransmit()) {
            b.flagRetransmit();
        }
        b.proxiable((m.flags() & DiameterConstants.FLAG_PROXIABLE) != 0).endToEnd(m.endToEnd());
        return b.addAll(avps).build();
    }

    private void connectLoop() {
        long delay = options.reconnectMin().toMillis();
        while (running) {
            Socket socket = new Socket();
            try {
                socket.connect(remote, (int) options.connectTimeout().toMillis());
                if (options.tls() != null) {
                    socket = startTls(socket);
                }
                PeerConnection c = new PeerConnection(socket, PeerConnection.Role.INITIATOR, identity, null, java.util.Set.of(),
                        options.watchdogInterval(), options.connectTimeout());
                connection = c;
                if (!running) {
                    // stop() ran while we were connecting and saw no connection to close: close it here
                    c.close("client stopped");
                    break;
                }
                c.run(); // returns when the connection closes
                lastError = c.closeReason();
                int cause = c.peerDisconnectCause();
                if (cause == DiameterConstants.DISCONNECT_BUSY || cause == DiameterConstants.DISCONNECT_DO_NOT_WANT_TO_TALK_TO_YOU) {
                    // RFC 6733 5.4.3: after BUSY or DO_NOT_WANT_TO_TALK_TO_YOU the peer SHOULD NOT be reconnected to
                    // soon. Accounting must reach a CDF eventually, so this client waits the longest backoff instead
                    // of giving up; meanwhile its user fails over or buffers.
                    lastError = "peer sent DPR with Disconnect-Cause " + cause;
                    if (running) {
                        LOG.log(Level.WARNING, "DIA-052 Diameter peer {0} disconnected with cause {1}; next connection attempt in {2} ms",
                                new Object[]{remote, cause, options.reconnectMax().toMillis()});
                    }
                    waitBeforeReconnect(options.reconnectMax().toMillis());
                    delay = options.reconnectMin().toMillis();
                    continue;
                }
                if (running) {
                    LOG.log(Level.WARNING, "DIA-050 Diameter connection to {0} closed: {1}; reconnecting",
                            new Object[]{remote, lastError});
                }
                delay = options.reconnectMin().toMillis();
            } catch (IOException e) {
                lastError = e.getMessage();
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // not connected
                }
                if (running) {
                    LOG.log(Level.WARNING, "DIA-051 cannot connect to Diameter peer {0}: {1}; retrying in {2} ms",
                            new Object[]{remote, e.getMessage(), delay});
                }
            }
            waitBeforeReconnect(delay);
            delay = Math.min(delay * 2, options.reconnectMax().toMillis());
        }
    }

    /**
     * TLS over the connected socket before any Diameter message (RFC 6733 13.1), checking that the peer's certificate
     * is trusted and names the host we connected to.
     */
    private Socket startTls(Socket plain) throws IOException {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) options.tls().getSocketFactory()
                .createSocket(plain, remote.getHostString(), remote.getPort(), true);
        javax.net.ssl.SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // host name check against the certificate's names
        tls.setSSLParameters(params);
        tls.setSoTimeout((int) options.connectTimeout().toMillis());
        try {
            tls.startHandshake();
        } catch (IOException e) {
            tls.close();
            throw new IOException("TLS handshake with " + remote + " failed: " + e.getMessage(), e);
        }
        tls.setSoTimeout(0);
        return tls;
    }

    private void waitBeforeReconnect(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (lock) {
            long left;
            while (running && (left = deadline - System.currentTimeMillis()) > 0) {
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}

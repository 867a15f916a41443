package org.sipcharge.diameter.peer;

import org.sipcharge.diameter.Answers;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterFramingException;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.DiameterProtocolException;
import org.sipcharge.diameter.MessageValidator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One transport connection to a Diameter peer, either side: capabilities exchange (RFC 6733 5.3), the watchdog of
 * RFC 3539 (DWR after Tw of silence, the connection is given up when the next Tw passes without an answer),
 * DPR/DPA (5.4), answering requests through a {@link RequestHandler}, and matching answers to requests in flight
 * by hop-by-hop identifier (6.2). The reader runs on the thread that calls {@link #run}; writes are serialized.
 */
final class PeerConnection {

    private static final Logger LOG = Logger.getLogger(PeerConnection.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** RFC 6733 3: end-to-end ids: high 12 bits from the clock, low 20 bits random at start, then counting. */
    private static final AtomicInteger END_TO_END = new AtomicInteger(
            (int) ((System.currentTimeMillis() / 1000 & 0xFFF) << 20) | RANDOM.nextInt(1 << 20));
    /** RFC 3539 3.4.1: Tw is jittered by up to +/- 2 s so that peers do not synchronize. */
    private static final long TW_JITTER_MS = 2000;
    private static final byte[] IDLE = new byte[0];
    /**
     * Socket buffers: many answers and requests of a few hundred bytes each (an ACR is about 550 bytes) are read with
     * one system call and written with one, when they come together (see {@link WriteBatch}).
     */
    private static final int IO_BUFFER_BYTES = 64 * 1024;

    enum Role { INITIATOR, RESPONDER }

    private final Socket socket;
    private final Role role;
    private final LocalIdentity local;
    private final RequestHandler handler;
    private final Set<String> allowedPeers;
    private final Duration watchdogInterval;
    private final Duration capabilitiesTimeout;
    private final FrameInput in;
    private final OutputStream out;
    private final ConcurrentHashMap<Integer, CompletableFuture<DiameterMessage>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger hopByHop = new AtomicInteger(RANDOM.nextInt());
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    /** Makes "CEA sent, state OPEN" atomic with respect to {@link #disconnect}, so that a peer told OPEN gets a DPR. */
    private final Object stateLock = new Object();

    private volatile PeerState state = PeerState.WAIT_CEA;
    private volatile PeerInfo peer;
    private volatile boolean dwrOutstanding;
    private volatile String closeReason = "";
    /** Disconnect-Cause of the peer's DPR, or -1 when the peer sent none. */
    private volatile int peerDisconnectCause = -1;

    PeerConnection(Socket socket, Role role, LocalIdentity local, RequestHandler handler, Set<String> allowedPeers,
                   Duration watchdogInterval, Duration capabilitiesTimeout) throws IOException {
        this.socket = socket;
        this.role = role;
        this.local = local;
        this.handler = handler;
        this.allowedPeers = allowedPeers;
        this.watchdogInterval = watchdogInterval;
        this.capabilitiesTimeout = capabilitiesTimeout;
        socket.setTcpNoDelay(true);
        this.in = new FrameInput(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), IO_BUFFER_BYTES);
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.peer = new PeerInfo("", "", remote);
    }

    PeerState state() {
        return state;
    }

    PeerInfo peer() {
        return peer;
    }

    CompletionStage<Void> closed() {
        return closedFuture;
    }

    int peerDisconnectCause() {
        return peerDisconnectCause;
    }

    String closeReason() {
        return closeReason;
    }

    /** Exchanges capabilities, then reads and dispatches until the connection closes. */
    void run() {
        try {
            socket.setSoTimeout((int) capabilitiesTimeout.toMillis());
            boolean open = role == Role.INITIATOR ? initiateCapabilities() : answerCapabilities();
            if (!open) {
                return;
            }
            synchronized (stateLock) {
                if (state == PeerState.CLOSED) {
                    return; // closed while the capabilities were exchanged: do not reopen
                }
                if (state == PeerState.WAIT_CEA) {
                    state = PeerState.OPEN;
                } // else OPEN already, or CLOSING: keep reading for the DPA
            }
            LOG.log(Level.INFO, "DIA-010 Diameter peer {0} ({1}) open at {2}",
                    new Object[]{peer.originHost(), peer.originRealm(), peer.remoteAddress()});
            long tw = watchdogInterval.toMillis();
            socket.setSoTimeout((int) Math.max(1000, tw - TW_JITTER_MS + RANDOM.nextLong(2 * TW_JITTER_MS + 1)));
            // What this thread writes (answers, requests sent from answer callbacks) goes out once the input that is
            // already here has been handled, not one segment per message; it is flushed before the reader can block.
            WriteBatch.begin();
            while (state != PeerState.CLOSED) {
                if (!in.hasWholeFrame()) {
                    WriteBatch.flushNow();
                }
                byte[] frame = readFrame();
                if (frame == null) {
                    closeReason = "peer closed the connection";
                    break;
                }
                if (frame == IDLE) {
                    watchdogTick();
                } else {
                    dispatch(frame);
                }
            }
        } catch (DiameterFramingException e) {
            closeReason = "unframeable input: " + e.getMessage();
            LOG.log(Level.WARNING, "DIA-020 closing connection from {0}: {1}", new Object[]{peer.remoteAddress(), e.getMessage()});
            answerUnframeable(e);
        } catch (IOException e) {
            if (state != PeerState.CLOSED) {
                closeReason = e.toString();
                LOG.log(Level.INFO, "DIA-021 connection to {0} lost: {1}", new Object[]{peer.remoteAddress(), e.getMessage()});
            }
        } catch (RuntimeException e) {
            closeReason = e.toString();
            LOG.log(Level.SEVERE, "DIA-022 unexpected failure on connection to " + peer.remoteAddress(), e);
        } finally {
            close(closeReason.isEmpty() ? "closed" : closeReason);
            WriteBatch.end();
        }
    }

    /**
     * RFC 6733 7.1.5: a request with an unsupported version is answered 5011, one with an invalid message length
     * 5015. Its body is not read (it cannot be framed), so the answer carries the header's identifiers only, and the
     * connection is closed after it. Best effort: the peer may already be gone.
     */
    private void answerUnframeable(DiameterFramingException e) {
        if (!e.isAnswerable()) {
            return;
        }
        try {
            write(Answers.error(e.header(), e.resultCode(), null, e.getMessage(), local.originHost(), local.originRealm()));
            flushQuietly(); // the answer must leave before the socket closes, even inside a write batch
        } catch (IOException | RuntimeException ignored) {
            // the connection closes anyway
        }
    }

    /** Sends a request and completes with its answer, or exceptionally on timeout or connection loss. */
    CompletableFuture<DiameterMessage> request(DiameterMessage request, Duration timeout) {
        int hbh = hopByHop.incrementAndGet();
        int e2e = request.endToEnd() != 0 ? request.endToEnd() : END_TO_END.incrementAndGet();
        DiameterMessage framed = request.withIdentifiers(hbh, e2e);
        CompletableFuture<DiameterMessage> answer = new CompletableFuture<>();
        pending.put(hbh, answer);
        answer.whenComplete((a, e) -> pending.remove(hbh));
        try {
            write(framed);
        } catch (IOException e) {
            answer.completeExceptionally(e);
            close("write failed: " + e.getMessage());
            return answer;
        }
        answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!isBaseProtocol(request)) {
            answer.whenComplete((a, e) -> {
                if (e instanceof java.util.concurrent.TimeoutException) {
                    probeAfterTimeout(timeout);
                }
            });
        }
        return answer;
    }

    private static boolean isBaseProtocol(DiameterMessage m) {
        int c = m.commandCode();
        return c == DiameterConstants.CMD_DEVICE_WATCHDOG || c == DiameterConstants.CMD_DISCONNECT_PEER
                || c == DiameterConstants.CMD_CAPABILITIES_EXCHANGE;
    }

    /**
     * An application request went unanswered: the peer may be gone without the connection showing it (a host that
     * drops packets). Waiting for the watchdog to notice takes up to two Tw (RFC 3539 3.4.1: DWR after Tw of silence,
     * failure after the next); meanwhile every new request would wait out its own timeout first. So the connection
     * turns SUSPECT at once (a caller with another peer OPEN sends there, RFC 6733 5.5.4) and a DWR asks now; any
     * message from the peer makes it OPEN again (see dispatch), and no answer within {@code timeout} closes it.
     */
    private void probeAfterTimeout(Duration timeout) {
        synchronized (stateLock) {
            if (state != PeerState.OPEN || dwrOutstanding) {
                return; // closing, already suspect, or the watchdog is already asking
            }
            state = PeerState.SUSPECT;
            dwrOutstanding = true;
        }
        LOG.log(Level.WARNING, "DIA-033 a request to {0} went unanswered for {1} ms: peer suspect (requests go to another "
                + "peer when one is open) until it answers the DWR sent now", new Object[]{peer.originHost(), timeout.toMillis()});
        request(dwr(), timeout).whenComplete((a, e) -> {
            if (e != null && state == PeerState.SUSPECT) {
                LOG.log(Level.WARNING, "DIA-034 peer {0} answered no DWR within {1} ms after a request timed out: closing the "
                        + "connection", new Object[]{peer.originHost(), timeout.toMillis()});
                closeReason = "no DWA after a request timed out";
                close(closeReason);
            }
        });
    }

    /** DPR (RFC 6733 5.4) and a short wait for DPA, then close. */
    void disconnect(int cause, Duration wait) {
        boolean sendDpr;
        synchronized (stateLock) {
            sendDpr = state == PeerState.OPEN || state == PeerState.SUSPECT;
            if (sendDpr) {
                state = PeerState.CLOSING;
            }
        }
        if (sendDpr) {
            DiameterMessage dpr = DiameterMessage.request(DiameterConstants.CMD_DISCONNECT_PEER, DiameterConstants.APP_COMMON_MESSAGES)
                    .proxiable(false)
                    .add(originHost()).add(originRealm())
                    .add(Avp.enumerated(DiameterConstants.AVP_DISCONNECT_CAUSE, 0, true, cause))
                    .build();
            try {
                request(dpr, wait).get(wait.toMillis() + 100, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.log(Level.FINE, "no DPA from {0}: {1}", new Object[]{peer.originHost(), e.toString()});
            }
        }
        close("disconnected by us");
    }

    void close(String reason) {
        if (state == PeerState.CLOSED && closedFuture.isDone()) {
            return;
        }
        state = PeerState.CLOSED;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        IOException lost = new IOException("Diameter connection to " + peer.remoteAddress() + " closed: " + reason);
        for (CompletableFuture<DiameterMessage> f : new ArrayList<>(pending.values())) {
            f.completeExceptionally(lost);
        }
        pending.clear();
        closedFuture.complete(null);
    }

    // ---- capabilities exchange (RFC 6733 5.3)

    private boolean initiateCapabilities() throws IOException, DiameterFramingException {
        DiameterMessage.Builder cer = DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE,
                DiameterConstants.APP_COMMON_MESSAGES).proxiable(false);
        addCapabilities(cer);
        CompletableFuture<DiameterMessage> cea = new CompletableFuture<>();
        int hbh = hopByHop.incrementAndGet();
        pending.put(hbh, cea);
        write(cer.build().withIdentifiers(hbh, END_TO_END.incrementAndGet()));
        byte[] frame = readFrame();
        if (frame == null || frame == IDLE) {
            closeReason = frame == null ? "peer closed the connection before CEA" : "no CEA within " + capabilitiesTimeout;
            LOG.log(Level.WARNING, "DIA-011 {0} at {1}", new Object[]{closeReason, peer.remoteAddress()});
            return false;
        }
        DiameterMessage answer = decodeOrNull(frame);
        if (answer == null || answer.isRequest() || answer.commandCode() != DiameterConstants.CMD_CAPABILITIES_EXCHANGE
                || answer.hopByHop() != hbh) {
            closeReason = "first message from the peer is not our CEA: " + answer;
            LOG.log(Level.WARNING, "DIA-012 {0}", closeReason);
            return false;
        }
        pending.remove(hbh);
        long result = answer.resultCode();
        peer = new PeerInfo(answer.avp(DiameterConstants.AVP_ORIGIN_HOST).map(Avp::asUtf8).orElse("?"),
                answer.avp(DiameterConstants.AVP_ORIGIN_REALM).map(Avp::asUtf8).orElse("?"), peer.remoteAddress());
        if (result != DiameterConstants.RESULT_SUCCESS) {
            closeReason = "CEA Result-Code " + result + answer.avp(DiameterConstants.AVP_ERROR_MESSAGE)
                    .map(a -> " (" + a.asUtf8() + ")").orElse("");
            LOG.log(Level.WARNING, "DIA-013 peer {0} refused our CER: {1}", new Object[]{peer.originHost(), closeReason});
            return false;
        }
        return true;
    }

    private boolean answerCapabilities() throws IOException, DiameterFramingException {
        byte[] frame = readFrame();
        if (frame == null || frame == IDLE) {
            closeReason = frame == null ? "closed before CER" : "no CER within " + capabilitiesTimeout;
            LOG.log(Level.INFO, "DIA-014 connection from {0}: {1}", new Object[]{peer.remoteAddress(), closeReason});
            return false;
        }
        DiameterMessage cer;
        try {
            cer = DiameterMessage.decode(frame);
        } catch (DiameterMessage.DecodeFailure f) {
            closeReason = "undecodable CER: " + f.getMessage();
            if (f.header().isRequest()) {
                write(capabilitiesAnswer(f.header(), f.resultCode(), f.failedAvp(), f.getMessage()));
            }
            return false;
        }
        if (!cer.isRequest() || cer.commandCode() != DiameterConstants.CMD_CAPABILITIES_EXCHANGE) {
            // RFC 6733 5.6.4: only a CER is acceptable before the connection is open.
            closeReason = "first message is not a CER: " + cer;
            LOG.log(Level.WARNING, "DIA-015 connection from {0}: {1}", new Object[]{peer.remoteAddress(), closeReason});
            return false;
        }
        try {
            MessageValidator.requireAvps(cer, DiameterConstants.AVP_ORIGIN_HOST, DiameterConstants.AVP_ORIGIN_REALM,
                    DiameterConstants.AVP_HOST_IP_ADDRESS, DiameterConstants.AVP_VENDOR_ID, DiameterConstants.AVP_PRODUCT_NAME);
            String host = cer.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8();
            String realm = cer.avp(DiameterConstants.AVP_ORIGIN_REALM).orElseThrow().asUtf8();
            peer = new PeerInfo(host, realm, peer.remoteAddress());
            if (!allowedPeers.isEmpty() && !allowedPeers.contains(host)) {
                closeReason = "Origin-Host " + host + " is not an allowed peer";
                LOG.log(Level.WARNING, "DIA-016 refused CER from {0} at {1}: not in the allowed peers",
                        new Object[]{host, peer.remoteAddress()});
                write(capabilitiesAnswer(cer, DiameterConstants.RESULT_UNKNOWN_PEER, null, closeReason));
                return false;
            }
            if (!sharesApplication(cer)) {
                closeReason = "no common application with " + host;
                LOG.log(Level.WARNING, "DIA-017 refused CER from {0}: no common application (we serve {1})",
                        new Object[]{host, local.acctApplicationIds()});
                write(capabilitiesAnswer(cer, DiameterConstants.RESULT_NO_COMMON_APPLICATION, null, closeReason));
                return false;
            }
        } catch (DiameterProtocolException e) {
            closeReason = "bad CER: " + e.getMessage();
            write(capabilitiesAnswer(cer, e.resultCode(), e.failedAvp(), e.getMessage()));
            return false;
        }
        synchronized (stateLock) {
            if (state != PeerState.WAIT_CEA) {
                return false; // disconnected meanwhile
            }
            write(capabilitiesAnswer(cer, DiameterConstants.RESULT_SUCCESS, null, null));
            state = PeerState.OPEN;
        }
        return true;
    }

    private boolean sharesApplication(DiameterMessage cer) {
        List<Long> offered = new ArrayList<>();
        for (Avp a : cer.avps()) {
            if (a.vendorId() != 0) {
                continue;
            }
            if (a.code() == DiameterConstants.AVP_ACCT_APPLICATION_ID || a.code() == DiameterConstants.AVP_AUTH_APPLICATION_ID) {
                offered.add(a.asUnsigned32());
            } else if (a.code() == DiameterConstants.AVP_VENDOR_SPECIFIC_APPLICATION_ID) {
                for (Avp m : a.groupedAvps()) {
                    if (m.code() == DiameterConstants.AVP_ACCT_APPLICATION_ID || m.code() == DiameterConstants.AVP_AUTH_APPLICATION_ID) {
                        offered.add(m.asUnsigned32());
                    }
                }
            }
        }
        return offered.contains(DiameterConstants.APP_RELAY) || offered.stream().anyMatch(local.acctApplicationIds()::contains);
    }

    private DiameterMessage capabilitiesAnswer(DiameterMessage cer, long result, Avp failedAvp, String message) {
        DiameterMessage.Builder b = DiameterMessage.answerTo(cer)
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, result));
        addCapabilities(b);
        if (message != null) {
            b.add(Avp.utf8(DiameterConstants.AVP_ERROR_MESSAGE, 0, false, message));
        }
        if (failedAvp != null) {
            b.add(Avp.grouped(DiameterConstants.AVP_FAILED_AVP, 0, true, List.of(failedAvp)));
        }
        if (DiameterConstants.isProtocolError(result)) {
            b.flagError();
        }
        return b.build();
    }

    private void addCapabilities(DiameterMessage.Builder b) {
        b.add(originHost()).add(originRealm())
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, local.hostIpAddress()))
                .add(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, local.vendorId()))
                // RFC 6733 4.5: Product-Name and Firmware-Revision must not carry the M bit.
                .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, local.productName()))
                .add(Avp.unsigned32(DiameterConstants.AVP_ORIGIN_STATE_ID, 0, true, local.originStateId()))
                .add(Avp.unsigned32(DiameterConstants.AVP_SUPPORTED_VENDOR_ID, 0, true, DiameterConstants.VENDOR_3GPP));
        for (long app : local.acctApplicationIds()) {
            b.add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, app));
        }
        b.add(Avp.unsigned32(DiameterConstants.AVP_FIRMWARE_REVISION, 0, false, local.firmwareRevision()));
    }

    private Avp originHost() {
        return Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, local.originHost());
    }

    private Avp originRealm() {
        return Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, local.originRealm());
    }

    // ---- open state

    private void watchdogTick() throws IOException {
        if (dwrOutstanding) {
            // RFC 3539 3.4.1: no answer within Tw of the DWR: the connection is considered failed.
            state = PeerState.SUSPECT;
            closeReason = "no DWA within the watchdog interval";
            LOG.log(Level.WARNING, "DIA-030 peer {0} did not answer DWR, closing the connection", peer.originHost());
            close(closeReason);
            return;
        }
        dwrOutstanding = true;
        request(dwr(), watchdogInterval.multipliedBy(2));
    }

    private DiameterMessage dwr() {
        return DiameterMessage.request(DiameterConstants.CMD_DEVICE_WATCHDOG, DiameterConstants.APP_COMMON_MESSAGES)
                .proxiable(false).add(originHost()).add(originRealm())
                .add(Avp.unsigned32(DiameterConstants.AVP_ORIGIN_STATE_ID, 0, true, local.originStateId())).build();
    }

    private void dispatch(byte[] frame) throws IOException {
        DiameterMessage m;
        try {
            m = DiameterMessage.decode(frame);
        } catch (DiameterMessage.DecodeFailure f) {
            if (f.header().isRequest()) {
                LOG.log(Level.WARNING, "DIA-040 undecodable request from {0} answered {1}: {2}",
                        new Object[]{peer.originHost(), f.resultCode(), f.getMessage()});
                write(Answers.error(f.header(), f.resultCode(), f.failedAvp(), f.getMessage(), local.originHost(), local.originRealm()));
            } else {
                LOG.log(Level.WARNING, "DIA-041 undecodable answer from {0} dropped: {1}", new Object[]{peer.originHost(), f.getMessage()});
            }
            return;
        } catch (DiameterFramingException e) {
            throw new IOException(e.getMessage(), e);
        }
        // RFC 3539 3.4.1: any message received shows the peer is alive.
        dwrOutstanding = false;
        if (state == PeerState.SUSPECT) {
            state = PeerState.OPEN;
        }
        if (m.isRequest()) {
            onRequest(m);
        } else {
            CompletableFuture<DiameterMessage> f = pending.remove(m.hopByHop());
            if (f != null) {
                f.complete(m);
            } else {
                LOG.log(Level.FINE, "answer with unknown hop-by-hop id from {0} dropped (late or duplicate)", peer.originHost());
            }
        }
    }

    private void onRequest(DiameterMessage request) throws IOException {
        switch (request.commandCode()) {
            case DiameterConstants.CMD_DEVICE_WATCHDOG -> write(DiameterMessage.answerTo(request)
                    .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, DiameterConstants.RESULT_SUCCESS))
                    .add(originHost()).add(originRealm())
                    .add(Avp.unsigned32(DiameterConstants.AVP_ORIGIN_STATE_ID, 0, true, local.originStateId())).build());
            case DiameterConstants.CMD_DISCONNECT_PEER -> {
                LOG.log(Level.INFO, "DIA-031 peer {0} disconnects (DPR, cause {1})", new Object[]{peer.originHost(),
                        request.avp(DiameterConstants.AVP_DISCONNECT_CAUSE).map(Avp::asInteger32).orElse(-1)});
                peerDisconnectCause = request.avp(DiameterConstants.AVP_DISCONNECT_CAUSE).map(Avp::asInteger32).orElse(-1);
                state = PeerState.CLOSING;
                write(DiameterMessage.answerTo(request)
                        .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, DiameterConstants.RESULT_SUCCESS))
                        .add(originHost()).add(originRealm()).build());
                flushQuietly(); // the DPA must leave before the socket closes, even inside a write batch
                closeReason = "peer sent DPR";
                close(closeReason);
            }
            case DiameterConstants.CMD_CAPABILITIES_EXCHANGE -> write(Answers.error(request, DiameterConstants.RESULT_UNABLE_TO_COMPLY,
                    null, "capabilities were already exchanged on this connection", local.originHost(), local.originRealm()));
            default -> serve(request);
        }
    }

    private void serve(DiameterMessage request) throws IOException {
        if (handler == null) {
            write(Answers.error(request, DiameterConstants.RESULT_COMMAND_UNSUPPORTED, null,
                    "this peer serves no requests", local.originHost(), local.originRealm()));
            return;
        }
        if (request.applicationId() == DiameterConstants.APP_COMMON_MESSAGES) {
            // RFC 6733 2.4: every node supports the common messages application, so an unknown command in it is an
            // unsupported command (7.1.3 3001), not an unsupported application.
            write(Answers.error(request, DiameterConstants.RESULT_COMMAND_UNSUPPORTED, null,
                    "command " + request.commandCode() + " is not a Diameter common message", local.originHost(), local.originRealm()));
            return;
        }
        if (!local.acctApplicationIds().contains(request.applicationId())) {
            write(Answers.error(request, DiameterConstants.RESULT_APPLICATION_UNSUPPORTED, null,
                    "application " + request.applicationId() + " is not served here", local.originHost(), local.originRealm()));
            return;
        }
        CompletionStage<DiameterMessage> answer;
        try {
            answer = handler.handle(request, peer);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((a, e) -> {
            DiameterMessage reply = a;
            if (e != null || a == null) {
                LOG.log(Level.WARNING, "DIA-042 request " + request + " from " + peer.originHost() + " failed", e);
                reply = Answers.error(request, DiameterConstants.RESULT_UNABLE_TO_COMPLY, null, "request could not be served",
                        local.originHost(), local.originRealm());
            }
            try {
                write(reply);
            } catch (IOException io) {
                LOG.log(Level.WARNING, "DIA-043 answer to {0} could not be sent: {1}", new Object[]{peer.originHost(), io.getMessage()});
                close("write failed: " + io.getMessage());
            }
        });
    }

    // ---- transport

    private void write(DiameterMessage m) throws IOException {
        byte[] bytes = m.encode();
        synchronized (out) {
            out.write(bytes);
            if (!WriteBatch.defer(this)) {
                out.flush();
            }
        }
    }

    /** Sends what a {@link WriteBatch} left in the buffer; a failure closes the connection (its requests fail). */
    void flushQuietly() {
        try {
            synchronized (out) {
                out.flush();
            }
        } catch (IOException e) {
            if (state != PeerState.CLOSED) {
                LOG.log(Level.WARNING, "DIA-044 writing to {0} failed: {1}", new Object[]{peer.originHost(), e.getMessage()});
            }
            close("write failed: " + e.getMessage());
        }
    }

    /**
     * One whole message, {@link #IDLE} when the read timeout passed at a message boundary, or null at end of stream.
     * A peer that stops in the middle of a message is a failure (IOException).
     */
    private byte[] readFrame() throws IOException, DiameterFramingException {
        byte[] header = new byte[DiameterConstants.HEADER_LENGTH];
        int n = readFully(header, 0, true);
        if (n < 0) {
            return null;
        }
        if (n == 0) {
            return IDLE;
        }
        int length = DiameterMessage.frameLength(header);
        byte[] frame = new byte[length];
        System.arraycopy(header, 0, frame, 0, header.length);
        if (readFully(frame, header.length, false) < 0) {
            throw new IOException("connection closed in the middle of a " + length + "-byte message");
        }
        return frame;
    }

    /** @return bytes read; 0 only when nothing was read and the timeout passed (idleAllowed); -1 at clean EOF */
    private int readFully(byte[] buffer, int offset, boolean idleAllowed) throws IOException {
        int pos = offset;
        while (pos < buffer.length) {
            int r;
            try {
                r = in.read(buffer, pos, buffer.length - pos);
            } catch (SocketTimeoutException e) {
                if (idleAllowed && pos == offset) {
                    return 0;
                }
                throw new IOException("peer stalled in the middle of a message", e);
            }
            if (r < 0) {
                if (pos == offset && idleAllowed) {
                    return -1;
                }
                throw new IOException("connection closed in the middle of a message (" + (pos - offset) + " bytes read)");
            }
            pos += r;
        }
        return pos - offset;
    }

    /** Buffered socket input that can tell whether a whole message is already buffered (reading it cannot block). */
    private static final class FrameInput extends BufferedInputStream {

        FrameInput(InputStream socketInput) {
            super(socketInput, IO_BUFFER_BYTES);
        }

        synchronized boolean hasWholeFrame() {
            if (buf == null) {
                return false; // closed
            }
            int buffered = count - pos;
            if (buffered < DiameterConstants.HEADER_LENGTH) {
                return false;
            }
            // RFC 6733 3: Message Length is the 3 octets after the version octet.
            int length = (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | buf[pos + 3] & 0xFF;
            return buffered >= length;
        }
    }

    private DiameterMessage decodeOrNull(byte[] frame) throws DiameterFramingException {
        try {
            return DiameterMessage.decode(frame);
        } catch (DiameterProtocolException e) {
            return null;
        }
    }
}

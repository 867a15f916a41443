package org.sipcharge.sip.b2bua;

import org.sipcharge.charging.application.ChargeableEvent;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.application.OfflineChargingService;
import org.sipcharge.sip.b2bua.domain.CallPhase;
import org.sipcharge.sip.b2bua.domain.CallState;
import org.sipcharge.sip.b2bua.domain.ChargingVector;
import org.sipcharge.sip.ra.SipContext;

import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The B2BUA call logic (RFC 3261 sections 8.2, 12, 13, 15; RFC 7092 describes the B2BUA role).
 * The caller's dialog is the A leg, the one towards the callee the B leg. Call state lives in the {@link CallStore};
 * only the live INVITE transactions (which the SIP stack keeps in this JVM anyway) are held locally.
 *
 * <p>Errors towards the caller: 400 for a request we cannot act on, 481 for an unknown dialog, 482 for a merged
 * INVITE, 483 for Max-Forwards 0, 405 for other methods, 501 for re-INVITE (not supported yet), 503 when the
 * charging application is not available (a call that cannot be charged is not connected).
 */
public final class B2bua {

    private static final Logger LOG = Logger.getLogger(B2bua.class.getName());
    /** Prefix of the B leg's Call-ID; the rest is the A leg's Call-ID, which is the call's key. */
    static final String B_LEG_PREFIX = "b2b-";
    private static final String ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE";
    private static final String MESSAGE = "MESSAGE";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The INVITE transactions of calls not yet answered on this node: needed to relay answers and CANCEL. */
    private static final Map<String, Pending> PENDING = new ConcurrentHashMap<>();
    /** 2xx sent to callers not yet ACKed: re-sent when the callee re-sends its 2xx (RFC 3261 13.3.1.4). */
    private static final Map<String, Response> UNACKED_OK = new ConcurrentHashMap<>();

    private record Pending(ServerTransaction server, ClientTransaction client) {
    }

    /** A session-less request relayed to the callee and not yet answered: charged with an EVENT when answered 2xx. */
    private record PendingEvent(ServerTransaction server, String callingParty, String calledParty, Instant requestTime,
                                ImsChargingInfo ims) {
    }

    private static final Map<String, PendingEvent> PENDING_EVENTS = new ConcurrentHashMap<>();

    private final SipContext sip;
    private final CallStore calls;
    private final Supplier<OfflineChargingService> charging;
    private final String nextHop;
    private final String nextHopTransport;
    private final String nodeName;
    private volatile boolean quorumLostLogged;
    /**
     * Route of the B2BUA's initial requests towards callees, or empty: the SIP load balancer as outbound proxy
     * (sipcharge.b2bua.outbound-proxy). It record-routes them, so the callee's requests in those dialogs come back
     * through it and reach a live instance, like the caller's.
     */
    private List<String> outboundRoute = List.of();

    /** Sends the legs towards callees through this proxy (host:port), loose-routed (RFC 3261 16.12). */
    public B2bua withOutboundProxy(String hostPort) {
        if (hostPort != null && !hostPort.isBlank()) {
            String t = "udp".equals(nextHopTransport) ? "" : ";transport=" + nextHopTransport;
            outboundRoute = List.of("<sip:" + hostPort.trim() + t + ";lr>");
        }
        return this;
    }
    private final SipCounters counters = SipCounters.INSTANCE;

    /**
     * @param nextHop          host:port where callees are reached (the UAS, or a proxy)
     * @param nextHopTransport udp or tcp
     * @param charging         gives the charging application, or null when it is not available
     */
    public B2bua(SipContext sip, CallStore calls, Supplier<OfflineChargingService> charging, String nextHop,
                 String nextHopTransport, String nodeName) {
        this.sip = sip;
        this.calls = calls;
        this.charging = charging;
        this.nextHop = nextHop;
        this.nextHopTransport = nextHopTransport.toLowerCase(Locale.ROOT);
        this.nodeName = nodeName;
    }

    // ---------------------------------------------------------------- requests

    public void onRequest(RequestEvent event) {
        Request req = event.getRequest();
        try {
            if (!Request.ACK.equals(req.getMethod())) {
                if (!calls.hasQuorum()) {
                    refuseWithoutQuorum(req, event.getServerTransaction());
                    return;
                }
                if (quorumLostLogged) {
                    quorumLostLogged = false;
                    LOG.info("SIP-286 this node sees a majority of the SIP tier again: it takes requests again");
                }
            }
            switch (req.getMethod()) {
                case Request.INVITE -> onInvite(req, event.getServerTransaction());
                case Request.ACK -> onAck(req);
                case Request.BYE -> onBye(req, event.getServerTransaction());
                case Request.CANCEL -> onCancel(req, event.getServerTransaction());
                case MESSAGE -> onMessage(req, event.getServerTransaction());
                case Request.OPTIONS -> {
                    Response ok = sip.messages().createResponse(Response.OK, req);
                    ok.addHeader(sip.headers().createAllowHeader(ALLOW));
                    respond(req, event.getServerTransaction(), ok);
                }
                default -> {
                    Response r = sip.messages().createResponse(Response.METHOD_NOT_ALLOWED, req);
                    r.addHeader(sip.headers().createAllowHeader(ALLOW));
                    respond(req, event.getServerTransaction(), r);
                }
            }
        } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            LOG.log(Level.WARNING, "SIP-200 could not handle " + req.getMethod() + " " + callId(req) + ": " + e, e);
            if (!Request.ACK.equals(req.getMethod())) {
                answer(req, event.getServerTransaction(), Response.SERVER_INTERNAL_ERROR, null);
            }
        }
    }

    private void onInvite(Request req, ServerTransaction st) throws ParseException, SipException, InvalidArgumentException {
        String key = callId(req);
        if (toTag(req) != null) {
            // A re-INVITE (or one for a dialog we do not know).
            CallState c = calls.get(key.startsWith(B_LEG_PREFIX) ? key.substring(B_LEG_PREFIX.length()) : key);
            answer(req, st, c == null ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST : Response.NOT_IMPLEMENTED,
                    c == null ? null : "re-INVITE not supported");
            return;
        }
        ContactHeader contact = (ContactHeader) req.getHeader(ContactHeader.NAME);
        if (contact == null || fromTag(req) == null) {
            // RFC 3261 8.1.1.8: an INVITE must carry a Contact; 8.1.1.3: the From tag is mandatory.
            counters.malformedRejected.incrementAndGet();
            answer(req, st, Response.BAD_REQUEST, contact == null ? "Missing Contact header" : "Missing From tag");
            return;
        }
        MaxForwardsHeader mf = (MaxForwardsHeader) req.getHeader(MaxForwardsHeader.NAME);
        if (mf != null && mf.getMaxForwards() <= 0) {
            answer(req, st, Response.TOO_MANY_HOPS, null);
            return;
        }
        OfflineChargingService cs = charging.get();
        if (cs == null) {
            counters.refusedUnavailable.incrementAndGet();
            Response r = sip.messages().createResponse(Response.SERVICE_UNAVAILABLE, req);
            r.setReasonPhrase("Charging not available");
            r.addHeader(sip.headers().createRetryAfterHeader(5));
            respond(req, st, r);
            return;
        }
        if (st == null) {
            try {
                st = sip.provider().getNewServerTransaction(req);
            } catch (TransactionAlreadyExistsException e) {
                return; // a retransmission that raced its original: the transaction answers it
            }
        }
        st.sendResponse(sip.messages().createResponse(Response.TRYING, req));

        CallState call = new CallState();
        call.phase = CallPhase.INVITING;
        call.node = nodeName;
        call.requestTimeMillis = System.currentTimeMillis();
        FromHeader from = (FromHeader) req.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) req.getHeader(ToHeader.NAME);
        Header pai = req.getHeader("P-Asserted-Identity");
        call.callingParty = pai != null ? headerValue(pai) : from.getAddress().getURI().toString();
        call.calledParty = req.getRequestURI().toString();
        ChargingVector pcv = chargingVector(req, key);
        boolean icidGenerated = pcv.icid() == null;
        call.icid = icidGenerated ? ChargingVector.newIcid() : pcv.icid();
        call.originatingIoi = pcv.originatingIoi() == null ? "" : pcv.originatingIoi();
        call.aCallId = key;
        call.aRemoteTag = from.getTag();
        call.aLocalTag = newTag();
        call.aRemoteUri = from.getAddress().getURI().toString();
        call.aLocalUri = to.getAddress().getURI().toString();
        call.aRemoteTarget = contact.getAddress().getURI().toString();
        call.aRouteSet = routeSet(req, false);
        call.aTransport = ((ViaHeader) req.getHeader(ViaHeader.NAME)).getTransport().toLowerCase(Locale.ROOT);
        call.bCallId = B_LEG_PREFIX + key;
        call.bLocalTag = newTag();
        call.bRequestUri = calleeUri(req.getRequestURI());
        call.bInviteCseq = 1;
        call.bLocalCseq = 2;

        boolean[] merged = {false};
        calls.update(key, existing -> {
            if (existing != null) {
                merged[0] = true; // RFC 3261 8.2.2.2: same Call-ID, no To tag, other transaction
                return existing;
            }
            return call;
        });
        if (merged[0]) {
            st.sendResponse(withTag(sip.messages().createResponse(Response.LOOP_DETECTED, req), call.aLocalTag));
            return;
        }
        counters.invitesReceived.incrementAndGet();

        Request invite = newRequest(Request.INVITE, uri(call.bRequestUri), call.bCallId, call.bInviteCseq,
                call.aRemoteUri, call.bLocalTag, call.aLocalUri, null, nextHopTransport, outboundRoute);
        invite.setHeader(sip.headers().createMaxForwardsHeader(mf == null ? 69 : mf.getMaxForwards() - 1));
        invite.addHeader(ourContact(nextHopTransport));
        // The callee's side charges the same session: same icid (RFC 7315 4.6), and the originating IOI passed on.
        invite.addHeader(sip.headers().createHeader(ChargingVector.HEADER, ChargingVector.headerValue(call.icid,
                icidGenerated ? listeningPoint(nextHopTransport).getIPAddress() : null, call.originatingIoi)));
        copyBody(req, invite);
        try {
            ClientTransaction ct = sip.provider().getNewClientTransaction(invite);
            PENDING.put(key, new Pending(st, ct));
            ct.sendRequest();
        } catch (SipException | RuntimeException e) {
            PENDING.remove(key);
            calls.update(key, c -> null);
            counters.callsFailed.incrementAndGet();
            LOG.warning("SIP-210 could not send the INVITE towards " + call.bRequestUri + ": " + e);
            Response r = withTag(sip.messages().createResponse(Response.SERVICE_UNAVAILABLE, req), call.aLocalTag);
            st.sendResponse(r);
        }
    }

    private void onAck(Request req) throws ParseException, SipException, InvalidArgumentException {
        String key = callId(req);
        UNACKED_OK.remove(key);
        CallState c = calls.update(key, s -> {
            if (s != null && s.phase == CallPhase.ANSWERED) {
                s.phase = CallPhase.CONFIRMED;
            }
            return s;
        });
        if (c != null && c.phase == CallPhase.CONFIRMED) {
            sendAckToCallee(c);
        }
        // An ACK for an unknown call, or for a non-2xx (absorbed by the stack), needs nothing.
    }

    /** The call a BYE ends (its key, the A leg's Call-ID) and whether it comes from that call's callee. */
    record ByeTarget(String key, boolean fromCallee) {
    }

    /**
     * A BYE on a Call-ID with the B-leg prefix comes from the callee of the call whose B leg that is, unless the B leg
     * came back to the tier as a call of its own: an S-CSCF that invokes the AS again for the terminating side (TS
     * 23.228 5.4.3.3, a second iFC evaluation) makes the B leg of call X the A leg of a second call keyed "b2b-X". Its
     * caller's BYE then carries that second call's A-leg From tag: it ends the second call (and its accounting
     * session), not call X, which would otherwise leave the second session without STOP. A BYE that already ended the
     * second call (retried by the balancer) is recognised by its From tag and CSeq as well.
     */
    static ByeTarget byeTarget(String callId, String fromTag, long cseq, CallStore calls) {
        if (callId.startsWith(B_LEG_PREFIX)) {
            CallState own = calls.get(callId);
            boolean fromCallerOfOwnCall = own != null ? own.aRemoteTag != null && own.aRemoteTag.equals(fromTag)
                    : calls.wasEndedBy(callId, fromTag, cseq);
            if (!fromCallerOfOwnCall) {
                return new ByeTarget(callId.substring(B_LEG_PREFIX.length()), true);
            }
        }
        return new ByeTarget(callId, false);
    }

    private void onBye(Request req, ServerTransaction st) throws ParseException, SipException, InvalidArgumentException {
        String callId = callId(req);
        String fromTag = fromTag(req);
        long cseq = ((CSeqHeader) req.getHeader(CSeqHeader.NAME)).getSeqNumber();
        ByeTarget target = byeTarget(callId, fromTag, cseq, calls);
        boolean fromCallee = target.fromCallee();
        String key = target.key();
        boolean[] mismatch = {false};
        CallState[] ended = {null};
        calls.update(key, s -> {
            if (s == null) {
                return null;
            }
            String expected = fromCallee ? s.bRemoteTag : s.aRemoteTag;
            if (!expected.equals(fromTag)) {
                mismatch[0] = true;
                return s;
            }
            ended[0] = s;
            calls.rememberEndedBy(key, fromTag, cseq);
            return null;
        });
        CallState c = ended[0];
        if (c == null) {
            if (!mismatch[0] && calls.wasEndedBy(key, fromTag, cseq)) {
                // The same BYE again, here: the balancer retried it on this instance because the instance that ended
                // the call answered late (or died after ending it). The call is over; its STOP and the other leg's
                // BYE went out there.
                LOG.info("SIP-221 BYE of call " + key + " (CSeq " + cseq + ") arrived again after the call ended: answered 200");
                answer(req, st, Response.OK, null);
                return;
            }
            answer(req, st, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, mismatch[0] ? "Unknown dialog" : null);
            return;
        }
        Instant endTime = Instant.now();
        UNACKED_OK.remove(key);
        answer(req, st, Response.OK, null);
        counters.callsCompleted.incrementAndGet();
        if (c.charged) {
            OfflineChargingService cs = charging.get();
            if (cs == null) {
                LOG.severe("SIP-220 call " + key + " ended but the charging application is not available: ACR STOP not sent");
            } else {
                cs.sessionEnded(key, endTime, 0);
            }
        }
        if (fromCallee) {
            sendInDialog(Request.BYE, c.aRemoteTarget, c.aCallId, c.aLocalCseq + 1, c.aLocalUri, c.aLocalTag,
                    c.aRemoteUri, c.aRemoteTag, c.aTransport, c.aRouteSet);
        } else {
            sendInDialog(Request.BYE, c.bRemoteTarget, c.bCallId, c.bLocalCseq, c.aRemoteUri, c.bLocalTag,
                    c.aLocalUri, c.bRemoteTag, nextHopTransport, c.bRouteSet);
        }
    }

    private void onCancel(Request req, ServerTransaction st) throws ParseException, SipException, InvalidArgumentException {
        String key = callId(req);
        Pending p = PENDING.get(key);
        if (p == null) {
            answer(req, st, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
            return;
        }
        answer(req, st, Response.OK, null);
        CallState c = calls.update(key, s -> {
            if (s != null && s.phase == CallPhase.INVITING) {
                s.phase = CallPhase.CANCELLED;
            }
            return s;
        });
        if (c == null || c.phase != CallPhase.CANCELLED) {
            return; // already answered: the caller will get the 2xx and send BYE
        }
        counters.callsCancelled.incrementAndGet();
        Response terminated = withTag(sip.messages().createResponse(Response.REQUEST_TERMINATED, p.server().getRequest()), c.aLocalTag);
        p.server().sendResponse(terminated);
        try {
            Request cancel = p.client().createCancel();
            sip.provider().getNewClientTransaction(cancel).sendRequest();
        } catch (SipException e) {
            // No provisional response yet (RFC 3261 9.1): a later 2xx is ACKed and ended with BYE below.
            LOG.fine(() -> "SIP-230 CANCEL not sent yet for " + key + ": " + e.getMessage());
        }
    }

    /**
     * A MESSAGE outside any dialog (RFC 3428): relayed to the callee as a new transaction of the B leg; its final
     * answer is relayed back, and a 2xx is charged with one EVENT record (TS 32.299 event-based charging).
     */
    private void onMessage(Request req, ServerTransaction st) throws ParseException, SipException, InvalidArgumentException {
        if (toTag(req) != null) {
            answer(req, st, Response.NOT_IMPLEMENTED, "MESSAGE inside a dialog not supported");
            return;
        }
        MaxForwardsHeader mf = (MaxForwardsHeader) req.getHeader(MaxForwardsHeader.NAME);
        if (mf != null && mf.getMaxForwards() <= 0) {
            answer(req, st, Response.TOO_MANY_HOPS, null);
            return;
        }
        if (fromTag(req) == null) {
            counters.malformedRejected.incrementAndGet();
            answer(req, st, Response.BAD_REQUEST, "Missing From tag");
            return;
        }
        if (charging.get() == null) {
            counters.refusedUnavailable.incrementAndGet();
            answer(req, st, Response.SERVICE_UNAVAILABLE, "Charging not available");
            return;
        }
        if (st == null) {
            try {
                st = sip.provider().getNewServerTransaction(req);
            } catch (TransactionAlreadyExistsException e) {
                return;
            }
        }
        String key = callId(req);
        FromHeader from = (FromHeader) req.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) req.getHeader(ToHeader.NAME);
        Header pai = req.getHeader("P-Asserted-Identity");
        String calling = pai != null ? headerValue(pai) : from.getAddress().getURI().toString();
        long cseq = ((CSeqHeader) req.getHeader(CSeqHeader.NAME)).getSeqNumber();
        Request out = newRequest(MESSAGE, uri(calleeUri(req.getRequestURI())), B_LEG_PREFIX + key, cseq,
                from.getAddress().getURI().toString(), newTag(), to.getAddress().getURI().toString(), null, nextHopTransport,
                outboundRoute);
        out.setHeader(sip.headers().createMaxForwardsHeader(mf == null ? 69 : mf.getMaxForwards() - 1));
        copyBody(req, out);
        ChargingVector pcv = chargingVector(req, key);
        String icid = pcv.icid() != null ? pcv.icid() : ChargingVector.newIcid();
        // Complete before the client transaction is made from it: the transaction keeps the request it retransmits.
        out.addHeader(sip.headers().createHeader(ChargingVector.HEADER, ChargingVector.headerValue(icid,
                pcv.icid() == null ? listeningPoint(nextHopTransport).getIPAddress() : null, pcv.originatingIoi())));
        ClientTransaction ct = sip.provider().getNewClientTransaction(out);
        PENDING_EVENTS.put(key, new PendingEvent(st, calling, req.getRequestURI().toString(), Instant.now(),
                ImsChargingInfo.of(icid, pcv.originatingIoi(), null, List.of())));
        try {
            ct.sendRequest();
        } catch (SipException e) {
            PENDING_EVENTS.remove(key);
            answer(req, st, Response.SERVICE_UNAVAILABLE, null);
        }
    }

    private void onMessageAnswer(String key, Response r) throws ParseException, SipException, InvalidArgumentException {
        if (r.getStatusCode() < 200) {
            return;
        }
        PendingEvent p = PENDING_EVENTS.remove(key);
        if (p == null) {
            return;
        }
        Response toCaller = withTag(sip.messages().createResponse(r.getStatusCode(), p.server().getRequest()), newTag());
        toCaller.setReasonPhrase(r.getReasonPhrase());
        p.server().sendResponse(toCaller);
        if (r.getStatusCode() < 300) {
            OfflineChargingService cs = charging.get();
            if (cs == null) {
                LOG.severe("SIP-261 " + MESSAGE + " " + key + " delivered but the charging application is not available: ACR EVENT not sent");
            } else {
                cs.eventOccurred(new ChargeableEvent(key, MESSAGE, p.callingParty(), p.calledParty(), p.requestTime(), Instant.now(),
                        p.ims().withTerminatingIoi(ChargingVector.parse(rawHeaderValue(r.getHeader(ChargingVector.HEADER))).terminatingIoi())));
            }
        }
    }

    // ---------------------------------------------------------------- responses

    public void onResponse(ResponseEvent event) {
        Response r = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        String callId = callId(r);
        if (cseq == null || !callId.startsWith(B_LEG_PREFIX)) {
            if (r.getStatusCode() >= 300) {
                LOG.info("SIP-240 " + r.getStatusCode() + " to our " + (cseq == null ? "?" : cseq.getMethod()) + " for call " + callId);
            }
            return;
        }
        if (MESSAGE.equals(cseq.getMethod())) {
            try {
                onMessageAnswer(callId.substring(B_LEG_PREFIX.length()), r);
            } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
                LOG.log(Level.WARNING, "SIP-251 could not relay " + r.getStatusCode() + " to MESSAGE " + callId + ": " + e, e);
            }
            return;
        }
        if (!Request.INVITE.equals(cseq.getMethod())) {
            if (r.getStatusCode() >= 300) {
                LOG.info("SIP-241 " + r.getStatusCode() + " to our " + cseq.getMethod() + " towards the callee of call " + callId);
            }
            return;
        }
        String key = callId.substring(B_LEG_PREFIX.length());
        try {
            int status = r.getStatusCode();
            if (status < 200) {
                relayProvisional(key, r);
            } else if (status < 300) {
                onAnswer(key, r);
            } else {
                onRejected(key, r);
            }
        } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
            LOG.log(Level.WARNING, "SIP-250 could not relay " + r.getStatusCode() + " for call " + key + ": " + e, e);
        }
    }

    private void relayProvisional(String key, Response r) throws ParseException, SipException, InvalidArgumentException {
        if (r.getStatusCode() == Response.TRYING) {
            return; // hop by hop; we sent our own
        }
        Pending p = PENDING.get(key);
        CallState c = calls.get(key);
        if (p == null || c == null || c.phase != CallPhase.INVITING) {
            return;
        }
        Response toCaller = withTag(sip.messages().createResponse(r.getStatusCode(), p.server().getRequest()), c.aLocalTag);
        toCaller.setReasonPhrase(r.getReasonPhrase());
        toCaller.addHeader(ourContact(c.aTransport));
        copyBody(r, toCaller);
        // The callee's provisional and final answers reach us on different threads: a provisional must not follow the
        // final answer to the caller (RFC 3261 17.2.1: no provisional after the final response). The final answer's
        // thread takes the pending entry away first and sends under the same lock.
        synchronized (p) {
            if (PENDING.get(key) != p) {
                return;
            }
            p.server().sendResponse(toCaller);
        }
    }

    private void onAnswer(String key, Response r) throws ParseException, SipException, InvalidArgumentException {
        String remoteTag = ((ToHeader) r.getHeader(ToHeader.NAME)).getTag();
        ContactHeader contact = (ContactHeader) r.getHeader(ContactHeader.NAME);
        CallPhase[] before = {null};
        CallState c = calls.update(key, s -> {
            if (s == null) {
                return null;
            }
            before[0] = s.phase;
            if (s.phase == CallPhase.INVITING) {
                s.phase = CallPhase.ANSWERED;
                s.answerTimeMillis = System.currentTimeMillis();
                s.bRemoteTag = remoteTag == null ? "" : remoteTag;
                s.bRemoteTarget = contact != null ? contact.getAddress().getURI().toString() : s.bRequestUri;
                s.bRouteSet = routeSet(r, true);
                s.charged = true;
            } else if (s.phase == CallPhase.CANCELLED) {
                s.bRemoteTag = remoteTag == null ? "" : remoteTag;
                s.bRemoteTarget = contact != null ? contact.getAddress().getURI().toString() : s.bRequestUri;
                s.bRouteSet = routeSet(r, true);
                return null; // the caller cancelled: end the callee's leg below
            }
            return s;
        });
        if (before[0] == null) {
            endStrayAnswer(r); // the call is gone (ended or never ours): do not leave the callee hanging
            return;
        }
        if (before[0] == CallPhase.CANCELLED) {
            PENDING.remove(key);
            endStrayAnswer(r);
            return;
        }
        if (before[0] == CallPhase.INVITING) {
            Pending p = PENDING.remove(key);
            counters.callsAnswered.incrementAndGet();
            OfflineChargingService cs = charging.get();
            if (cs != null) {
                // TS 32.299 IMS-Information: the icid and IOIs of the P-Charging-Vector (term-ioi from the callee's
                // answer) and the media lines of the answer's SDP, i.e. what was negotiated.
                ContentTypeHeader type = (ContentTypeHeader) r.getHeader(ContentTypeHeader.NAME);
                ImsChargingInfo ims = ImsChargingInfo.of(c.icid.isEmpty() ? null : c.icid, c.originatingIoi,
                        ChargingVector.parse(rawHeaderValue(r.getHeader(ChargingVector.HEADER))).terminatingIoi(),
                        ChargingVector.sdpLines(r.getRawContent(), type == null ? null
                                : type.getContentType() + "/" + type.getContentSubType()));
                cs.sessionStarted(new ChargeableSession(key, c.callingParty, c.calledParty,
                        Instant.ofEpochMilli(c.requestTimeMillis), Instant.ofEpochMilli(c.answerTimeMillis), ims));
            } else {
                LOG.severe("SIP-260 call " + key + " answered but the charging application is not available: ACR START not sent");
            }
            if (p != null) {
                Response ok = withTag(sip.messages().createResponse(r.getStatusCode(), p.server().getRequest()), c.aLocalTag);
                ok.addHeader(ourContact(c.aTransport));
                copyBody(r, ok);
                UNACKED_OK.put(key, ok);
                synchronized (p) { // after a provisional being relayed (see relayProvisional)
                    p.server().sendResponse(ok);
                }
            }
            return;
        }
        // A retransmitted 2xx from the callee: our ACK was lost, or the caller has not ACKed yet.
        if (c != null && c.phase == CallPhase.CONFIRMED) {
            sendAckToCallee(c);
        } else {
            Response ok = UNACKED_OK.get(key);
            if (ok != null) {
                sip.provider().sendResponse(ok);
            }
        }
    }

    private void onRejected(String key, Response r) throws ParseException, SipException, InvalidArgumentException {
        Pending p = PENDING.remove(key);
        CallPhase[] before = {null};
        CallState c = calls.get(key);
        calls.update(key, s -> {
            if (s != null) {
                before[0] = s.phase;
            }
            return s == null || s.phase == CallPhase.INVITING || s.phase == CallPhase.CANCELLED ? null : s;
        });
        if (before[0] == CallPhase.INVITING && p != null && c != null) {
            counters.callsFailed.incrementAndGet();
            Response toCaller = withTag(sip.messages().createResponse(r.getStatusCode(), p.server().getRequest()), c.aLocalTag);
            toCaller.setReasonPhrase(r.getReasonPhrase());
            synchronized (p) { // after a provisional being relayed (see relayProvisional)
                p.server().sendResponse(toCaller);
            }
        }
    }

    public void onTimeout(TimeoutEvent event) {
        if (event.isServerTransaction() || event.getClientTransaction() == null) {
            return;
        }
        Request req = event.getClientTransaction().getRequest();
        if (MESSAGE.equals(req.getMethod())) {
            PendingEvent p = PENDING_EVENTS.remove(callId(req).substring(B_LEG_PREFIX.length()));
            if (p != null) {
                try {
                    p.server().sendResponse(withTag(sip.messages().createResponse(Response.REQUEST_TIMEOUT, p.server().getRequest()), newTag()));
                } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
                    LOG.warning("SIP-272 could not send 408 to MESSAGE " + callId(req) + ": " + e);
                }
            }
            return;
        }
        if (!Request.INVITE.equals(req.getMethod())) {
            LOG.info("SIP-270 no answer to our " + req.getMethod() + " for call " + callId(req));
            return;
        }
        String key = callId(req).substring(B_LEG_PREFIX.length());
        Pending p = PENDING.remove(key);
        CallState c = calls.get(key);
        calls.update(key, s -> s != null && (s.phase == CallPhase.INVITING || s.phase == CallPhase.CANCELLED) ? null : s);
        if (p != null && c != null && c.phase == CallPhase.INVITING) {
            counters.callsFailed.incrementAndGet();
            try {
                p.server().sendResponse(withTag(sip.messages().createResponse(Response.REQUEST_TIMEOUT, p.server().getRequest()), c.aLocalTag));
            } catch (ParseException | SipException | InvalidArgumentException | RuntimeException e) {
                LOG.warning("SIP-271 could not send 408 for call " + key + ": " + e);
            }
        }
    }

    // ---------------------------------------------------------------- building messages

    private void sendAckToCallee(CallState c) throws ParseException, SipException, InvalidArgumentException {
        Request ack = newRequest(Request.ACK, uri(c.bRemoteTarget), c.bCallId, c.bInviteCseq, c.aRemoteUri,
                c.bLocalTag, c.aLocalUri, c.bRemoteTag, nextHopTransport, splitRoutes(c.bRouteSet));
        sip.provider().sendRequest(ack);
    }

    private void sendInDialog(String method, String target, String callId, long cseq, String fromUri, String fromTag,
                              String toUri, String toTag, String transport, String routeSet)
            throws ParseException, SipException, InvalidArgumentException {
        Request r = newRequest(method, uri(target), callId, cseq, fromUri, fromTag, toUri, toTag, transport,
                splitRoutes(routeSet));
        sip.provider().getNewClientTransaction(r).sendRequest();
    }

    /** Ends a callee's leg that answered a call we no longer have: ACK its 2xx, then BYE. */
    private void endStrayAnswer(Response r) throws ParseException, SipException, InvalidArgumentException {
        ContactHeader contact = (ContactHeader) r.getHeader(ContactHeader.NAME);
        if (contact == null) {
            return;
        }
        FromHeader from = (FromHeader) r.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        long cseq = ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
        String target = contact.getAddress().getURI().toString();
        List<String> routes = splitRoutes(routeSet(r, true));
        Request ack = newRequest(Request.ACK, uri(target), callId(r), cseq, from.getAddress().getURI().toString(),
                from.getTag(), to.getAddress().getURI().toString(), to.getTag(), nextHopTransport, routes);
        sip.provider().sendRequest(ack);
        Request bye = newRequest(Request.BYE, uri(target), callId(r), cseq + 1, from.getAddress().getURI().toString(),
                from.getTag(), to.getAddress().getURI().toString(), to.getTag(), nextHopTransport, routes);
        sip.provider().getNewClientTransaction(bye).sendRequest();
    }

    private Request newRequest(String method, URI requestUri, String callId, long cseq, String fromUri, String fromTag,
                               String toUri, String toTag, String transport, List<String> routes)
            throws ParseException, InvalidArgumentException {
        ListeningPoint lp = listeningPoint(transport);
        ViaHeader via = sip.headers().createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(), "z9hG4bK" + newTag());
        CallIdHeader cid = sip.headers().createCallIdHeader(callId);
        CSeqHeader cs = sip.headers().createCSeqHeader(cseq, method);
        FromHeader from = sip.headers().createFromHeader(sip.addresses().createAddress(uri(fromUri)), fromTag);
        ToHeader to = sip.headers().createToHeader(sip.addresses().createAddress(uri(toUri)), toTag);
        List<ViaHeader> vias = new ArrayList<>(List.of(via));
        Request r = sip.messages().createRequest(requestUri, method, cid, cs, from, to, vias, sip.headers().createMaxForwardsHeader(70));
        for (String route : routes) {
            r.addHeader(sip.headers().createRouteHeader(sip.addresses().createAddress(route)));
        }
        return r;
    }

    private ListeningPoint listeningPoint(String transport) {
        ListeningPoint lp = sip.listeningPoint(transport);
        if (lp == null) {
            lp = sip.provider().getListeningPoints()[0];
        }
        return lp;
    }

    private ContactHeader ourContact(String transport) throws ParseException {
        ListeningPoint lp = listeningPoint(transport);
        SipURI u = sip.addresses().createSipURI("b2bua", lp.getIPAddress());
        u.setPort(lp.getPort());
        if (!"udp".equalsIgnoreCase(lp.getTransport())) {
            u.setTransportParam(lp.getTransport().toLowerCase(Locale.ROOT));
        }
        return sip.headers().createContactHeader(sip.addresses().createAddress(u));
    }

    /** The callee's Request-URI: the called user at the configured next hop. */
    private String calleeUri(URI requestUri) {
        String user = requestUri instanceof SipURI s && s.getUser() != null ? s.getUser() + "@" : "";
        String t = "udp".equals(nextHopTransport) ? "" : ";transport=" + nextHopTransport;
        return "sip:" + user + nextHop + t;
    }

    private URI uri(String s) throws ParseException {
        return sip.addresses().createURI(s);
    }

    private void copyBody(Message from, Message to) throws ParseException {
        byte[] body = from.getRawContent();
        ContentTypeHeader ct = (ContentTypeHeader) from.getHeader(ContentTypeHeader.NAME);
        if (body != null && body.length > 0 && ct != null) {
            to.setContent(body, (ContentTypeHeader) ct.clone());
        }
    }

    private Response withTag(Response r, String tag) throws ParseException {
        ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(tag);
        return r;
    }

    /** Answers a request, statelessly when no transaction exists (RFC 3261 8.2.7 allows both). */
    private void answer(Request req, ServerTransaction st, int status, String reason) {
        try {
            Response r = sip.messages().createResponse(status, req);
            if (reason != null) {
                r.setReasonPhrase(reason);
            }
            if (status >= 200 && toTag(req) == null && !Request.CANCEL.equals(req.getMethod())) {
                ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(newTag());
            }
            respond(req, st, r);
        } catch (ParseException | RuntimeException e) {
            LOG.warning("SIP-280 could not answer " + status + " to " + req.getMethod() + ": " + e);
        }
    }

    private void respond(Request req, ServerTransaction st, Response r) {
        try {
            if (st == null) {
                try {
                    st = sip.provider().getNewServerTransaction(req);
                } catch (TransactionAlreadyExistsException e) {
                    return; // a retransmission: the existing transaction answers it
                }
            }
            st.sendResponse(r);
        } catch (SipException | InvalidArgumentException | RuntimeException e) {
            try {
                sip.provider().sendResponse(r);
            } catch (SipException | RuntimeException e2) {
                LOG.warning("SIP-281 could not send " + r.getStatusCode() + " to " + req.getMethod() + ": " + e2);
            }
        }
    }

    /** Record-Route values as a route set (RFC 3261 12.1.1 for the UAS, reversed for the UAC in 12.1.2). */
    private static String routeSet(Message m, boolean reverse) {
        List<String> routes = new ArrayList<>();
        ListIterator<?> it = m.getHeaders(RecordRouteHeader.NAME);
        while (it != null && it.hasNext()) {
            routes.add(((RecordRouteHeader) it.next()).getAddress().toString());
        }
        if (reverse) {
            Collections.reverse(routes);
        }
        return String.join("\n", routes);
    }

    private static List<String> splitRoutes(String routeSet) {
        return routeSet == null || routeSet.isEmpty() ? List.of() : List.of(routeSet.split("\n"));
    }

    /**
     * This node is on the smaller side of a split grid: 503 with Retry-After (RFC 3261 21.5.4), so that Kamailio marks
     * it inactive (its OPTIONS probe) and retries the request on another instance (its failure routes take 503).
     */
    private void refuseWithoutQuorum(Request req, ServerTransaction st) throws ParseException, InvalidArgumentException {
        counters.refusedNoQuorum.incrementAndGet();
        if (!quorumLostLogged) {
            quorumLostLogged = true;
            LOG.warning("SIP-285 this node sees no majority of the SIP tier (split grid): every request but ACK is answered 503 "
                    + "until it does; the balancer sends calls to the other side");
        }
        Response r = sip.messages().createResponse(Response.SERVICE_UNAVAILABLE, req);
        r.setReasonPhrase("No grid majority");
        r.addHeader(sip.headers().createRetryAfterHeader(5));
        if (toTag(req) == null && !Request.CANCEL.equals(req.getMethod())) {
            ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(newTag());
        }
        respond(req, st, r);
    }

    /**
     * The request's P-Charging-Vector. One that cannot be used (no icid-value, too long, not printable ASCII) is logged
     * and treated as absent: the caller then generates an icid; the call goes on either way.
     */
    private static ChargingVector chargingVector(Request req, String key) {
        Header h = req.getHeader(ChargingVector.HEADER);
        if (h == null) {
            return ChargingVector.ABSENT;
        }
        ChargingVector v = ChargingVector.parse(rawHeaderValue(h));
        if (v.icid() == null) {
            LOG.warning("SIP-275 " + req.getMethod() + " " + key + " carries a " + ChargingVector.HEADER
                    + " without a usable icid-value (RFC 7315 4.6); a new icid is generated for its charging");
        }
        return v;
    }

    /** A header's value as received: the text after the colon, or null for no header. */
    private static String rawHeaderValue(Header h) {
        if (h == null) {
            return null;
        }
        String s = h.toString();
        int colon = s.indexOf(':');
        return (colon < 0 ? s : s.substring(colon + 1)).trim();
    }

    private static String headerValue(Header h) {
        String s = h.toString();
        int colon = s.indexOf(':');
        String v = (colon < 0 ? s : s.substring(colon + 1)).trim();
        int lt = v.indexOf('<');
        int gt = v.indexOf('>');
        return lt >= 0 && gt > lt ? v.substring(lt + 1, gt) : v;
    }

    static String callId(Message m) {
        CallIdHeader h = (CallIdHeader) m.getHeader(CallIdHeader.NAME);
        return h == null ? "" : h.getCallId();
    }

    private static String toTag(Request r) {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        return to == null ? null : to.getTag();
    }

    private static String fromTag(Request r) {
        FromHeader from = (FromHeader) r.getHeader(FromHeader.NAME);
        return from == null ? null : from.getTag();
    }

    private static String newTag() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    SipContext context() {
        return sip;
    }

    /** Calls not yet answered that this node holds INVITE transactions for. */
    public static int pendingInvites() {
        return PENDING.size();
    }
}

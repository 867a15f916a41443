package org.sipcharge.diameter.interop;

import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.peer.PeerInfo;
import org.sipcharge.diameter.peer.RequestHandler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A test CDF behind our DiameterServer: answers every ACR with ACA 2001 (the layout of RfMessageMapper.answer) and
 * records it once; a repeated (Session-Id, Accounting-Record-Number) is a duplicate, answered 2001 again but not
 * recorded twice (TS 32.299 / RFC 6733 9.4: the CDF de-duplicates on the record number).
 */
final class RecordingCdf implements RequestHandler {

    /** What the CDF saw of one ACR. */
    record Seen(String sessionId, long type, long number, boolean retransmit, boolean duplicate, String originHost,
                DiameterMessage acr) {
        @Override
        public String toString() {
            return sessionId + " " + RfAcrs.typeName(type) + " " + number + (retransmit ? " T" : "") + (duplicate ? " DUP" : "");
        }
    }

    private final String originHost;
    private final String originRealm;
    private final long interimSeconds;
    private final List<Seen> all = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> recordedKeys = Collections.synchronizedSet(new HashSet<>());

    RecordingCdf(String originHost, String originRealm, long interimSeconds) {
        this.originHost = originHost;
        this.originRealm = originRealm;
        this.interimSeconds = interimSeconds;
    }

    @Override
    public CompletionStage<DiameterMessage> handle(DiameterMessage request, PeerInfo peer) {
        if (request.commandCode() != DiameterConstants.CMD_ACCOUNTING) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not an ACR: " + request));
        }
        String sid = RfAcrs.sessionId(request);
        long number = RfAcrs.recordNumber(request);
        boolean fresh = recordedKeys.add(sid + "|" + number);
        all.add(new Seen(sid, RfAcrs.recordType(request), number, request.isRetransmit(), !fresh, peer.originHost(), request));
        return CompletableFuture.completedFuture(RfAcrs.aca(request, originHost, originRealm, interimSeconds));
    }

    /** Every ACR received, duplicates included, in arrival order. */
    List<Seen> received() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The records counted: duplicates left out. */
    List<Seen> recorded() {
        return received().stream().filter(s -> !s.duplicate()).toList();
    }

    List<Seen> duplicates() {
        return received().stream().filter(Seen::duplicate).toList();
    }
}

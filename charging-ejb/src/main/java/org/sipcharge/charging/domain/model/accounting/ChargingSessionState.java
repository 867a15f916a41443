package org.sipcharge.charging.domain.model.accounting;

import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.application.ImsChargingInfo;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * The Rf client's state of one accounting session, kept in the replicated store so that any SIP node can
 * continue it, and so that the node that owns the session's key after a failure can send its next record.
 * Immutable: every change is a new value written back under the same key with a compare-and-set, so two nodes
 * can never both assign the same Accounting-Record-Number.
 *
 * <p>At most one record of a session is in flight at a time (TS 32.299 6.1.2: ACR n+1 is not sent before ACA n).
 * The in-flight record is the one numbered {@code lastRecordNumber}; {@code inFlightOwner} names the cluster member
 * sending it, so that a member that died while sending can be recognised and its record sent again (same number,
 * T flag set, RFC 6733 9.4) by another.
 *
 * @param diameterSessionId      Session-Id of the accounting session (RFC 6733 8.8)
 * @param session                what the SIP tier reported at answer time
 * @param lastRecordNumber       Accounting-Record-Number of the last ACR assigned (START = 0, RFC 6733 9.8.3)
 * @param interimIntervalSeconds Acct-Interim-Interval in force: from the last ACA that carried one, else the
 *                               configured value; 0 = no interims (RFC 6733 9.8.2); -1 = not known yet
 * @param inFlight               type of the record now being sent, or null when none is
 * @param inFlightOwner          cluster member id of the sender of the in-flight record ("" when none)
 * @param inFlightSinceMillis    when the in-flight record was handed to the sender (epoch ms, 0 when none)
 * @param nextInterimMillis      when the next INTERIM is due (epoch ms), 0 = none armed
 * @param stopTime               when the SIP session ended (STOP requested), or null while it lasts
 * @param stopCause              TS 32.299 Cause-Code of the end
 */
public record ChargingSessionState(String diameterSessionId, ChargeableSession session, long lastRecordNumber,
                                   long interimIntervalSeconds, AccountingRecordType inFlight, String inFlightOwner,
                                   long inFlightSinceMillis, long nextInterimMillis, Instant stopTime, int stopCause)
        implements Serializable {

    public ChargingSessionState {
        if (diameterSessionId == null || diameterSessionId.isBlank()) {
            throw new IllegalArgumentException("diameterSessionId must not be blank");
        }
        Objects.requireNonNull(session, "session");
        if (lastRecordNumber < 0 || lastRecordNumber > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Accounting-Record-Number out of Unsigned32 range: " + lastRecordNumber);
        }
        if (inFlight == AccountingRecordType.EVENT) {
            throw new IllegalArgumentException("an EVENT record is not part of a session");
        }
        inFlightOwner = inFlightOwner == null ? "" : inFlightOwner;
    }

    /** A new session whose START (record 0) is about to be sent by {@code owner}. */
    public static ChargingSessionState opening(String diameterSessionId, ChargeableSession session, String owner, long nowMillis) {
        return new ChargingSessionState(diameterSessionId, session, 0, -1, AccountingRecordType.START, owner, nowMillis, 0, null, 0);
    }

    public boolean inFlight(AccountingRecordType type, long recordNumber) {
        return inFlight == type && lastRecordNumber == recordNumber;
    }

    public boolean stopRequested() {
        return stopTime != null;
    }

    /** The next record (INTERIM or STOP) gets the next number and is in flight from now on. */
    public ChargingSessionState sending(AccountingRecordType type, String owner, long nowMillis) {
        if (inFlight != null) {
            throw new IllegalStateException(inFlight + " record " + lastRecordNumber + " is still in flight");
        }
        if (type != AccountingRecordType.INTERIM && type != AccountingRecordType.STOP) {
            throw new IllegalArgumentException("only INTERIM and STOP follow a START: " + type);
        }
        return new ChargingSessionState(diameterSessionId, session, lastRecordNumber + 1, interimIntervalSeconds, type, owner,
                nowMillis, nextInterimMillis, stopTime, stopCause);
    }

    /** The in-flight record is taken over by {@code owner}, who sends it again under the same number. */
    public ChargingSessionState takenOverBy(String owner, long nowMillis) {
        if (inFlight == null) {
            throw new IllegalStateException("no record in flight");
        }
        return new ChargingSessionState(diameterSessionId, session, lastRecordNumber, interimIntervalSeconds, inFlight, owner,
                nowMillis, nextInterimMillis, stopTime, stopCause);
    }

    /** The in-flight record is settled (answered or buffered); the interval in force and the next due time follow. */
    public ChargingSessionState settled(long intervalSeconds, long nextDueMillis) {
        return new ChargingSessionState(diameterSessionId, session, lastRecordNumber, intervalSeconds, null, "", 0,
                nextDueMillis, stopTime, stopCause);
    }

    public ChargingSessionState stopping(Instant endTime, int causeCode) {
        return new ChargingSessionState(diameterSessionId, session, lastRecordNumber, interimIntervalSeconds, inFlight,
                inFlightOwner, inFlightSinceMillis, nextInterimMillis, Objects.requireNonNull(endTime, "endTime"), causeCode);
    }

    /** The in-flight record as an accounting request (not yet marked as a retransmission). */
    public AccountingRequest inFlightRequest(String originHost, Instant eventTime) {
        if (inFlight == null) {
            throw new IllegalStateException("no record in flight");
        }
        // The ICID and IOIs go in every record of the session; the SDP media only in START (TS 32.299 6.3.x: media
        // components describe the session's set-up, an INTERIM repeats them only on a media change, which this B2BUA
        // does not follow).
        ImsChargingInfo ims = session.ims();
        ImsChargingInfo identifiers = new ImsChargingInfo(ims.icid(), ims.originatingIoi(), ims.terminatingIoi(), java.util.List.of());
        return switch (inFlight) {
            case START -> new AccountingRequest(diameterSessionId, originHost, AccountingRecordType.START, lastRecordNumber, false,
                    session.sessionKey(), session.callingParty(), session.calledParty(), session.requestTime(),
                    session.answerTime(), session.answerTime(), 0).withIms(ims);
            case INTERIM -> new AccountingRequest(diameterSessionId, originHost, AccountingRecordType.INTERIM, lastRecordNumber,
                    false, session.sessionKey(), session.callingParty(), session.calledParty(), session.requestTime(),
                    session.answerTime(), eventTime, 0).withIms(identifiers);
            case STOP -> new AccountingRequest(diameterSessionId, originHost, AccountingRecordType.STOP, lastRecordNumber, false,
                    session.sessionKey(), session.callingParty(), session.calledParty(), session.requestTime(), stopTime,
                    stopTime, stopCause).withIms(identifiers);
            case EVENT -> throw new IllegalStateException("EVENT");
        };
    }
}

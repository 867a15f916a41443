package org.sipcharge.diameter.interop;

import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ACRs with the AVP layout of the product's RfMessageMapper.toAcr (charging-ejb, an EJB module this plain module
 * cannot depend on): base accounting AVPs, Service-Context-Id 32260@3gpp.org, Event-Timestamp, and
 * Service-Information / IMS-Information with Event-Type/SIP-Method, Role-Of-Node, Node-Functionality,
 * User-Session-Id, Calling/Called-Party-Address, Time-Stamps with the millisecond fractions, and Cause-Code on STOP.
 * Keep in step with RfMessageMapper when its layout changes.
 */
final class RfAcrs {

    /** RFC 6733 9.8.1 Accounting-Record-Type. */
    static final int EVENT = 1;
    static final int START = 2;
    static final int INTERIM = 3;
    static final int STOP = 4;

    static final int ROLE_OF_NODE_ORIGINATING = 0;
    static final int NODE_FUNCTIONALITY_AS = 6;
    private static final long V3GPP = DiameterConstants.VENDOR_3GPP;

    private RfAcrs() {
    }

    static String typeName(long type) {
        return switch ((int) type) {
            case EVENT -> "EVENT";
            case START -> "START";
            case INTERIM -> "INTERIM";
            case STOP -> "STOP";
            default -> "TYPE" + type;
        };
    }

    /** One charging record of a call: what the product's AccountingRequest carries. */
    record Call(String sessionId, int type, long recordNumber, boolean retransmission, String userSessionId,
                String callingParty, String calledParty, Instant sipRequestTime, Instant sipResponseTime,
                Instant eventTime, int causeCode) {

        static Call of(String sessionId, int type, long recordNumber) {
            Instant now = Instant.now();
            return new Call(sessionId, type, recordNumber, false, "a84b4c76e66710@pc33.example.com",
                    "sip:alice@example.com", "tel:+15551234567", now.minusMillis(1234), now.minusMillis(987),
                    now, 0); // TS 32.299 Cause-Code 0: normal end of session (sent on STOP)
        }

        Call retransmitted() {
            return new Call(sessionId, type, recordNumber, true, userSessionId, callingParty, calledParty,
                    sipRequestTime, sipResponseTime, eventTime, causeCode);
        }
    }

    /** The ACR, as RfMessageMapper.toAcr builds it; the client adds Origin-Host and Origin-Realm. */
    static DiameterMessage.Builder acr(Call r, String destinationRealm) {
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, r.sessionId()))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, destinationRealm))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, r.type()))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, r.recordNumber()))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, DiameterConstants.APP_BASE_ACCOUNTING))
                .add(Avp.utf8(DiameterConstants.AVP_SERVICE_CONTEXT_ID, 0, true, DiameterConstants.SERVICE_CONTEXT_ID_IMS))
                .add(Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, r.eventTime()));
        if (r.retransmission()) {
            b.flagRetransmit();
        }
        List<Avp> ims = new ArrayList<>();
        ims.add(Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, V3GPP, true,
                List.of(Avp.utf8(DiameterConstants.AVP_SIP_METHOD, V3GPP, true, "INVITE"))));
        ims.add(Avp.unsigned32(DiameterConstants.AVP_ROLE_OF_NODE, V3GPP, true, ROLE_OF_NODE_ORIGINATING));
        ims.add(Avp.unsigned32(DiameterConstants.AVP_NODE_FUNCTIONALITY, V3GPP, true, NODE_FUNCTIONALITY_AS));
        if (r.userSessionId() != null) {
            ims.add(Avp.utf8(DiameterConstants.AVP_USER_SESSION_ID, V3GPP, true, r.userSessionId()));
        }
        if (r.callingParty() != null) {
            ims.add(Avp.utf8(DiameterConstants.AVP_CALLING_PARTY_ADDRESS, V3GPP, true, r.callingParty()));
        }
        if (r.calledParty() != null) {
            ims.add(Avp.utf8(DiameterConstants.AVP_CALLED_PARTY_ADDRESS, V3GPP, true, r.calledParty()));
        }
        List<Avp> stamps = new ArrayList<>();
        if (r.sipRequestTime() != null) {
            stamps.add(Avp.time(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, V3GPP, true, r.sipRequestTime()));
            stamps.add(Avp.unsigned32(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP_FRACTION, V3GPP, true,
                    r.sipRequestTime().getNano() / 1_000_000));
        }
        if (r.sipResponseTime() != null) {
            stamps.add(Avp.time(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP, V3GPP, true, r.sipResponseTime()));
            stamps.add(Avp.unsigned32(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP_FRACTION, V3GPP, true,
                    r.sipResponseTime().getNano() / 1_000_000));
        }
        if (!stamps.isEmpty()) {
            ims.add(Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, V3GPP, true, stamps));
        }
        if (r.type() == STOP || r.causeCode() != 0) {
            ims.add(Avp.integer32(DiameterConstants.AVP_CAUSE_CODE, V3GPP, true, r.causeCode()));
        }
        b.add(Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, V3GPP, true,
                List.of(Avp.grouped(DiameterConstants.AVP_IMS_INFORMATION, V3GPP, true, ims))));
        return b;
    }

    /** The ACA RfMessageMapper.answer builds: Session-Id, 2001, origin, record type and number, interim interval. */
    static DiameterMessage aca(DiameterMessage acr, String originHost, String originRealm, long interimSeconds) {
        DiameterMessage.Builder b = DiameterMessage.answerTo(acr)
                .add(acr.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow())
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, DiameterConstants.RESULT_SUCCESS))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, originHost))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, originRealm))
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow())
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow())
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, DiameterConstants.APP_BASE_ACCOUNTING));
        if (interimSeconds > 0) {
            b.add(Avp.unsigned32(DiameterConstants.AVP_ACCT_INTERIM_INTERVAL, 0, true, interimSeconds));
        }
        return b.build();
    }

    static String sessionId(DiameterMessage m) {
        return m.avp(DiameterConstants.AVP_SESSION_ID).map(Avp::asUtf8).orElse(null);
    }

    static long recordType(DiameterMessage m) {
        return m.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).map(Avp::asUnsigned32).orElse(-1L);
    }

    static long recordNumber(DiameterMessage m) {
        return m.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).map(Avp::asUnsigned32).orElse(-1L);
    }

    /** A 3GPP child of IMS-Information, when the ACR has Service-Information/IMS-Information. */
    static Optional<Avp> imsChild(DiameterMessage acr, int code) {
        return acr.avp(DiameterConstants.AVP_SERVICE_INFORMATION, V3GPP)
                .flatMap(si -> child(si, DiameterConstants.AVP_IMS_INFORMATION))
                .flatMap(ims -> child(ims, code));
    }

    static Optional<Avp> child(Avp grouped, int code) {
        return grouped.groupedAvps().stream().filter(a -> a.code() == code && a.vendorId() == V3GPP).findFirst();
    }
}

package org.sipcharge.charging.infrastructure.diameter;

import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.DiameterProtocolException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Translates between the domain's {@link AccountingRequest} and Diameter Rf ACR/ACA messages
 * (RFC 6733 section 9.7, TS 32.299 section 6.2 with the IMS-Information of section 7.2).
 * Keeps Diameter types out of the domain and the application layer.
 */
public final class RfMessageMapper {

    /** TS 32.299 7.2.x Role-Of-Node ORIGINATING_ROLE (0); Node-Functionality AS (6). */
    static final int ROLE_OF_NODE_ORIGINATING = 0;
    static final int NODE_FUNCTIONALITY_AS = 6;
    private static final long V3GPP = DiameterConstants.VENDOR_3GPP;

    private RfMessageMapper() {
    }

    /** Builds the ACR for a request; Origin-Host/Realm and Destination-Realm are added by the client. */
    public static DiameterMessage.Builder toAcr(AccountingRequest r, String destinationRealm) {
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, r.sessionId()))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, destinationRealm))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, r.type().code()))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, r.recordNumber()))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, DiameterConstants.APP_BASE_ACCOUNTING))
                .add(Avp.utf8(DiameterConstants.AVP_SERVICE_CONTEXT_ID, 0, true, DiameterConstants.SERVICE_CONTEXT_ID_IMS))
                .add(Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, r.eventTime()));

        if (r.retransmission()) {
            b.flagRetransmit();
        }
        List<Avp> ims = new ArrayList<>();
        ims.add(Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, V3GPP, true,
                List.of(Avp.utf8(DiameterConstants.AVP_SIP_METHOD, V3GPP, true, r.sipMethod()))));
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
            // Time AVPs carry whole seconds; TS 32.299 adds the milliseconds in a fraction AVP.
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
        addImsCharging(ims, r.ims());
        if (r.type() == AccountingRecordType.STOP || r.causeCode() != 0) {
            ims.add(Avp.integer32(DiameterConstants.AVP_CAUSE_CODE, V3GPP, true, r.causeCode()));
        }
        b.add(Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, V3GPP, true,
                List.of(Avp.grouped(DiameterConstants.AVP_IMS_INFORMATION, V3GPP, true, ims))));
        return b;
    }

    /**
     * TS 32.299 7.2: Inter-Operator-Identifier (Originating-IOI, Terminating-IOI), IMS-Charging-Identifier, and one
     * SDP-Media-Component per media line (SDP-Media-Name: the m= line's value; SDP-Media-Description: the lines after it).
     */
    private static void addImsCharging(List<Avp> ims, ImsChargingInfo info) {
        if (info.originatingIoi() != null || info.terminatingIoi() != null) {
            List<Avp> ioi = new ArrayList<>();
            if (info.originatingIoi() != null) {
                ioi.add(Avp.utf8(DiameterConstants.AVP_ORIGINATING_IOI, V3GPP, true, info.originatingIoi()));
            }
            if (info.terminatingIoi() != null) {
                ioi.add(Avp.utf8(DiameterConstants.AVP_TERMINATING_IOI, V3GPP, true, info.terminatingIoi()));
            }
            ims.add(Avp.grouped(DiameterConstants.AVP_INTER_OPERATOR_IDENTIFIER, V3GPP, true, ioi));
        }
        if (info.icid() != null) {
            ims.add(Avp.utf8(DiameterConstants.AVP_IMS_CHARGING_IDENTIFIER, V3GPP, true, info.icid()));
        }
        for (List<String> component : info.mediaComponents()) {
            List<Avp> media = new ArrayList<>();
            media.add(Avp.utf8(DiameterConstants.AVP_SDP_MEDIA_NAME, V3GPP, true, component.get(0).substring(2)));
            for (String description : component.subList(1, component.size())) {
                media.add(Avp.utf8(DiameterConstants.AVP_SDP_MEDIA_DESCRIPTION, V3GPP, true, description));
            }
            ims.add(Avp.grouped(DiameterConstants.AVP_SDP_MEDIA_COMPONENT, V3GPP, true, media));
        }
    }

    /**
     * The IMS charging details of an ACR's IMS-Information. Lenient: a value the CDR cannot hold (not printable ASCII,
     * too long) is left out rather than refusing a record that Diameter finds valid; losing the record would be worse.
     */
    private static ImsChargingInfo imsCharging(Optional<Avp> ims) {
        if (ims.isEmpty()) {
            return ImsChargingInfo.NONE;
        }
        String icid = null;
        String orig = null;
        String term = null;
        List<String> sdp = new ArrayList<>();
        for (Avp a : ims.get().groupedAvps()) {
            if (a.vendorId() != V3GPP) {
                continue;
            }
            switch (a.code()) {
                case DiameterConstants.AVP_IMS_CHARGING_IDENTIFIER -> icid = icid == null ? a.asUtf8() : icid;
                case DiameterConstants.AVP_INTER_OPERATOR_IDENTIFIER -> {
                    if (orig == null && term == null) {
                        orig = child(a, DiameterConstants.AVP_ORIGINATING_IOI).map(Avp::asUtf8).orElse(null);
                        term = child(a, DiameterConstants.AVP_TERMINATING_IOI).map(Avp::asUtf8).orElse(null);
                    }
                }
                case DiameterConstants.AVP_SDP_MEDIA_COMPONENT -> {
                    Optional<String> name = child(a, DiameterConstants.AVP_SDP_MEDIA_NAME).map(Avp::asUtf8);
                    if (name.isPresent()) {
                        sdp.add("m=" + name.get());
                        a.groupedAvps().stream().filter(d -> d.code() == DiameterConstants.AVP_SDP_MEDIA_DESCRIPTION)
                                .map(Avp::asUtf8).forEach(sdp::add);
                    }
                }
                default -> {
                }
            }
        }
        return ImsChargingInfo.of(icid, orig, term, sdp);
    }

    /**
     * Reads an ACR that has passed the mandatory-AVP check.
     *
     * @throws DiameterProtocolException 5004 with the offending AVP when a value is out of range
     */
    public static AccountingRequest fromAcr(DiameterMessage acr) throws DiameterProtocolException {
        Avp typeAvp = acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow();
        AccountingRecordType type;
        try {
            type = AccountingRecordType.of(typeAvp.asUnsigned32());
        } catch (IllegalArgumentException e) {
            throw DiameterProtocolException.invalidAvpValue(typeAvp, e.getMessage());
        }
        long recordNumber = acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32();
        String sessionId = acr.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow().asUtf8();
        String originHost = acr.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8();
        Instant eventTime = acr.avp(DiameterConstants.AVP_EVENT_TIMESTAMP).map(Avp::asTime).orElse(Instant.now());

        Optional<Avp> ims = acr.avp(DiameterConstants.AVP_SERVICE_INFORMATION, V3GPP)
                .flatMap(si -> child(si, DiameterConstants.AVP_IMS_INFORMATION));
        String userSessionId = ims.flatMap(i -> child(i, DiameterConstants.AVP_USER_SESSION_ID)).map(Avp::asUtf8).orElse(null);
        String calling = ims.flatMap(i -> child(i, DiameterConstants.AVP_CALLING_PARTY_ADDRESS)).map(Avp::asUtf8).orElse(null);
        String called = ims.flatMap(i -> child(i, DiameterConstants.AVP_CALLED_PARTY_ADDRESS)).map(Avp::asUtf8).orElse(null);
        Optional<Avp> stamps = ims.flatMap(i -> child(i, DiameterConstants.AVP_TIME_STAMPS));
        Instant requestTime = timestamp(stamps, DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP,
                DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP_FRACTION);
        Instant responseTime = timestamp(stamps, DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP,
                DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP_FRACTION);
        int cause = ims.flatMap(i -> child(i, DiameterConstants.AVP_CAUSE_CODE)).map(Avp::asInteger32).orElse(0);
        String sipMethod = ims.flatMap(i -> child(i, DiameterConstants.AVP_EVENT_TYPE))
                .flatMap(et -> child(et, DiameterConstants.AVP_SIP_METHOD)).map(Avp::asUtf8).orElse(null);
        // Subscription-Id (RFC 4006 8.46): in Service-Information for Rf (TS 32.299 7.2.158), also accepted at the top.
        java.util.List<Avp> subscriptions = new java.util.ArrayList<>(acr.all(DiameterConstants.AVP_SUBSCRIPTION_ID));
        acr.avp(DiameterConstants.AVP_SERVICE_INFORMATION, V3GPP).ifPresent(si -> si.groupedAvps().stream()
                .filter(a -> a.code() == DiameterConstants.AVP_SUBSCRIPTION_ID).forEach(subscriptions::add));
        String imsi = subscription(subscriptions, DiameterConstants.SUBSCRIPTION_ID_IMSI);
        String e164 = subscription(subscriptions, DiameterConstants.SUBSCRIPTION_ID_E164);
        String serviceContext = acr.avp(DiameterConstants.AVP_SERVICE_CONTEXT_ID).map(Avp::asUtf8)
                .filter(v -> !v.isBlank() && v.length() <= 128).orElse(null);
        try {
            return new AccountingRequest(sessionId, originHost, type, recordNumber, acr.isRetransmit(), userSessionId,
                    calling, called, requestTime, responseTime, eventTime, cause, sipMethod, imsi, e164, imsCharging(ims),
                    serviceContext);
        } catch (IllegalArgumentException e) {
            throw DiameterProtocolException.invalidAvpValue(typeAvp, e.getMessage());
        }
    }

    /** The ACA for a recorded request (RFC 6733 9.7.2): echoes the record type and number. */
    public static DiameterMessage answer(DiameterMessage acr, String originHost, String originRealm, long interimSeconds) {
        DiameterMessage.Builder b = DiameterMessage.answerTo(acr)
                .add(acr.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow())
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, AccountingAnswer.SUCCESS))
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

    public static AccountingAnswer fromAca(DiameterMessage aca) {
        long result = aca.avp(DiameterConstants.AVP_RESULT_CODE).map(Avp::asUnsigned32)
                .orElseGet(() -> aca.avp(DiameterConstants.AVP_EXPERIMENTAL_RESULT)
                        .flatMap(er -> child(er, DiameterConstants.AVP_EXPERIMENTAL_RESULT_CODE))
                        .map(Avp::asUnsigned32).orElse(0L));
        long interim = aca.avp(DiameterConstants.AVP_ACCT_INTERIM_INTERVAL).map(Avp::asUnsigned32).orElse(-1L);
        return new AccountingAnswer(result, interim);
    }

    /** A Time AVP of Time-Stamps plus its millisecond fraction AVP when present (values above 999 are refused). */
    private static Instant timestamp(Optional<Avp> stamps, int timeCode, int fractionCode) {
        Optional<Instant> seconds = stamps.flatMap(t -> child(t, timeCode)).map(Avp::asTime);
        if (seconds.isEmpty()) {
            return null;
        }
        Optional<Avp> fraction = stamps.flatMap(t -> child(t, fractionCode));
        if (fraction.isEmpty()) {
            return seconds.get();
        }
        long millis = fraction.get().asUnsigned32();
        if (millis > 999) {
            throw DiameterProtocolException.invalidAvpValue(fraction.get(), "timestamp fraction " + millis + " ms is over 999");
        }
        return seconds.get().plusMillis(millis);
    }

    /** The data of the first Subscription-Id of that type, or null (a malformed one is skipped, not fatal). */
    private static String subscription(java.util.List<Avp> subscriptions, int type) {
        for (Avp s : subscriptions) {
            try {
                Optional<Avp> t = child(s, DiameterConstants.AVP_SUBSCRIPTION_ID_TYPE);
                Optional<Avp> d = child(s, DiameterConstants.AVP_SUBSCRIPTION_ID_DATA);
                if (t.isPresent() && d.isPresent() && t.get().asEnumerated() == type) {
                    String data = d.get().asUtf8().trim();
                    if (!data.isEmpty() && data.length() <= 64) {
                        return data;
                    }
                }
            } catch (RuntimeException e) {
                // a Subscription-Id that does not decode: ignored, it only feeds filtering and the CDR
            }
        }
        return null;
    }

    private static Optional<Avp> child(Avp grouped, int code) {
        return grouped.groupedAvps().stream().filter(a -> a.code() == code).findFirst();
    }
}

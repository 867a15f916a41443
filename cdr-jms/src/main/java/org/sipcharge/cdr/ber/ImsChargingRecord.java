package org.sipcharge.cdr.ber;

import org.sipcharge.cdr.ChargingDataRecord;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A TS 32.298 IMS CDR as written by an application server: the fields of {@code ASRecord} (TS 32.298
 * 5.2.3.1, semantics in 5.1.3) that sipcharge fills. The record type is always {@code aSRecord} (69).
 * Every field but the lists is optional (null); lists are never null and may be empty. Build one with
 * {@link #builder()} or {@link #fromChargingDataRecord}; encode it with {@link CdrBerCodec}.
 *
 * <p>Time stamps have an offset to UTC in whole minutes, as the 9-octet TimeStamp holds them ({@link BcdTimeStamp}).
 * The record opening and closure times are whole seconds; the three service time stamps may carry milliseconds,
 * which travel in the TimeStampFraction fields [37]-[39].
 *
 * @param retransmission            retransmission [1]: the record is a copy sent again after a failure
 * @param sipMethod                 sIP-Method [2], e.g. {@code INVITE}
 * @param roleOfNode                role-of-Node [3]
 * @param nodeAddress               nodeAddress [4] (domainName): the node that generated the record
 * @param sessionId                 session-Id [5]: the SIP Call-ID of the charged dialog
 * @param callingParties            list-Of-Calling-Party-Address [6]
 * @param calledParty               called-Party-Address [7]
 * @param serviceRequestTime        serviceRequestTimeStamp [9]: the initial request (INVITE) arrived
 * @param serviceDeliveryStartTime  serviceDeliveryStartTimeStamp [10]: the session was answered
 * @param serviceDeliveryEndTime    serviceDeliveryEndTimeStamp [11]: the session was released
 * @param recordOpeningTime         recordOpeningTime [12]
 * @param recordClosureTime         recordClosureTime [13]
 * @param interOperatorIdentifiers  interOperatorIdentifiers [14]
 * @param localRecordSequenceNumber localRecordSequenceNumber [15]: per generating node, 0..2^32-1
 * @param recordSequenceNumber      recordSequenceNumber [16]: number of this partial record within the
 *                                  session; null for a record that covers the whole session
 * @param causeForRecordClosing     causeForRecordClosing [17]
 * @param incompleteCdrIndication   incomplete-CDR-Indication [18]
 * @param imsChargingIdentifier     iMS-Charging-Identifier [19]: the icid-value of the P-Charging-Vector
 * @param sdpMediaComponents        list-Of-SDP-Media-Components [21]
 * @param serviceContextId          serviceContextID [30]: the Service-Context-Id AVP of the ACR
 * @param subscriptionIds           list-of-subscription-ID [31]
 */
public record ImsChargingRecord(
        boolean retransmission,
        String sipMethod,
        RoleOfNode roleOfNode,
        String nodeAddress,
        String sessionId,
        List<InvolvedParty> callingParties,
        InvolvedParty calledParty,
        OffsetDateTime serviceRequestTime,
        OffsetDateTime serviceDeliveryStartTime,
        OffsetDateTime serviceDeliveryEndTime,
        OffsetDateTime recordOpeningTime,
        OffsetDateTime recordClosureTime,
        InterOperatorIdentifiers interOperatorIdentifiers,
        Long localRecordSequenceNumber,
        Long recordSequenceNumber,
        CauseForRecordClosing causeForRecordClosing,
        IncompleteCdrIndication incompleteCdrIndication,
        String imsChargingIdentifier,
        List<MediaComponents> sdpMediaComponents,
        String serviceContextId,
        List<SubscriptionId> subscriptionIds) {

    /** TS 32.298 5.2.1 RecordType value of aSRecord; also the context tag of the IMSRecord alternative. */
    public static final int RECORD_TYPE_AS = 69;

    /** TS 32.298 5.2.1 LocalSequenceNumber ::= INTEGER (0..4294967295). */
    public static final long MAX_LOCAL_SEQUENCE_NUMBER = 0xFFFF_FFFFL;

    /** The value of {@link ChargingDataRecord#causeForRecordClosing()} the CDF writes for a normal release. */
    public static final int CDR_CAUSE_NORMAL_RELEASE = 0;
    /** The value of {@link ChargingDataRecord#causeForRecordClosing()} the CDF writes for an abnormal release. */
    public static final int CDR_CAUSE_ABNORMAL_RELEASE = 4;
    /** The value of {@link ChargingDataRecord#causeForRecordClosing()} for a partial record closed on its time limit. */
    public static final int CDR_CAUSE_TIME_LIMIT = 17;

    public ImsChargingRecord {
        Fields.optionalGraphic(sipMethod, "sipMethod");
        Fields.optionalGraphic(nodeAddress, "nodeAddress");
        Fields.optionalGraphic(sessionId, "sessionId");
        callingParties = Fields.list(callingParties, "callingParties", p -> p);
        requireMillisecondStamp(serviceRequestTime, "serviceRequestTime");
        requireMillisecondStamp(serviceDeliveryStartTime, "serviceDeliveryStartTime");
        requireMillisecondStamp(serviceDeliveryEndTime, "serviceDeliveryEndTime");
        BcdTimeStamp.requireEncodable(recordOpeningTime, "recordOpeningTime");
        BcdTimeStamp.requireEncodable(recordClosureTime, "recordClosureTime");
        requireNotBefore(serviceDeliveryEndTime, serviceDeliveryStartTime, "serviceDeliveryEndTime", "serviceDeliveryStartTime");
        requireNotBefore(recordClosureTime, recordOpeningTime, "recordClosureTime", "recordOpeningTime");
        if (localRecordSequenceNumber != null
                && (localRecordSequenceNumber < 0 || localRecordSequenceNumber > MAX_LOCAL_SEQUENCE_NUMBER)) {
            throw new IllegalArgumentException("localRecordSequenceNumber must be within 0.." + MAX_LOCAL_SEQUENCE_NUMBER
                    + ": " + localRecordSequenceNumber);
        }
        if (recordSequenceNumber != null && recordSequenceNumber < 0) {
            throw new IllegalArgumentException("recordSequenceNumber must be >= 0: " + recordSequenceNumber);
        }
        Fields.optionalGraphic(imsChargingIdentifier, "imsChargingIdentifier");
        sdpMediaComponents = Fields.list(sdpMediaComponents, "sdpMediaComponents", m -> m);
        Fields.optionalUtf8(serviceContextId, "serviceContextId");
        subscriptionIds = Fields.list(subscriptionIds, "subscriptionIds", s -> s);
    }

    /** Whether this is one of several partial records of a session (TS 32.298 5.1.3: recordSequenceNumber). */
    public boolean isPartial() {
        return recordSequenceNumber != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this record's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The AS record for a CDR of the walking-skeleton model, so the CDF can switch its body encoding
     * without changing how it assembles CDRs.
     *
     * <p>Mapping: the Call-ID ({@code userSessionId}) is session-Id [5]; calling and called party become
     * InvolvedParty by URI scheme; the three service times and the record opening/closure times are
     * truncated to whole seconds and written in {@code offset}; {@code nodeAddress} and
     * {@code localSequenceNumber} fill [4] and [15]; {@code incomplete} becomes an Incomplete-CDR-Indication
     * with aCRStartLost and aCRStopLost from {@code startLost} / {@code stopLost} (aCRInterimLost unknown: the CDF
     * does not count the INTERIMs it should have had); the CDF's cause (0 normal,
     * 4 abnormal release, the numbers of the generic CauseForRecClosing) maps to the IMS cause
     * serviceDeliveryEndSuccessfully or unSuccessfulServiceDelivery. Empty text fields are left out.
     * sIP-Method is the record's ({@code INVITE} when it has none); role-of-Node is always originating (the served
     * user is the calling party, as the JMS property {@code servedUser} says).
     *
     * <p>Not in the AS record and so not mapped: {@code cdrId} (it is {@code nodeAddress-localSequenceNumber},
     * and travels as the JMS property) and the Diameter Session-Id of the accounting session.
     *
     * @param cdr               the CDR as the CDF assembled it
     * @param recordOpeningTime when the CDF opened the record
     * @param recordClosureTime when the CDF closed the record
     * @param offset            the offset to UTC the time stamps are written in (the node's local offset)
     * @throws IllegalArgumentException when the CDR's cause is not 0, 4 or 17, or a field is not encodable
     */
    public static ImsChargingRecord fromChargingDataRecord(ChargingDataRecord cdr, Instant recordOpeningTime,
                                                           Instant recordClosureTime, ZoneOffset offset) {
        Objects.requireNonNull(cdr, "cdr");
        Objects.requireNonNull(recordOpeningTime, "recordOpeningTime");
        Objects.requireNonNull(recordClosureTime, "recordClosureTime");
        Objects.requireNonNull(offset, "offset");
        Builder b = builder()
                .sipMethod(cdr.sipMethod() == null ? "INVITE" : cdr.sipMethod())
                .serviceContextId(cdr.serviceContextId())
                .imsChargingIdentifier(cdr.imsChargingIdentifier())
                .roleOfNode(RoleOfNode.ORIGINATING)
                .nodeAddress(emptyToNull(cdr.nodeAddress()))
                .sessionId(emptyToNull(cdr.userSessionId()))
                .serviceRequestTime(atMillis(cdr.serviceRequestTime(), offset))
                .serviceDeliveryStartTime(atMillis(cdr.deliveryStartTime(), offset))
                .serviceDeliveryEndTime(atMillis(cdr.deliveryEndTime(), offset))
                .recordOpeningTime(at(recordOpeningTime, offset))
                .recordClosureTime(at(recordClosureTime, offset))
                .localRecordSequenceNumber(cdr.localSequenceNumber())
                .recordSequenceNumber(cdr.recordSequenceNumber() > 0 ? cdr.recordSequenceNumber() : null)
                .causeForRecordClosing(causeOf(cdr.causeForRecordClosing()));
        if (!cdr.callingParty().isEmpty()) {
            b.callingParties(List.of(InvolvedParty.fromUri(cdr.callingParty())));
        }
        if (!cdr.calledParty().isEmpty()) {
            b.calledParty(InvolvedParty.fromUri(cdr.calledParty()));
        }
        List<SubscriptionId> subscriptions = new java.util.ArrayList<>();
        if (cdr.subscriptionE164() != null) {
            subscriptions.add(new SubscriptionId(SubscriptionIdType.END_USER_E164, cdr.subscriptionE164()));
        }
        if (cdr.subscriptionImsi() != null) {
            subscriptions.add(new SubscriptionId(SubscriptionIdType.END_USER_IMSI, cdr.subscriptionImsi()));
        }
        if (!subscriptions.isEmpty()) {
            b.subscriptionIds(subscriptions);
        }
        if (cdr.originatingIoi() != null || cdr.terminatingIoi() != null) {
            b.interOperatorIdentifiers(new InterOperatorIdentifiers(cdr.originatingIoi(), cdr.terminatingIoi()));
        }
        if (!cdr.sdpMedia().isEmpty()) {
            // One Media-Components-List: the SDP negotiated by the INVITE and its answer (TS 32.298 5.2.3.1).
            b.sdpMediaComponents(List.of(new MediaComponents(seconds(cdr.serviceRequestTime(), offset),
                    seconds(cdr.deliveryStartTime(), offset), mediaComponents(cdr.sdpMedia()), false, List.of())));
        }
        if (cdr.incomplete()) {
            b.incompleteCdrIndication(new IncompleteCdrIndication(cdr.startLost(), AcrInterimLost.UNKNOWN, cdr.stopLost()));
        }
        return b.build();
    }

    /**
     * The walking-skeleton view of this record, for consumers that still speak it (the legacy billing link). The
     * CDR id and the Diameter Session-Id are not in the AS record; they travel as JMS properties.
     *
     * @throws IllegalArgumentException when the record lacks what that view needs (delivery times, sequence number)
     */
    public ChargingDataRecord toChargingDataRecord(String cdrId, String diameterSessionId) {
        if (serviceDeliveryStartTime == null || serviceDeliveryEndTime == null) {
            throw new IllegalArgumentException("an AS record without serviceDeliveryStart/EndTimeStamp cannot be billed");
        }
        if (localRecordSequenceNumber == null) {
            throw new IllegalArgumentException("an AS record without localRecordSequenceNumber cannot be billed");
        }
        int cause = causeForRecordClosing == null || causeForRecordClosing == CauseForRecordClosing.SERVICE_DELIVERY_END_SUCCESSFULLY
                ? CDR_CAUSE_NORMAL_RELEASE
                : causeForRecordClosing == CauseForRecordClosing.TIME_LIMIT ? CDR_CAUSE_TIME_LIMIT : CDR_CAUSE_ABNORMAL_RELEASE;
        String user = sessionId == null ? "" : sessionId;
        return new ChargingDataRecord(cdrId, diameterSessionId == null || diameterSessionId.isBlank() ? user : diameterSessionId, user,
                callingParties.isEmpty() ? "" : callingParties.get(0).address(),
                calledParty == null ? "" : calledParty.address(),
                serviceRequestTime == null ? null : serviceRequestTime.toInstant(), serviceDeliveryStartTime.toInstant(),
                serviceDeliveryEndTime.toInstant(), localRecordSequenceNumber, cause, incompleteCdrIndication != null,
                nodeAddress == null ? "" : nodeAddress, recordSequenceNumber == null ? 0 : recordSequenceNumber,
                subscription(SubscriptionIdType.END_USER_IMSI), subscription(SubscriptionIdType.END_USER_E164), sipMethod,
                serviceContextId, imsChargingIdentifier,
                interOperatorIdentifiers == null ? null : interOperatorIdentifiers.originatingIoi(),
                interOperatorIdentifiers == null ? null : interOperatorIdentifiers.terminatingIoi(), sdpLines(),
                incompleteCdrIndication != null && (incompleteCdrIndication.acrStartLost() || !incompleteCdrIndication.acrStopLost()),
                incompleteCdrIndication != null && incompleteCdrIndication.acrStopLost());
    }

    /** The media lines of the first Media-Components-List, back in the m=-line-first form. */
    private List<String> sdpLines() {
        List<String> lines = new java.util.ArrayList<>();
        if (!sdpMediaComponents.isEmpty()) {
            for (SdpMediaComponent c : sdpMediaComponents.get(0).components()) {
                if (c.mediaName() != null) {
                    lines.add("m=" + c.mediaName());
                    lines.addAll(c.mediaDescriptions());
                }
            }
        }
        return lines;
    }

    /** Media lines grouped into components: each m= line (its value is the sDP-Media-Name) and the lines after it. */
    private static List<SdpMediaComponent> mediaComponents(List<String> lines) {
        List<SdpMediaComponent> components = new java.util.ArrayList<>();
        String name = null;
        List<String> descriptions = new java.util.ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("m=")) {
                if (name != null) {
                    components.add(new SdpMediaComponent(name, descriptions));
                }
                name = line.substring(2);
                descriptions = new java.util.ArrayList<>();
            } else if (name != null) {
                descriptions.add(line);
            }
        }
        if (name != null) {
            components.add(new SdpMediaComponent(name, descriptions));
        }
        return components;
    }

    private static OffsetDateTime seconds(Instant instant, ZoneOffset offset) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).atOffset(offset);
    }

    private String subscription(SubscriptionIdType type) {
        return subscriptionIds.stream().filter(s -> s.type() == type).map(SubscriptionId::data).findFirst().orElse(null);
    }

    private static CauseForRecordClosing causeOf(int cdrCause) {
        return switch (cdrCause) {
            case CDR_CAUSE_NORMAL_RELEASE -> CauseForRecordClosing.SERVICE_DELIVERY_END_SUCCESSFULLY;
            case CDR_CAUSE_ABNORMAL_RELEASE -> CauseForRecordClosing.UNSUCCESSFUL_SERVICE_DELIVERY;
            // A partial record closed by the CDF's partial-record policy (time or number of INTERIMs).
            case CDR_CAUSE_TIME_LIMIT -> CauseForRecordClosing.TIME_LIMIT;
            default -> throw new IllegalArgumentException("CDR cause " + cdrCause
                    + " has no TS 32.298 IMS CauseForRecordClosing (the CDF writes 0, 4 or 17)");
        };
    }

    private static OffsetDateTime atMillis(Instant instant, ZoneOffset offset) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).atOffset(offset);
    }

    /** A service time stamp: whole milliseconds, whose whole seconds fit a TimeStamp. */
    private static void requireMillisecondStamp(OffsetDateTime t, String name) {
        if (t == null) {
            return;
        }
        if (t.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException(name + " must be whole milliseconds: " + t);
        }
        BcdTimeStamp.requireEncodable(t.truncatedTo(ChronoUnit.SECONDS), name);
    }

    private static OffsetDateTime at(Instant instant, ZoneOffset offset) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).atOffset(offset);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static void requireNotBefore(OffsetDateTime later, OffsetDateTime earlier, String laterName, String earlierName) {
        if (later != null && earlier != null && later.isBefore(earlier)) {
            throw new IllegalArgumentException(laterName + " " + later + " is before " + earlierName + " " + earlier);
        }
    }

    /** Collects the fields of an {@link ImsChargingRecord}; {@link #build()} validates them. */
    public static final class Builder {
        private boolean retransmission;
        private String sipMethod;
        private RoleOfNode roleOfNode;
        private String nodeAddress;
        private String sessionId;
        private List<InvolvedParty> callingParties = new ArrayList<>();
        private InvolvedParty calledParty;
        private OffsetDateTime serviceRequestTime;
        private OffsetDateTime serviceDeliveryStartTime;
        private OffsetDateTime serviceDeliveryEndTime;
        private OffsetDateTime recordOpeningTime;
        private OffsetDateTime recordClosureTime;
        private InterOperatorIdentifiers interOperatorIdentifiers;
        private Long localRecordSequenceNumber;
        private Long recordSequenceNumber;
        private CauseForRecordClosing causeForRecordClosing;
        private IncompleteCdrIndication incompleteCdrIndication;
        private String imsChargingIdentifier;
        private List<MediaComponents> sdpMediaComponents = new ArrayList<>();
        private String serviceContextId;
        private List<SubscriptionId> subscriptionIds = new ArrayList<>();

        private Builder() {
        }

        private Builder(ImsChargingRecord r) {
            retransmission = r.retransmission;
            sipMethod = r.sipMethod;
            roleOfNode = r.roleOfNode;
            nodeAddress = r.nodeAddress;
            sessionId = r.sessionId;
            callingParties = new ArrayList<>(r.callingParties);
            calledParty = r.calledParty;
            serviceRequestTime = r.serviceRequestTime;
            serviceDeliveryStartTime = r.serviceDeliveryStartTime;
            serviceDeliveryEndTime = r.serviceDeliveryEndTime;
            recordOpeningTime = r.recordOpeningTime;
            recordClosureTime = r.recordClosureTime;
            interOperatorIdentifiers = r.interOperatorIdentifiers;
            localRecordSequenceNumber = r.localRecordSequenceNumber;
            recordSequenceNumber = r.recordSequenceNumber;
            causeForRecordClosing = r.causeForRecordClosing;
            incompleteCdrIndication = r.incompleteCdrIndication;
            imsChargingIdentifier = r.imsChargingIdentifier;
            sdpMediaComponents = new ArrayList<>(r.sdpMediaComponents);
            serviceContextId = r.serviceContextId;
            subscriptionIds = new ArrayList<>(r.subscriptionIds);
        }

        public Builder retransmission(boolean v) { retransmission = v; return this; }
        public Builder sipMethod(String v) { sipMethod = v; return this; }
        public Builder roleOfNode(RoleOfNode v) { roleOfNode = v; return this; }
        public Builder nodeAddress(String v) { nodeAddress = v; return this; }
        public Builder sessionId(String v) { sessionId = v; return this; }
        public Builder callingParties(List<InvolvedParty> v) { callingParties = new ArrayList<>(v); return this; }
        public Builder calledParty(InvolvedParty v) { calledParty = v; return this; }
        public Builder serviceRequestTime(OffsetDateTime v) { serviceRequestTime = v; return this; }
        public Builder serviceDeliveryStartTime(OffsetDateTime v) { serviceDeliveryStartTime = v; return this; }
        public Builder serviceDeliveryEndTime(OffsetDateTime v) { serviceDeliveryEndTime = v; return this; }
        public Builder recordOpeningTime(OffsetDateTime v) { recordOpeningTime = v; return this; }
        public Builder recordClosureTime(OffsetDateTime v) { recordClosureTime = v; return this; }
        public Builder interOperatorIdentifiers(InterOperatorIdentifiers v) { interOperatorIdentifiers = v; return this; }
        public Builder localRecordSequenceNumber(Long v) { localRecordSequenceNumber = v; return this; }
        public Builder recordSequenceNumber(Long v) { recordSequenceNumber = v; return this; }
        public Builder causeForRecordClosing(CauseForRecordClosing v) { causeForRecordClosing = v; return this; }
        public Builder incompleteCdrIndication(IncompleteCdrIndication v) { incompleteCdrIndication = v; return this; }
        public Builder imsChargingIdentifier(String v) { imsChargingIdentifier = v; return this; }
        public Builder sdpMediaComponents(List<MediaComponents> v) { sdpMediaComponents = new ArrayList<>(v); return this; }
        public Builder serviceContextId(String v) { serviceContextId = v; return this; }
        public Builder subscriptionIds(List<SubscriptionId> v) { subscriptionIds = new ArrayList<>(v); return this; }

        /** @throws IllegalArgumentException naming the first invalid field */
        public ImsChargingRecord build() {
            return new ImsChargingRecord(retransmission, sipMethod, roleOfNode, nodeAddress, sessionId, callingParties,
                    calledParty, serviceRequestTime, serviceDeliveryStartTime, serviceDeliveryEndTime, recordOpeningTime,
                    recordClosureTime, interOperatorIdentifiers, localRecordSequenceNumber, recordSequenceNumber,
                    causeForRecordClosing, incompleteCdrIndication, imsChargingIdentifier, sdpMediaComponents,
                    serviceContextId, subscriptionIds);
        }
    }
}

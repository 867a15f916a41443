package org.sipcharge.cdr.ber;

import org.sipcharge.cdr.ChargingDataRecord;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Records shared by the unit tests and the dumpasn1 check: every field filled, none, and the usual shapes. */
final class SampleRecords {

    static final ZoneOffset CET = ZoneOffset.ofHours(1);
    static final OffsetDateTime INVITE = OffsetDateTime.of(2026, 11, 22, 10, 0, 0, 0, CET);

    private SampleRecords() {
    }

    /** Every field of the sipcharge ASRecord set, lists with more than one entry. */
    static ImsChargingRecord full() {
        return ImsChargingRecord.builder()
                .retransmission(true)
                .sipMethod("INVITE")
                .roleOfNode(RoleOfNode.TERMINATING)
                .nodeAddress("cdf-node1.example.net")
                .sessionId("a84b4c76e66710@pc33.example.com")
                .callingParties(List.of(InvolvedParty.sipUri("sip:alice@example.com"), InvolvedParty.telUri("tel:+4930123456")))
                .calledParty(InvolvedParty.sipUri("sip:bob@example.org"))
                .serviceRequestTime(INVITE)
                .serviceDeliveryStartTime(INVITE.plusSeconds(4))
                .serviceDeliveryEndTime(INVITE.plusSeconds(4 + 125))
                .recordOpeningTime(INVITE.plusSeconds(4))
                .recordClosureTime(INVITE.plusSeconds(130))
                .interOperatorIdentifiers(new InterOperatorIdentifiers("ioi.home.example.com", "ioi.visited.example.org"))
                .localRecordSequenceNumber(4_294_967_295L)
                .recordSequenceNumber(3L)
                .causeForRecordClosing(CauseForRecordClosing.SERVICE_CHANGE)
                .incompleteCdrIndication(new IncompleteCdrIndication(false, AcrInterimLost.YES, true))
                .imsChargingIdentifier("AyretyU0dm+6O2IrT5tAFrbHLso=023551024")
                .sdpMediaComponents(List.of(
                        new MediaComponents(INVITE, INVITE.plusSeconds(4),
                                List.of(new SdpMediaComponent("audio 49170 RTP/AVP 0 8", List.of("a=rtpmap:0 PCMU/8000", "c=IN IP4 192.0.2.10")),
                                        new SdpMediaComponent("video 51372 RTP/AVP 99", List.of())),
                                true, List.of("v=0", "s=-")),
                        new MediaComponents(INVITE.plusSeconds(60), null,
                                List.of(new SdpMediaComponent(null, List.of("a=sendonly"))), false, List.of())))
                .serviceContextId("32260@3gpp.org")
                .subscriptionIds(List.of(new SubscriptionId(SubscriptionIdType.END_USER_E164, "4930123456"),
                        new SubscriptionId(SubscriptionIdType.END_USER_SIP_URI, "sip:alice@example.com")))
                .build();
    }

    /** No optional field: only the mandatory recordType is encoded. */
    static ImsChargingRecord minimal() {
        return ImsChargingRecord.builder().build();
    }

    /** The second partial record of a long call closed by the time limit, in a zone west of UTC. */
    static ImsChargingRecord partial() {
        ZoneOffset offset = ZoneOffset.ofHoursMinutes(-3, -30);
        OffsetDateTime start = OffsetDateTime.of(2026, 1, 31, 23, 59, 59, 0, offset);
        return ImsChargingRecord.builder()
                .sipMethod("INVITE")
                .nodeAddress("cdf2")
                .sessionId("call-7@198.51.100.7")
                .serviceDeliveryStartTime(start)
                .recordOpeningTime(start.plusHours(1))
                .recordClosureTime(start.plusHours(2))
                .localRecordSequenceNumber(0L)
                .recordSequenceNumber(2L)
                .causeForRecordClosing(CauseForRecordClosing.TIME_LIMIT)
                .build();
    }

    /** A CDR as the CDF assembles it today. */
    static ChargingDataRecord chargingDataRecord() {
        Instant start = Instant.parse("2026-11-22T10:00:00.250Z");
        return new ChargingDataRecord("cdf1-42", "cdf.example;1;2", "abc@10.0.0.1", "sip:alice@example.com",
                "tel:+4930999", start.minusSeconds(2), start, start.plusSeconds(5), 42, 0, false, "cdf1");
    }

    /** A CDR with the IMS details the B2BUA sends: icid, both IOIs, two media components; a MESSAGE event record. */
    static ChargingDataRecord chargingDataRecordWithIms() {
        Instant start = Instant.parse("2026-11-22T10:00:00.250Z");
        return new ChargingDataRecord("cdf1-43", "cdf.example;1;3", "def@10.0.0.1", "sip:alice@example.com",
                "sip:bob@example.com", start.minusSeconds(2), start, start.plusSeconds(5), 43, 0, false, "cdf1", 0,
                null, null, "MESSAGE", "32260@3gpp.org", "sipcharge-0123456789abcdef", "home1.net", "home2.net",
                List.of("m=audio 6000 RTP/AVP 0 8", "c=IN IP4 192.0.2.10", "a=rtpmap:0 PCMU/8000", "m=video 6002 RTP/AVP 96",
                        "a=rtpmap:96 H264/90000"));
    }

    /** Each sample by name, for tests that run over all of them. */
    static Map<String, ImsChargingRecord> all() {
        ChargingDataRecord cdr = chargingDataRecord();
        ChargingDataRecord withIms = chargingDataRecordWithIms();
        return Map.of("full", full(), "minimal", minimal(), "partial", partial(),
                "fromChargingDataRecordWithIms", ImsChargingRecord.fromChargingDataRecord(withIms, withIms.deliveryStartTime(),
                        withIms.deliveryEndTime(), CET),
                "fromChargingDataRecord", ImsChargingRecord.fromChargingDataRecord(cdr, cdr.deliveryStartTime(),
                        cdr.deliveryEndTime().plusMillis(20), CET));
    }
}

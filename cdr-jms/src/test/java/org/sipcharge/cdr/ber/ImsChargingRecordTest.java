package org.sipcharge.cdr.ber;

import org.junit.jupiter.api.Test;
import org.sipcharge.cdr.ChargingDataRecord;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ImsChargingRecordTest {

    private static final Instant OPENED = Instant.parse("2026-11-22T10:00:00.250Z");
    private static final Instant CLOSED = Instant.parse("2026-11-22T10:00:05.900Z");

    @Test
    void imsDetailsMapToTheirFieldsAndBack() {
        ChargingDataRecord cdr = SampleRecords.chargingDataRecordWithIms();
        ImsChargingRecord r = ImsChargingRecord.fromChargingDataRecord(cdr, OPENED, CLOSED, SampleRecords.CET);
        assertEquals("MESSAGE", r.sipMethod(), "an event record names its method");
        assertEquals("32260@3gpp.org", r.serviceContextId());
        assertEquals("sipcharge-0123456789abcdef", r.imsChargingIdentifier());
        assertEquals(new InterOperatorIdentifiers("home1.net", "home2.net"), r.interOperatorIdentifiers());
        assertEquals(1, r.sdpMediaComponents().size(), "one list: the INVITE and its answer");
        MediaComponents media = r.sdpMediaComponents().get(0);
        assertEquals(List.of(new SdpMediaComponent("audio 6000 RTP/AVP 0 8", List.of("c=IN IP4 192.0.2.10", "a=rtpmap:0 PCMU/8000")),
                new SdpMediaComponent("video 6002 RTP/AVP 96", List.of("a=rtpmap:96 H264/90000"))), media.components());
        assertEquals(OffsetDateTime.parse("2026-11-22T10:59:58+01:00"), media.sipRequestTime());
        assertEquals(OffsetDateTime.parse("2026-11-22T11:00:00+01:00"), media.sipResponseTime());
        ChargingDataRecord back = CdrBerCodec.decode(CdrBerCodec.encode(r)).toChargingDataRecord(cdr.cdrId(), cdr.sessionId());
        assertEquals(cdr, back, "every CDR field survives BER");
    }

    @Test
    void fromChargingDataRecordMapsEveryField() {
        ChargingDataRecord cdr = SampleRecords.chargingDataRecord();
        ImsChargingRecord r = ImsChargingRecord.fromChargingDataRecord(cdr, OPENED, CLOSED, SampleRecords.CET);

        assertEquals("INVITE", r.sipMethod());
        assertEquals(RoleOfNode.ORIGINATING, r.roleOfNode());
        assertEquals("cdf1", r.nodeAddress());
        assertEquals("abc@10.0.0.1", r.sessionId(), "session-Id is the SIP Call-ID");
        assertEquals(List.of(InvolvedParty.sipUri("sip:alice@example.com")), r.callingParties());
        assertEquals(InvolvedParty.telUri("tel:+4930999"), r.calledParty());
        // 10:00:00.250Z written in +01:00; the milliseconds go in serviceDeliveryStartTimeStampFraction [38]
        assertEquals(OffsetDateTime.parse("2026-11-22T11:00:00.250+01:00"), r.serviceDeliveryStartTime());
        assertEquals(OffsetDateTime.parse("2026-11-22T10:59:58.250+01:00"), r.serviceRequestTime());
        assertEquals(OffsetDateTime.parse("2026-11-22T11:00:05.250+01:00"), r.serviceDeliveryEndTime());
        assertEquals(OffsetDateTime.parse("2026-11-22T11:00:00+01:00"), r.recordOpeningTime());
        assertEquals(OffsetDateTime.parse("2026-11-22T11:00:05+01:00"), r.recordClosureTime());
        assertEquals(42L, r.localRecordSequenceNumber());
        assertNull(r.recordSequenceNumber());
        assertFalse(r.isPartial());
        assertEquals(CauseForRecordClosing.SERVICE_DELIVERY_END_SUCCESSFULLY, r.causeForRecordClosing());
        assertNull(r.incompleteCdrIndication());
        assertEquals(r, CdrBerCodec.decode(CdrBerCodec.encode(r)));
    }

    @Test
    void fromChargingDataRecordMapsAbnormalReleaseAndIncompleteness() {
        ChargingDataRecord c = SampleRecords.chargingDataRecord();
        ChargingDataRecord cdr = new ChargingDataRecord(c.cdrId(), c.sessionId(), "", "", "", null,
                c.deliveryStartTime(), c.deliveryEndTime(), c.localSequenceNumber(), ImsChargingRecord.CDR_CAUSE_ABNORMAL_RELEASE,
                true, c.nodeAddress());
        ImsChargingRecord r = ImsChargingRecord.fromChargingDataRecord(cdr, OPENED, CLOSED, ZoneOffset.UTC);
        assertEquals(CauseForRecordClosing.UNSUCCESSFUL_SERVICE_DELIVERY, r.causeForRecordClosing());
        assertEquals(new IncompleteCdrIndication(true, AcrInterimLost.UNKNOWN, false), r.incompleteCdrIndication());
        assertNull(r.sessionId(), "empty Call-ID is left out");
        assertTrue(r.callingParties().isEmpty());
        assertNull(r.calledParty());
        assertNull(r.serviceRequestTime());
    }

    /** A session the CDF closed by supervision: its STOP was lost, its START may or may not have come. */
    private static ChargingDataRecord supervised(boolean startLost) {
        ChargingDataRecord c = SampleRecords.chargingDataRecordWithIms();
        return new ChargingDataRecord(c.cdrId(), c.sessionId(), c.userSessionId(), c.callingParty(), c.calledParty(),
                c.serviceRequestTime(), c.deliveryStartTime(), c.deliveryEndTime(), c.localSequenceNumber(),
                ChargingDataRecord.CAUSE_ABNORMAL_RELEASE, true, c.nodeAddress(), 0, null, null, "INVITE", c.serviceContextId(),
                c.imsChargingIdentifier(), c.originatingIoi(), c.terminatingIoi(), c.sdpMedia(), startLost, true);
    }

    @Test
    void aLostStopIsIndicatedAsSuchNotAsALostStartThroughBerAndText() {
        for (boolean startLost : new boolean[]{false, true}) {
            ChargingDataRecord cdr = supervised(startLost);
            ImsChargingRecord r = ImsChargingRecord.fromChargingDataRecord(cdr, OPENED, CLOSED, ZoneOffset.UTC);
            assertEquals(new IncompleteCdrIndication(startLost, AcrInterimLost.UNKNOWN, true), r.incompleteCdrIndication());
            ChargingDataRecord back = CdrBerCodec.decode(CdrBerCodec.encode(r)).toChargingDataRecord(cdr.cdrId(), cdr.sessionId());
            assertEquals(cdr, back, "start lost " + startLost + ": survives BER");
            assertEquals(cdr, org.sipcharge.cdr.CdrTextCodec.decode(org.sipcharge.cdr.CdrTextCodec.encode(cdr)),
                    "start lost " + startLost + ": survives the text form");
        }
    }

    @Test
    void incompleteMustAgreeWithWhatWasLost() {
        ChargingDataRecord c = SampleRecords.chargingDataRecord();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ChargingDataRecord(c.cdrId(),
                c.sessionId(), c.userSessionId(), c.callingParty(), c.calledParty(), null, c.deliveryStartTime(),
                c.deliveryEndTime(), 1, 4, false, c.nodeAddress(), 0, null, null, null, null, null, null, null, List.of(),
                false, true));
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
    }

    @Test
    void fromChargingDataRecordRefusesACauseWithoutImsMeaning() {
        ChargingDataRecord c = SampleRecords.chargingDataRecord();
        ChargingDataRecord cdr = new ChargingDataRecord(c.cdrId(), c.sessionId(), c.userSessionId(), c.callingParty(),
                c.calledParty(), null, c.deliveryStartTime(), c.deliveryEndTime(), 1, 16, false, c.nodeAddress());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImsChargingRecord.fromChargingDataRecord(cdr, OPENED, CLOSED, ZoneOffset.UTC));
        assertTrue(e.getMessage().contains("16"), e.getMessage());
    }

    @Test
    void aPartialRecordCarriesItsRecordSequenceNumberTheTimeLimitCauseAndSubscriptionIdsThroughBerAndText() {
        ChargingDataRecord c = SampleRecords.chargingDataRecord();
        ChargingDataRecord partial = new ChargingDataRecord(c.cdrId(), c.sessionId(), c.userSessionId(), c.callingParty(),
                c.calledParty(), null, c.deliveryStartTime(), c.deliveryEndTime(), 7, ChargingDataRecord.CAUSE_TIME_LIMIT, false,
                c.nodeAddress(), 2, "262011234567890", "4915112345678");
        ImsChargingRecord ims = ImsChargingRecord.fromChargingDataRecord(partial, OPENED, CLOSED, ZoneOffset.UTC);
        assertEquals(2L, ims.recordSequenceNumber());
        assertEquals(CauseForRecordClosing.TIME_LIMIT, ims.causeForRecordClosing());
        ChargingDataRecord back = CdrBerCodec.decode(CdrBerCodec.encode(ims)).toChargingDataRecord(c.cdrId(), c.sessionId());
        assertEquals(2, back.recordSequenceNumber());
        assertEquals(ChargingDataRecord.CAUSE_TIME_LIMIT, back.causeForRecordClosing());
        assertEquals("262011234567890", back.subscriptionImsi(), "list-of-subscription-ID [31] carries the IMSI");
        assertEquals("4915112345678", back.subscriptionE164());
        assertEquals(partial, org.sipcharge.cdr.CdrTextCodec.decode(org.sipcharge.cdr.CdrTextCodec.encode(partial)));
        // A one-record session carries no recordSequenceNumber (TS 32.298 5.1.3).
        assertNull(ImsChargingRecord.fromChargingDataRecord(c, OPENED, CLOSED, ZoneOffset.UTC).recordSequenceNumber());
    }

    @Test
    void listsAreImmutableCopies() {
        List<InvolvedParty> parties = new ArrayList<>(List.of(InvolvedParty.sipUri("sip:a@x")));
        ImsChargingRecord r = ImsChargingRecord.builder().callingParties(parties).build();
        parties.add(InvolvedParty.sipUri("sip:b@x"));
        assertEquals(1, r.callingParties().size());
        assertThrows(UnsupportedOperationException.class, () -> r.callingParties().add(InvolvedParty.sipUri("sip:c@x")));
    }

    @Test
    void invalidValuesAreRefusedByName() {
        assertRefused("sipMethod", () -> ImsChargingRecord.builder().sipMethod("INV\u00c9TE").build());
        assertRefused("sessionId", () -> ImsChargingRecord.builder().sessionId("").build());
        assertRefused("localRecordSequenceNumber", () -> ImsChargingRecord.builder().localRecordSequenceNumber(1L << 32).build());
        assertRefused("localRecordSequenceNumber", () -> ImsChargingRecord.builder().localRecordSequenceNumber(-1L).build());
        assertRefused("recordSequenceNumber", () -> ImsChargingRecord.builder().recordSequenceNumber(-1L).build());
        OffsetDateTime t = SampleRecords.INVITE;
        assertRefused("serviceDeliveryEndTime",
                () -> ImsChargingRecord.builder().serviceDeliveryStartTime(t).serviceDeliveryEndTime(t.minusSeconds(1)).build());
        assertRefused("recordClosureTime",
                () -> ImsChargingRecord.builder().recordOpeningTime(t).recordClosureTime(t.minusSeconds(1)).build());
        assertRefused("recordOpeningTime", () -> ImsChargingRecord.builder().recordOpeningTime(t.plusNanos(1)).build());
        assertRefused("address", () -> InvolvedParty.sipUri("sip:a@x\r\n"));
        assertRefused("IOI", () -> new InterOperatorIdentifiers(null, null));
        assertRefused("callingParties", () -> ImsChargingRecord.builder().callingParties(java.util.Collections.nCopies(
                65, InvolvedParty.sipUri("sip:a@x"))).build());
        assertRefused("data", () -> new SubscriptionId(SubscriptionIdType.END_USER_E164, ""));
    }

    private static void assertRefused(String named, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(named), "message should name " + named + ": " + e.getMessage());
    }
}

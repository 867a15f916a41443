package org.sipcharge.billing.jms;

import org.junit.jupiter.api.Test;
import org.sipcharge.cdr.CdrTextCodec;
import org.sipcharge.cdr.ChargingDataRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks that decide a message is poison (dead-lettered at once rather than redelivered). */
class CdrMessagesTest {

    static byte[] body(String id) {
        Instant t = Instant.parse("2026-01-01T10:00:00Z");
        return CdrTextCodec.encode(new ChargingDataRecord(id, "s;1", "call@h", "sip:a@x", "sip:b@x", t, t,
                t.plusSeconds(3), 1, 0, false, "node-1"));
    }

    static byte[] berBody() {
        Instant t = Instant.parse("2026-01-01T10:00:00.125Z");
        ChargingDataRecord cdr = new ChargingDataRecord("node-1-7", "s;1", "call@h", "sip:a@x", "sip:b@x", t, t,
                t.plusMillis(3_250), 7, 0, false, "node-1");
        return org.sipcharge.cdr.ber.CdrBerCodec.encode(org.sipcharge.cdr.ber.ImsChargingRecord.fromChargingDataRecord(
                cdr, t, t.plusSeconds(4), java.time.ZoneOffset.UTC));
    }

    @Test
    void ts32298BodiesPassWhenTheirNodeAndSequenceMakeTheCdrId() {
        byte[] ber = berBody();
        assertNull(CdrMessages.rejectReason(null, "node-1-7", "s;1", ber));
        assertTrue(CdrMessages.rejectReason(null, "node-1-8", "s;1", ber).contains("record 7 of node node-1"));
        // The legacy link gets the text form, with the millisecond duration intact.
        ChargingDataRecord legacy = org.sipcharge.cdr.CdrJmsContract.decodeBody(ber, "node-1-7", "s;1");
        assertEquals(3_250, legacy.duration().toMillis());
        assertEquals("s;1", legacy.sessionId());
        byte[] cut = java.util.Arrays.copyOf(ber, ber.length - 3);
        assertTrue(CdrMessages.rejectReason(null, "node-1-7", "s;1", cut).startsWith("body does not decode"));
    }

    @Test
    void goodCdrPasses() {
        assertNull(CdrMessages.rejectReason(null, "node-1-1", body("node-1-1")));
    }

    @Test
    void otherMessageTypesAreRejected() {
        assertEquals("not a BytesMessage but TextMessage", CdrMessages.rejectReason("TextMessage", "node-1-1", null));
    }

    @Test
    void missingOrBadIdIsRejected() {
        assertEquals("missing property cdrId", CdrMessages.rejectReason(null, null, body("node-1-1")));
        assertEquals("missing property cdrId", CdrMessages.rejectReason(null, " ", body("node-1-1")));
        assertTrue(CdrMessages.rejectReason(null, "a b", body("node-1-1")).contains("not one printable token"));
    }

    @Test
    void undecodableBodyIsRejected() {
        assertEquals("empty body", CdrMessages.rejectReason(null, "x", new byte[0]));
        String r = CdrMessages.rejectReason(null, "x", "garbage".getBytes(StandardCharsets.UTF_8));
        assertTrue(r.startsWith("body does not decode: "), r);
        r = CdrMessages.rejectReason(null, "x", new byte[CdrTextCodec.MAX_ENCODED_LENGTH + 1]);
        assertTrue(r.contains("exceeds"), r);
    }

    @Test
    void idMismatchIsRejected() {
        assertEquals("property cdrId=node-1-1 but the body's cdrId is node-1-2",
                CdrMessages.rejectReason(null, "node-1-1", body("node-1-2")));
    }
}

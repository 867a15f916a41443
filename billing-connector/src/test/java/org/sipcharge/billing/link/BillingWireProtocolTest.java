package org.sipcharge.billing.link;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BillingWireProtocolTest {

    static final byte[] BODY = "cdrId=node-1-1\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void cdrRequestCarriesIdAndBase64Body() {
        String line = BillingWireProtocol.cdrRequest("node-1-1", 7, BODY);
        assertEquals("CDR node-1-1 7 " + Base64.getEncoder().encodeToString(BODY), line);
        assertEquals(line + "\n", new String(BillingWireProtocol.frame(line), StandardCharsets.UTF_8));
    }

    @Test
    void cdrRequestRefusesIdsThatAreNotOneToken() {
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest("a b", 1, BODY));
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest("", 1, BODY));
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest(null, 1, BODY));
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest("a\nACK b", 1, BODY));
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest("x".repeat(257), 1, BODY));
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest("a", 0, BODY));
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest("a", 1, new byte[0]));
    }

    @Test
    void cdrRequestRefusesBodiesBeyondOneLine() {
        byte[] huge = new byte[BillingWireProtocol.MAX_LINE_BYTES];
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.cdrRequest("a", 1, huge));
    }

    @Test
    void ackRoundTrip() throws Exception {
        BillingWireProtocol.Answer a = BillingWireProtocol.parseAnswer(BillingWireProtocol.ack("node-1-1"), "node-1-1");
        assertTrue(a.acknowledged());
        assertEquals("node-1-1", a.cdrId());
        assertNull(a.reason());
    }

    @Test
    void nakRoundTripKeepsTheWholeReason() throws Exception {
        String line = BillingWireProtocol.nak("node-1-1", "cdr-id-mismatch: body has node-1-2");
        assertEquals("NAK node-1-1 cdr-id-mismatch: body has node-1-2", line);
        BillingWireProtocol.Answer a = BillingWireProtocol.parseAnswer(line, "node-1-1");
        assertFalse(a.acknowledged());
        assertEquals("cdr-id-mismatch: body has node-1-2", a.reason());
    }

    @Test
    void fencedRoundTripCarriesTheHighestEpoch() throws Exception {
        String line = BillingWireProtocol.fenced("node-1-1", 9);
        assertEquals("FENCED node-1-1 9", line);
        BillingWireProtocol.Answer a = BillingWireProtocol.parseAnswer(line, "node-1-1");
        assertTrue(a.fenced());
        assertFalse(a.acknowledged());
        assertEquals(9, a.highestEpoch());
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("FENCED node-1-1", "node-1-1"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("FENCED node-1-1 x", "node-1-1"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("FENCED node-1-2 9", "node-1-1"));
    }

    @Test
    void trailingCarriageReturnIsIgnored() throws Exception {
        assertTrue(BillingWireProtocol.parseAnswer("ACK x\r", "x").acknowledged());
    }

    @Test
    void nakNeedsAReason() {
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.nak("x", " "));
        assertThrows(IllegalArgumentException.class, () -> BillingWireProtocol.nak("x", "a\nb"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("NAK x", "x"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("NAK x ", "x"));
    }

    @Test
    void answerForAnotherCdrIsRejected() {
        BillingProtocolException e = assertThrows(BillingProtocolException.class,
                () -> BillingWireProtocol.parseAnswer("ACK y", "x"));
        assertTrue(e.getMessage().contains("waiting for x"), e.getMessage());
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("NAK y bad", "x"));
    }

    @Test
    void ackWithExtraTokensIsRejected() {
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("ACK x extra", "x"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("ACK", "x"));
    }

    @Test
    void errorAnswerIsRejected() {
        BillingProtocolException e = assertThrows(BillingProtocolException.class,
                () -> BillingWireProtocol.parseAnswer("ERR unknown-command", "x"));
        assertTrue(e.getMessage().contains("ERR unknown-command"), e.getMessage());
    }

    @Test
    void unknownOrMissingAnswerIsRejected() {
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("PONG", "x"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("", "x"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer("ack x", "x"));
        assertThrows(BillingProtocolException.class, () -> BillingWireProtocol.parseAnswer(null, "x"));
    }
}

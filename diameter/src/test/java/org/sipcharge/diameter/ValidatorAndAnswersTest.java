package org.sipcharge.diameter;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidatorAndAnswersTest {

    private static DiameterMessage acr() {
        return DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "cscf;1;2;x"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cscf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "charging.example.org"))
                .add(Avp.enumerated(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 2))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 7))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3))
                .build().withIdentifiers(0x1234, 0x5678);
    }

    @Test
    void requireAvpsPassesWhenAllPresent() {
        assertDoesNotThrow(() -> MessageValidator.requireAvps(acr(), DiameterConstants.AVP_SESSION_ID,
                DiameterConstants.AVP_ORIGIN_HOST, DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE));
    }

    @Test
    void missingMandatoryUnsigned32AvpIs5005NamingIt() {
        DiameterMessage m = acr();
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, () -> MessageValidator.requireAvps(m,
                DiameterConstants.AVP_SESSION_ID, DiameterConstants.AVP_EVENT_TIMESTAMP, DiameterConstants.AVP_DESTINATION_HOST));
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, e.resultCode());
        assertEquals(DiameterConstants.AVP_EVENT_TIMESTAMP, e.failedAvp().code(), "the first missing AVP is named");
        assertEquals(0L, e.failedAvp().vendorId());
        assertEquals(4, e.failedAvp().dataLength(), "RFC 6733 7.5: an example of minimum length");
    }

    @Test
    void missingMandatoryStringAvpIs5005NamingIt() {
        DiameterMessage m = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "s")).build();
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class,
                () -> MessageValidator.requireAvps(m, DiameterConstants.AVP_SESSION_ID, DiameterConstants.AVP_ORIGIN_HOST));
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, e.resultCode());
        assertEquals(DiameterConstants.AVP_ORIGIN_HOST, e.failedAvp().code());
        assertEquals(0, e.failedAvp().dataLength());
    }

    @Test
    void vendorAvpDoesNotSatisfyABaseAvpRequirement() {
        DiameterMessage m = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, DiameterConstants.VENDOR_3GPP, true, "h")).build();
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class,
                () -> MessageValidator.requireAvps(m, DiameterConstants.AVP_ORIGIN_HOST));
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, e.resultCode());
        assertEquals(DiameterConstants.AVP_ORIGIN_HOST, e.failedAvp().code());
    }

    @Test
    void protocolErrorAnswerHasTheEBitAndEchoes() throws Exception {
        DiameterMessage req = acr();
        DiameterMessage a = Answers.error(req, DiameterConstants.RESULT_UNABLE_TO_DELIVER, null, "no route",
                "cdf.example.org", "charging.example.org");
        assertTrue(a.isError());
        assertFalse(a.isRequest());
        assertEquals(3002L, a.resultCode());
        assertEquals(req.hopByHop(), a.hopByHop());
        assertEquals(req.endToEnd(), a.endToEnd());
        assertEquals(req.commandCode(), a.commandCode());
        assertEquals(req.applicationId(), a.applicationId());
        assertEquals("cscf;1;2;x", a.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow().asUtf8());
        assertEquals(DiameterConstants.AVP_SESSION_ID, a.avps().get(0).code(), "Session-Id first (RFC 6733 8.8)");
        assertEquals("cdf.example.org", a.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        assertEquals("charging.example.org", a.avp(DiameterConstants.AVP_ORIGIN_REALM).orElseThrow().asUtf8());
        assertEquals("no route", a.avp(DiameterConstants.AVP_ERROR_MESSAGE).orElseThrow().asUtf8());
        assertFalse(a.avp(DiameterConstants.AVP_ERROR_MESSAGE).orElseThrow().isMandatory());
        assertEquals(2, a.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow().asInteger32());
        assertEquals(7L, a.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32());
        assertEquals(3L, a.avp(DiameterConstants.AVP_ACCT_APPLICATION_ID).orElseThrow().asUnsigned32());
        assertTrue(a.avp(DiameterConstants.AVP_FAILED_AVP).isEmpty());
        // and it survives the wire
        DiameterMessage d = DiameterMessage.decode(a.encode());
        assertTrue(d.isError());
        assertEquals(a.avps(), d.avps());
    }

    @Test
    void permanentFailureAnswerHasNoEBitAndCarriesFailedAvp() throws Exception {
        DiameterMessage req = acr();
        Avp missing = Avp.of(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, new byte[4]);
        DiameterMessage a = Answers.error(req, DiameterConstants.RESULT_MISSING_AVP, missing, "missing",
                "cdf.example.org", "charging.example.org");
        assertFalse(a.isError());
        assertEquals(5005L, a.resultCode());
        assertEquals("cscf;1;2;x", a.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow().asUtf8());
        assertEquals(2, a.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow().asInteger32());
        assertEquals(7L, a.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32());
        Avp failed = DiameterMessage.decode(a.encode()).avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow();
        assertEquals(List.of(missing), failed.groupedAvps());
    }

    @Test
    void everyResultClassGetsTheRightEBit() {
        DiameterMessage req = acr();
        for (long rc : new long[]{3001, 3007, 3008, 3010}) {
            assertTrue(Answers.error(req, rc, null, null, "h", "r").isError(), "E bit for " + rc);
        }
        for (long rc : new long[]{4002, 5004, 5005, 5010, 5012, 5014}) {
            assertFalse(Answers.error(req, rc, null, null, "h", "r").isError(), "no E bit for " + rc);
        }
    }

    @Test
    void nonAccountingAnswerDoesNotEchoAccountingAvps() {
        DiameterMessage dwr = DiameterMessage.request(DiameterConstants.CMD_DEVICE_WATCHDOG, 0)
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 1)).build();
        DiameterMessage a = Answers.error(dwr, 5012, null, "", "h", "r");
        assertTrue(a.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).isEmpty());
        assertTrue(a.avp(DiameterConstants.AVP_SESSION_ID).isEmpty());
        assertTrue(a.avp(DiameterConstants.AVP_ERROR_MESSAGE).isEmpty(), "empty Error-Message is left out");
    }
}

package org.sipcharge.sip.b2bua;

import org.junit.jupiter.api.Test;
import org.sipcharge.sip.b2bua.domain.CallPhase;
import org.sipcharge.sip.b2bua.domain.CallState;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallStateTest {

    private static CallState typical() {
        CallState s = new CallState();
        s.phase = CallPhase.CONFIRMED;
        s.callingParty = "sip:sipp@127.0.0.1:5061";
        s.calledParty = "sip:service@127.0.0.1:5060";
        s.requestTimeMillis = 1_700_000_000_000L;
        s.answerTimeMillis = 1_700_000_000_250L;
        s.node = "instance-1";
        s.aCallId = "1-12345@127.0.0.1";
        s.aRemoteTag = "12345SIPpTag001";
        s.aLocalTag = "9f2c0a1b3d4e5f60";
        s.aRemoteUri = "sip:sipp@127.0.0.1:5061";
        s.aLocalUri = "sip:service@127.0.0.1:5060";
        s.aRemoteTarget = "sip:sipp@127.0.0.1:5061";
        s.aRouteSet = "<sip:10.0.0.1;lr>\n<sip:10.0.0.2;lr>";
        s.aTransport = "udp";
        s.aLocalCseq = 7;
        s.bCallId = B2bua.B_LEG_PREFIX + s.aCallId;
        s.bLocalTag = "0a1b2c3d4e5f6071";
        s.bRemoteTag = "3SIPpTag011";
        s.bRemoteTarget = "sip:127.0.0.1:5070;transport=UDP";
        s.bRequestUri = "sip:service@127.0.0.1:5070";
        s.bInviteCseq = 1;
        s.bLocalCseq = 2;
        s.charged = true;
        return s;
    }

    @Test
    void chargingVectorFieldsRoundTripAndStateOfThePreviousReleaseStillReads() {
        CallState s = typical();
        s.icid = "sipcharge-0123456789abcdef0123456789abcdef";
        s.originatingIoi = "home1.net";
        byte[] bytes = s.toBytes();
        CallState back = CallState.fromBytes(bytes);
        assertEquals(s.icid, back.icid);
        assertEquals("home1.net", back.originatingIoi);
        // The previous release wrote the same layout without the two trailing strings.
        byte[] old = java.util.Arrays.copyOf(bytes, bytes.length - (2 + s.icid.length()) - (2 + s.originatingIoi.length()));
        CallState fromOld = CallState.fromBytes(old);
        assertEquals("", fromOld.icid);
        assertEquals(s.bLocalCseq, fromOld.bLocalCseq);
    }

    @Test
    void roundTripKeepsEveryField() {
        CallState s = typical();
        byte[] bytes = s.toBytes();
        CallState back = CallState.fromBytes(bytes);
        assertArrayEquals(bytes, back.toBytes());
        assertEquals(CallPhase.CONFIRMED, back.phase);
        assertEquals(s.aRouteSet, back.aRouteSet);
        assertEquals(7, back.aLocalCseq);
        assertTrue(back.charged);
    }

    @Test
    void aTypicalCallIsWellUnderTwoKilobytes() {
        assertTrue(typical().toBytes().length < 2048, "bytes per copy: " + typical().toBytes().length);
    }

    @Test
    void unknownFormatIsRefused() {
        byte[] bytes = typical().toBytes();
        bytes[0] = 99;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallState.fromBytes(bytes));
        assertTrue(e.getMessage().startsWith("SIP-300"), e.getMessage());
    }

    @Test
    void truncatedStateIsRefused() {
        byte[] bytes = typical().toBytes();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallState.fromBytes(cut));
        assertTrue(e.getMessage().startsWith("SIP-301"), e.getMessage());
    }
}

package org.sipcharge.charging.infrastructure.diameter;

import org.junit.jupiter.api.Test;
import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.DictionaryValidator;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The ACR as the CTF builds it and as the CDF reads it back, through the bytes and the dictionary check. */
class RfMessageMapperTest {

    private static final Instant REQUESTED = Instant.parse("2026-11-24T10:00:00.120Z");
    private static final Instant ANSWERED = Instant.parse("2026-11-24T10:00:01.450Z");

    private static AccountingRequest start(ImsChargingInfo ims) {
        return new AccountingRequest("ctf.example;1;2;3", "ctf.example", AccountingRecordType.START, 0, false,
                "call-1@192.0.2.1", "sip:alice@example.org", "sip:bob@example.org", REQUESTED, ANSWERED, ANSWERED, 0)
                .withIms(ims);
    }

    private static AccountingRequest throughTheWire(AccountingRequest r) throws Exception {
        DiameterMessage acr = RfMessageMapper.toAcr(r, "charging.example")
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "ctf.example"))
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example"))
                .build();
        DiameterMessage received = DiameterMessage.decode(acr.encode());
        DictionaryValidator.validate(received); // every AVP known to the TS 32.299 dictionary, in its place
        return RfMessageMapper.fromAcr(received);
    }

    @Test
    void imsChargingIdentifierIoisAndSdpMediaComponentsSurviveTheWire() throws Exception {
        ImsChargingInfo ims = ImsChargingInfo.of("icid-0123456789abcdef", "orig.operator-a.example", "term.operator-b.example",
                List.of("c=IN IP4 192.0.2.10", "m=audio 6000 RTP/AVP 0 8", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
                        "m=video 6002 RTP/AVP 96", "b=AS:512", "a=rtpmap:96 H264/90000"));
        AccountingRequest back = throughTheWire(start(ims));
        assertEquals(ims, back.ims());
        assertEquals(2, back.ims().mediaComponents().size(), "one SDP-Media-Component per m= line");
        assertEquals(DiameterConstants.SERVICE_CONTEXT_ID_IMS, back.serviceContextId());
    }

    @Test
    void anAcrWithoutImsDetailsReadsAsNone() throws Exception {
        AccountingRequest back = throughTheWire(start(ImsChargingInfo.NONE));
        assertEquals(ImsChargingInfo.NONE, back.ims());
    }

    @Test
    void onlyTheOriginatingIoiIsSentWhenTheCalleeGaveNone() throws Exception {
        AccountingRequest back = throughTheWire(start(ImsChargingInfo.of("icid-1", "orig.example", null, List.of())));
        assertEquals("orig.example", back.ims().originatingIoi());
        assertNull(back.ims().terminatingIoi());
        assertEquals(List.of(), back.ims().sdpMedia());
    }

    @Test
    void valuesTheCdrCannotHoldAreLeftOutNotRefused() throws Exception {
        // A peer's IMS-Charging-Identifier in non-ASCII UTF-8 is valid Diameter; the record keeps the rest.
        DiameterMessage acr = RfMessageMapper.toAcr(start(ImsChargingInfo.NONE), "charging.example")
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "ctf.example"))
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example"))
                .build();
        // rebuild with an extra IMS-Charging-Identifier inside IMS-Information
        DiameterMessage.Builder b = DiameterMessage.request(acr.commandCode(), acr.applicationId());
        for (Avp a : acr.avps()) {
            if (a.code() == DiameterConstants.AVP_SERVICE_INFORMATION) {
                Avp imsInfo = a.groupedAvps().get(0);
                List<Avp> members = new java.util.ArrayList<>(imsInfo.groupedAvps());
                members.add(Avp.utf8(DiameterConstants.AVP_IMS_CHARGING_IDENTIFIER, DiameterConstants.VENDOR_3GPP, true, "icid-\u00e9t\u00e9"));
                b.add(Avp.grouped(a.code(), a.vendorId(), true, List.of(Avp.grouped(imsInfo.code(), imsInfo.vendorId(), true, members))));
            } else {
                b.add(a);
            }
        }
        DiameterMessage received = DiameterMessage.decode(b.build().encode());
        DictionaryValidator.validate(received);
        AccountingRequest back = RfMessageMapper.fromAcr(received);
        assertNull(back.ims().icid());
        assertEquals("sip:alice@example.org", back.callingParty());
    }
}

package org.sipcharge.diameter.bench;

import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A typical IMS Rf ACR (START record of an originating INVITE at an AS), built AVP for AVP as
 * charging-ejb's RfMessageMapper.toAcr builds it, plus the Origin-Host and Origin-Realm that RfClient adds before
 * sending: Session-Id, Destination-Realm, Accounting-Record-Type/-Number, Acct-Application-Id, Service-Context-Id,
 * Event-Timestamp, and Service-Information / IMS-Information with Event-Type / SIP-Method, Role-Of-Node,
 * Node-Functionality, User-Session-Id, Calling- and Called-Party-Address, Time-Stamps (both timestamps and their
 * fractions) and Cause-Code. 24 AVPs (10 at the top), 4 of them Grouped, nested 3 deep; 544 bytes on the wire.
 */
public final class TypicalAcr {

    private static final long V3 = DiameterConstants.VENDOR_3GPP;
    /** The SIP transaction's times, which the mapper receives as Instants from the domain (not parsed per ACR). */
    private static final Instant REQUEST_TIME = Instant.parse("2025-03-01T10:00:00.120Z");
    private static final Instant RESPONSE_TIME = Instant.parse("2025-03-01T10:00:01.450Z");

    private TypicalAcr() {
    }

    /** Builds the ACR; {@code recordNumber} varies the content the way consecutive records do. */
    public static DiameterMessage build(long recordNumber) {
        Instant requestTime = REQUEST_TIME;
        Instant responseTime = RESPONSE_TIME;
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "as1.ims.example.org;1740823200;" + recordNumber + ";5e1f0c3a9b7d"))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "charging.example.org"))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, DiameterConstants.ACCOUNTING_RECORD_START))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, recordNumber))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, DiameterConstants.APP_BASE_ACCOUNTING))
                .add(Avp.utf8(DiameterConstants.AVP_SERVICE_CONTEXT_ID, 0, true, DiameterConstants.SERVICE_CONTEXT_ID_IMS))
                .add(Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, responseTime));
        List<Avp> ims = new ArrayList<>();
        ims.add(Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, V3, true,
                List.of(Avp.utf8(DiameterConstants.AVP_SIP_METHOD, V3, true, "INVITE"))));
        ims.add(Avp.unsigned32(DiameterConstants.AVP_ROLE_OF_NODE, V3, true, 0));
        ims.add(Avp.unsigned32(DiameterConstants.AVP_NODE_FUNCTIONALITY, V3, true, 6));
        ims.add(Avp.utf8(DiameterConstants.AVP_USER_SESSION_ID, V3, true, "a84b4c76e66710@pc33.atlanta.example.com"));
        ims.add(Avp.utf8(DiameterConstants.AVP_CALLING_PARTY_ADDRESS, V3, true, "sip:alice@atlanta.example.com"));
        ims.add(Avp.utf8(DiameterConstants.AVP_CALLED_PARTY_ADDRESS, V3, true, "sip:bob@biloxi.example.com"));
        List<Avp> stamps = new ArrayList<>();
        stamps.add(Avp.time(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, V3, true, requestTime));
        stamps.add(Avp.unsigned32(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP_FRACTION, V3, true, requestTime.getNano() / 1_000_000));
        stamps.add(Avp.time(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP, V3, true, responseTime));
        stamps.add(Avp.unsigned32(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP_FRACTION, V3, true, responseTime.getNano() / 1_000_000));
        ims.add(Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, V3, true, stamps));
        ims.add(Avp.integer32(DiameterConstants.AVP_CAUSE_CODE, V3, true, 0));
        b.add(Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, V3, true,
                List.of(Avp.grouped(DiameterConstants.AVP_IMS_INFORMATION, V3, true, ims))));
        // added by RfClient before sending
        b.add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "as1.ims.example.org"));
        b.add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "ims.example.org"));
        return b.build().withIdentifiers(0x1c2d3e4f, 0x5a6b7c8d);
    }

    /** Decodes every Grouped AVP down to its leaves (they are decoded lazily) and counts the AVPs. */
    public static int walk(List<Avp> avps) {
        int n = 0;
        for (int i = 0, size = avps.size(); i < size; i++) {
            Avp a = avps.get(i);
            n++;
            if (isGrouped(a)) {
                n += walk(a.groupedAvps());
            }
        }
        return n;
    }

    private static boolean isGrouped(Avp a) {
        if (a.vendorId() == V3) {
            int c = a.code();
            return c == DiameterConstants.AVP_SERVICE_INFORMATION || c == DiameterConstants.AVP_IMS_INFORMATION
                    || c == DiameterConstants.AVP_EVENT_TYPE || c == DiameterConstants.AVP_TIME_STAMPS;
        }
        return false;
    }
}

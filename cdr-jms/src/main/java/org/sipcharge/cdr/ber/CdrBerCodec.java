package org.sipcharge.cdr.ber;

import com.beanit.asn1bean.ber.ReverseByteArrayOutputStream;
import com.beanit.asn1bean.ber.types.BerBoolean;
import com.beanit.asn1bean.ber.types.BerInteger;
import com.beanit.asn1bean.ber.types.BerNull;
import com.beanit.asn1bean.ber.types.BerOctetString;
import com.beanit.asn1bean.ber.types.string.BerGraphicString;
import com.beanit.asn1bean.ber.types.string.BerUTF8String;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.ACRInterimLost;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.ASRecord;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.IMSChargingIdentifier;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.Milliseconds;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.IMSRecord;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.IncompleteCDRIndication;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.ListOfInvolvedParties;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.LocalSequenceNumber;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.MediaComponentsList;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.NodeAddress;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.RecordType;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.SDPMediaComponent;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.SDPMediaDescription;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.SIPMethod;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.ServiceContextID;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.SessionId;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.SubscriptionID;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.SubscriptionIDType;
import org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.TimeStamp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The CDR body as TS 32.298 specifies it: an {@code IMSRecord} holding an {@code ASRecord}, in canonical BER
 * (definite lengths, SET components in tag order, BOOLEAN TRUE as 0xFF). The ASN.1 is
 * {@code src/main/asn1/SipchargeIMSChargingDataTypes.asn}; the encoding itself is done by the classes
 * asn1bean generates from it, this class only maps them to and from {@link ImsChargingRecord}.
 *
 * <p>The body starts with the identifier octets {@code BF 45} ([69] constructed: aSRecord) and so can be told
 * from a {@link org.sipcharge.cdr.CdrTextCodec} body by its first byte.
 */
public final class CdrBerCodec {

    /**
     * Longest body {@link #decode} accepts and {@link #encode} produces. A full sipcharge AS record is well
     * under 2 KiB; the bound keeps a corrupt or hostile body from costing more than this much memory.
     */
    public static final int MAX_ENCODED_LENGTH = 64 * 1024;

    private CdrBerCodec() {
    }

    /**
     * @throws IllegalArgumentException when the encoding would exceed {@link #MAX_ENCODED_LENGTH}
     */
    public static byte[] encode(ImsChargingRecord record) {
        ASRecord as = new ASRecord();
        as.setRecordType(new RecordType(ImsChargingRecord.RECORD_TYPE_AS));
        if (record.retransmission()) {
            as.setRetransmission(new BerNull());
        }
        if (record.sipMethod() != null) {
            as.setSIPMethod(new SIPMethod(ascii(record.sipMethod())));
        }
        if (record.roleOfNode() != null) {
            as.setRoleOfNode(new org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.RoleOfNode(record.roleOfNode().code()));
        }
        if (record.nodeAddress() != null) {
            NodeAddress node = new NodeAddress();
            node.setDomainName(graphic(record.nodeAddress()));
            as.setNodeAddress(node);
        }
        if (record.sessionId() != null) {
            as.setSessionId(new SessionId(ascii(record.sessionId())));
        }
        if (!record.callingParties().isEmpty()) {
            ListOfInvolvedParties calling = new ListOfInvolvedParties();
            for (InvolvedParty p : record.callingParties()) {
                calling.getInvolvedParty().add(party(p));
            }
            as.setListOfCallingPartyAddress(calling);
        }
        if (record.calledParty() != null) {
            as.setCalledPartyAddress(party(record.calledParty()));
        }
        as.setServiceRequestTimeStamp(timeStamp(seconds(record.serviceRequestTime())));
        as.setServiceDeliveryStartTimeStamp(timeStamp(seconds(record.serviceDeliveryStartTime())));
        as.setServiceDeliveryEndTimeStamp(timeStamp(seconds(record.serviceDeliveryEndTime())));
        as.setServiceRequestTimeStampFraction(millis(record.serviceRequestTime()));
        as.setServiceDeliveryStartTimeStampFraction(millis(record.serviceDeliveryStartTime()));
        as.setServiceDeliveryEndTimeStampFraction(millis(record.serviceDeliveryEndTime()));
        as.setRecordOpeningTime(timeStamp(record.recordOpeningTime()));
        as.setRecordClosureTime(timeStamp(record.recordClosureTime()));
        if (record.interOperatorIdentifiers() != null) {
            var ioi = new org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.InterOperatorIdentifiers();
            if (record.interOperatorIdentifiers().originatingIoi() != null) {
                ioi.setOriginatingIOI(graphic(record.interOperatorIdentifiers().originatingIoi()));
            }
            if (record.interOperatorIdentifiers().terminatingIoi() != null) {
                ioi.setTerminatingIOI(graphic(record.interOperatorIdentifiers().terminatingIoi()));
            }
            as.setInterOperatorIdentifiers(ioi);
        }
        if (record.localRecordSequenceNumber() != null) {
            as.setLocalRecordSequenceNumber(new LocalSequenceNumber(record.localRecordSequenceNumber()));
        }
        if (record.recordSequenceNumber() != null) {
            as.setRecordSequenceNumber(new BerInteger(record.recordSequenceNumber()));
        }
        if (record.causeForRecordClosing() != null) {
            as.setCauseForRecordClosing(new org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.CauseForRecordClosing(
                    record.causeForRecordClosing().code()));
        }
        if (record.incompleteCdrIndication() != null) {
            IncompleteCdrIndication in = record.incompleteCdrIndication();
            IncompleteCDRIndication indication = new IncompleteCDRIndication();
            indication.setACRStartLost(new BerBoolean(in.acrStartLost()));
            indication.setACRInterimLost(new ACRInterimLost(in.acrInterimLost().code()));
            indication.setACRStopLost(new BerBoolean(in.acrStopLost()));
            as.setIncompleteCDRIndication(indication);
        }
        if (record.imsChargingIdentifier() != null) {
            as.setIMSChargingIdentifier(new IMSChargingIdentifier(ascii(record.imsChargingIdentifier())));
        }
        if (!record.sdpMediaComponents().isEmpty()) {
            ASRecord.ListOfSDPMediaComponents media = new ASRecord.ListOfSDPMediaComponents();
            for (MediaComponents m : record.sdpMediaComponents()) {
                media.getMediaComponentsList().add(mediaComponents(m));
            }
            as.setListOfSDPMediaComponents(media);
        }
        if (record.serviceContextId() != null) {
            as.setServiceContextID(new ServiceContextID(record.serviceContextId().getBytes(StandardCharsets.UTF_8)));
        }
        if (!record.subscriptionIds().isEmpty()) {
            ASRecord.ListOfSubscriptionID ids = new ASRecord.ListOfSubscriptionID();
            for (SubscriptionId s : record.subscriptionIds()) {
                SubscriptionID id = new SubscriptionID();
                id.setSubscriptionIDType(new SubscriptionIDType(s.type().code()));
                id.setSubscriptionIDData(new BerUTF8String(s.data().getBytes(StandardCharsets.UTF_8)));
                ids.getSubscriptionID().add(id);
            }
            as.setListOfSubscriptionID(ids);
        }
        IMSRecord ims = new IMSRecord();
        ims.setASRecord(as);
        ReverseByteArrayOutputStream out = new ReverseByteArrayOutputStream(512, true);
        try {
            ims.encode(out);
        } catch (IOException e) {
            // Only thrown for a CHOICE with nothing selected, which the code above never builds.
            throw new UncheckedIOException("asn1bean could not encode the record", e);
        }
        byte[] encoded = out.getArray();
        if (encoded.length > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException("encoded CDR of " + encoded.length + " bytes exceeds " + MAX_ENCODED_LENGTH);
        }
        return encoded;
    }

    /**
     * @throws CdrBerException naming the first problem: a structural error with its byte offset (truncated,
     *                         length beyond the bytes, indefinite length, trailing bytes), a tag that is not
     *                         the one expected, a missing mandatory field or a value out of range
     */
    public static ImsChargingRecord decode(byte[] body) {
        if (body == null) {
            throw new CdrBerException("CDR body is null");
        }
        if (body.length > MAX_ENCODED_LENGTH) {
            throw new CdrBerException("CDR body of " + body.length + " bytes exceeds " + MAX_ENCODED_LENGTH);
        }
        if (body.length == 0) {
            throw new CdrBerException("CDR body is empty");
        }
        if ((body[0] & 0xff) != 0xBF || (body.length > 1 && body[1] != ImsChargingRecord.RECORD_TYPE_AS)) {
            throw new CdrBerException(String.format("not a TS 32.298 IMSRecord aSRecord: it starts with %s, expected"
                    + " BF 45 ([69] constructed)", body.length > 1
                    ? String.format("%02X %02X", body[0] & 0xff, body[1] & 0xff) : String.format("%02X", body[0] & 0xff)));
        }
        BerStructure.check(body);
        IMSRecord ims = new IMSRecord();
        try {
            ims.decode(new ByteArrayInputStream(body));
        } catch (IOException | RuntimeException e) {
            throw new CdrBerException("CDR body does not match the TS 32.298 ASRecord: " + e.getMessage(), e);
        }
        try {
            return toRecord(ims.getASRecord());
        } catch (CdrBerException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new CdrBerException("CDR body holds an invalid value: " + e.getMessage(), e);
        }
    }

    private static ImsChargingRecord toRecord(ASRecord as) {
        if (as.getRecordType() == null) {
            throw new CdrBerException("recordType [0] is missing; TS 32.298 makes it mandatory");
        }
        long recordType = longValue(as.getRecordType(), "recordType");
        if (recordType != ImsChargingRecord.RECORD_TYPE_AS) {
            throw new CdrBerException("recordType is " + recordType + ", an aSRecord has " + ImsChargingRecord.RECORD_TYPE_AS);
        }
        ImsChargingRecord.Builder b = ImsChargingRecord.builder()
                .retransmission(as.getRetransmission() != null)
                .sipMethod(text(as.getSIPMethod()))
                .sessionId(text(as.getSessionId()))
                .imsChargingIdentifier(text(as.getIMSChargingIdentifier()))
                .serviceRequestTime(withMillis(time(as.getServiceRequestTimeStamp(), "serviceRequestTimeStamp"),
                        as.getServiceRequestTimeStampFraction(), "serviceRequestTimeStampFraction"))
                .serviceDeliveryStartTime(withMillis(time(as.getServiceDeliveryStartTimeStamp(), "serviceDeliveryStartTimeStamp"),
                        as.getServiceDeliveryStartTimeStampFraction(), "serviceDeliveryStartTimeStampFraction"))
                .serviceDeliveryEndTime(withMillis(time(as.getServiceDeliveryEndTimeStamp(), "serviceDeliveryEndTimeStamp"),
                        as.getServiceDeliveryEndTimeStampFraction(), "serviceDeliveryEndTimeStampFraction"))
                .recordOpeningTime(time(as.getRecordOpeningTime(), "recordOpeningTime"))
                .recordClosureTime(time(as.getRecordClosureTime(), "recordClosureTime"));
        if (as.getRoleOfNode() != null) {
            b.roleOfNode(RoleOfNode.fromCode(longValue(as.getRoleOfNode(), "role-of-Node")));
        }
        if (as.getNodeAddress() != null) {
            if (as.getNodeAddress().getDomainName() == null) {
                throw new CdrBerException("nodeAddress [4] has no domainName");
            }
            b.nodeAddress(text(as.getNodeAddress().getDomainName()));
        }
        if (as.getListOfCallingPartyAddress() != null) {
            List<InvolvedParty> calling = new ArrayList<>();
            for (var p : as.getListOfCallingPartyAddress().getInvolvedParty()) {
                calling.add(party(p, "list-Of-Calling-Party-Address"));
            }
            b.callingParties(calling);
        }
        if (as.getCalledPartyAddress() != null) {
            b.calledParty(party(as.getCalledPartyAddress(), "called-Party-Address"));
        }
        if (as.getInterOperatorIdentifiers() != null) {
            b.interOperatorIdentifiers(new InterOperatorIdentifiers(text(as.getInterOperatorIdentifiers().getOriginatingIOI()),
                    text(as.getInterOperatorIdentifiers().getTerminatingIOI())));
        }
        if (as.getLocalRecordSequenceNumber() != null) {
            b.localRecordSequenceNumber(longValue(as.getLocalRecordSequenceNumber(), "localRecordSequenceNumber"));
        }
        if (as.getRecordSequenceNumber() != null) {
            b.recordSequenceNumber(longValue(as.getRecordSequenceNumber(), "recordSequenceNumber"));
        }
        if (as.getCauseForRecordClosing() != null) {
            b.causeForRecordClosing(CauseForRecordClosing.fromCode(longValue(as.getCauseForRecordClosing(), "causeForRecordClosing")));
        }
        if (as.getIncompleteCDRIndication() != null) {
            IncompleteCDRIndication in = as.getIncompleteCDRIndication();
            if (in.getACRStartLost() == null || in.getACRInterimLost() == null || in.getACRStopLost() == null) {
                throw new CdrBerException("incomplete-CDR-Indication [18] lacks one of its three mandatory components");
            }
            b.incompleteCdrIndication(new IncompleteCdrIndication(in.getACRStartLost().value,
                    AcrInterimLost.fromCode(longValue(in.getACRInterimLost(), "aCRInterimLost")), in.getACRStopLost().value));
        }
        if (as.getListOfSDPMediaComponents() != null) {
            List<MediaComponents> media = new ArrayList<>();
            for (MediaComponentsList m : as.getListOfSDPMediaComponents().getMediaComponentsList()) {
                media.add(mediaComponents(m));
            }
            b.sdpMediaComponents(media);
        }
        if (as.getServiceContextID() != null) {
            b.serviceContextId(utf8(as.getServiceContextID(), "serviceContextID"));
        }
        if (as.getListOfSubscriptionID() != null) {
            List<SubscriptionId> ids = new ArrayList<>();
            for (SubscriptionID id : as.getListOfSubscriptionID().getSubscriptionID()) {
                if (id.getSubscriptionIDType() == null || id.getSubscriptionIDData() == null) {
                    throw new CdrBerException("a SubscriptionID lacks its type [0] or its data [1]");
                }
                ids.add(new SubscriptionId(SubscriptionIdType.fromCode(longValue(id.getSubscriptionIDType(), "subscriptionIDType")),
                        utf8(id.getSubscriptionIDData(), "subscriptionIDData")));
            }
            b.subscriptionIds(ids);
        }
        return b.build();
    }

    private static org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.InvolvedParty party(InvolvedParty p) {
        var party = new org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.InvolvedParty();
        BerGraphicString address = graphic(p.address());
        switch (p.kind()) {
            case SIP_URI -> party.setSIPURI(address);
            case TEL_URI -> party.setTELURI(address);
            case URN -> party.setURN(address);
            case ISDN_E164 -> party.setISDNE164(address);
        }
        return party;
    }

    private static InvolvedParty party(org.sipcharge.cdr.ber.asn1.sipchargeimschargingdatatypes.InvolvedParty p, String field) {
        if (p.getSIPURI() != null) {
            return new InvolvedParty(InvolvedParty.Kind.SIP_URI, text(p.getSIPURI()));
        }
        if (p.getTELURI() != null) {
            return new InvolvedParty(InvolvedParty.Kind.TEL_URI, text(p.getTELURI()));
        }
        if (p.getURN() != null) {
            return new InvolvedParty(InvolvedParty.Kind.URN, text(p.getURN()));
        }
        if (p.getISDNE164() != null) {
            return new InvolvedParty(InvolvedParty.Kind.ISDN_E164, text(p.getISDNE164()));
        }
        throw new CdrBerException(field + " holds an InvolvedParty with no alternative selected");
    }

    private static MediaComponentsList mediaComponents(MediaComponents m) {
        MediaComponentsList list = new MediaComponentsList();
        list.setSIPRequestTimestamp(timeStamp(m.sipRequestTime()));
        list.setSIPResponseTimestamp(timeStamp(m.sipResponseTime()));
        if (!m.components().isEmpty()) {
            MediaComponentsList.SDPMediaComponents components = new MediaComponentsList.SDPMediaComponents();
            for (SdpMediaComponent c : m.components()) {
                SDPMediaComponent component = new SDPMediaComponent();
                if (c.mediaName() != null) {
                    component.setSDPMediaName(graphic(c.mediaName()));
                }
                if (!c.mediaDescriptions().isEmpty()) {
                    SDPMediaDescription descriptions = new SDPMediaDescription();
                    for (String d : c.mediaDescriptions()) {
                        descriptions.getBerGraphicString().add(graphic(d));
                    }
                    component.setSDPMediaDescriptions(descriptions);
                }
                components.getSDPMediaComponent().add(component);
            }
            list.setSDPMediaComponents(components);
        }
        if (m.mediaInitiator()) {
            list.setMediaInitiatorFlag(new BerNull());
        }
        if (!m.sessionDescription().isEmpty()) {
            MediaComponentsList.SDPSessionDescription session = new MediaComponentsList.SDPSessionDescription();
            for (String line : m.sessionDescription()) {
                session.getBerGraphicString().add(graphic(line));
            }
            list.setSDPSessionDescription(session);
        }
        return list;
    }

    private static MediaComponents mediaComponents(MediaComponentsList m) {
        List<SdpMediaComponent> components = new ArrayList<>();
        if (m.getSDPMediaComponents() != null) {
            for (SDPMediaComponent c : m.getSDPMediaComponents().getSDPMediaComponent()) {
                List<String> descriptions = new ArrayList<>();
                if (c.getSDPMediaDescriptions() != null) {
                    for (BerGraphicString d : c.getSDPMediaDescriptions().getBerGraphicString()) {
                        descriptions.add(text(d));
                    }
                }
                components.add(new SdpMediaComponent(text(c.getSDPMediaName()), descriptions));
            }
        }
        List<String> session = new ArrayList<>();
        if (m.getSDPSessionDescription() != null) {
            for (BerGraphicString line : m.getSDPSessionDescription().getBerGraphicString()) {
                session.add(text(line));
            }
        }
        return new MediaComponents(time(m.getSIPRequestTimestamp(), "sIP-Request-Timestamp"),
                time(m.getSIPResponseTimestamp(), "sIP-Response-Timestamp"), components, m.getMediaInitiatorFlag() != null, session);
    }

    private static OffsetDateTime seconds(OffsetDateTime t) {
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** TS 32.298 Milliseconds of a service time stamp; absent when there are none (canonical: .000 is not written). */
    private static Milliseconds millis(OffsetDateTime t) {
        if (t == null || t.getNano() == 0) {
            return null;
        }
        return new Milliseconds(t.getNano() / 1_000_000);
    }

    private static OffsetDateTime withMillis(OffsetDateTime t, Milliseconds fraction, String field) {
        if (fraction == null) {
            return t;
        }
        long ms = longValue(fraction, field);
        if (ms < 1 || ms > 999) {
            // 0 is not written by a canonical encoder; above 999 is outside INTEGER (0..999).
            throw new CdrBerException(field + " is " + ms + ", not within 1..999");
        }
        if (t == null) {
            throw new CdrBerException(field + " without its time stamp");
        }
        return t.plusNanos(ms * 1_000_000);
    }

    private static TimeStamp timeStamp(OffsetDateTime time) {
        return time == null ? null : new TimeStamp(BcdTimeStamp.encode(time));
    }

    private static OffsetDateTime time(TimeStamp stamp, String field) {
        if (stamp == null) {
            return null;
        }
        try {
            return BcdTimeStamp.decode(stamp.value);
        } catch (CdrBerException e) {
            throw new CdrBerException(field + ": " + e.getMessage(), e);
        }
    }

    private static BerGraphicString graphic(String value) {
        return new BerGraphicString(ascii(value));
    }

    /** The value types only admit printable US-ASCII in GraphicString fields, so this loses nothing. */
    private static byte[] ascii(String value) {
        return value.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A GraphicString or OCTET STRING read as ISO 8859-1, which maps every byte to one char; the value types'
     * constructors then refuse anything that is not printable US-ASCII, naming the field.
     */
    private static String text(BerOctetString value) {
        return value == null ? null : new String(value.value, StandardCharsets.ISO_8859_1);
    }

    private static String utf8(BerOctetString value, String field) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value.value)).toString();
        } catch (CharacterCodingException e) {
            throw new CdrBerException(field + " is not valid UTF-8", e);
        }
    }

    private static long longValue(BerInteger value, String field) {
        if (value.value.bitLength() > 63) {
            throw new CdrBerException(field + " value does not fit in 64 bits");
        }
        return value.value.longValue();
    }
}

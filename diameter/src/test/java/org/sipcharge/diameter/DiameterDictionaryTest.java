package org.sipcharge.diameter;

import org.junit.jupiter.api.Test;
import org.sipcharge.diameter.DiameterDictionary.AvpDefinition;
import org.sipcharge.diameter.DiameterDictionary.DataType;
import org.sipcharge.diameter.DiameterDictionary.FlagRule;
import org.sipcharge.diameter.DiameterDictionary.Member;
import org.sipcharge.diameter.DiameterDictionary.Membership;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DiameterDictionaryTest {

    private static final DiameterDictionary D = DiameterDictionary.standard();
    private static final long V3 = DiameterConstants.VENDOR_3GPP;

    private static void assertAvp(int code, long vendor, String name, DataType type, FlagRule m) {
        AvpDefinition d = D.avp(code, vendor);
        assertNotNull(d, name + " " + code + "/" + vendor);
        assertEquals(name, d.name());
        assertEquals(type, d.type(), name);
        assertEquals(m, d.mandatoryBit(), name);
        assertSame(d, D.find(name).orElseThrow());
    }

    @Test
    void standardIsBuiltOnce() {
        assertSame(DiameterDictionary.standard(), DiameterDictionary.standard());
        assertSame(DictionaryValidator.standard(), DictionaryValidator.standard());
    }

    @Test
    void baseProtocolAvps() {
        assertAvp(263, 0, "Session-Id", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(264, 0, "Origin-Host", DataType.DIAMETER_IDENTITY, FlagRule.MUST);
        assertAvp(296, 0, "Origin-Realm", DataType.DIAMETER_IDENTITY, FlagRule.MUST);
        assertAvp(293, 0, "Destination-Host", DataType.DIAMETER_IDENTITY, FlagRule.MUST);
        assertAvp(283, 0, "Destination-Realm", DataType.DIAMETER_IDENTITY, FlagRule.MUST);
        assertAvp(257, 0, "Host-IP-Address", DataType.ADDRESS, FlagRule.MUST);
        assertAvp(266, 0, "Vendor-Id", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(269, 0, "Product-Name", DataType.UTF8_STRING, FlagRule.MUST_NOT);
        assertAvp(278, 0, "Origin-State-Id", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(265, 0, "Supported-Vendor-Id", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(260, 0, "Vendor-Specific-Application-Id", DataType.GROUPED, FlagRule.MUST);
        assertAvp(258, 0, "Auth-Application-Id", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(259, 0, "Acct-Application-Id", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(299, 0, "Inband-Security-Id", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(267, 0, "Firmware-Revision", DataType.UNSIGNED32, FlagRule.MUST_NOT);
        assertAvp(268, 0, "Result-Code", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(297, 0, "Experimental-Result", DataType.GROUPED, FlagRule.MUST);
        assertAvp(298, 0, "Experimental-Result-Code", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(281, 0, "Error-Message", DataType.UTF8_STRING, FlagRule.MUST_NOT);
        assertAvp(294, 0, "Error-Reporting-Host", DataType.DIAMETER_IDENTITY, FlagRule.MUST_NOT);
        assertAvp(279, 0, "Failed-AVP", DataType.GROUPED, FlagRule.MUST);
        assertAvp(273, 0, "Disconnect-Cause", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(282, 0, "Route-Record", DataType.DIAMETER_IDENTITY, FlagRule.MUST);
        assertAvp(284, 0, "Proxy-Info", DataType.GROUPED, FlagRule.MUST);
        assertAvp(280, 0, "Proxy-Host", DataType.DIAMETER_IDENTITY, FlagRule.MUST);
        assertAvp(33, 0, "Proxy-State", DataType.OCTET_STRING, FlagRule.MUST);
        assertAvp(1, 0, "User-Name", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(55, 0, "Event-Timestamp", DataType.TIME, FlagRule.MUST);
        assertAvp(480, 0, "Accounting-Record-Type", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(485, 0, "Accounting-Record-Number", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(287, 0, "Accounting-Sub-Session-Id", DataType.UNSIGNED64, FlagRule.MUST);
        assertAvp(44, 0, "Acct-Session-Id", DataType.OCTET_STRING, FlagRule.MUST);
        assertAvp(50, 0, "Acct-Multi-Session-Id", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(85, 0, "Acct-Interim-Interval", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(483, 0, "Accounting-Realtime-Required", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(295, 0, "Termination-Cause", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(25, 0, "Class", DataType.OCTET_STRING, FlagRule.MUST);
        assertAvp(292, 0, "Redirect-Host", DataType.DIAMETER_URI, FlagRule.MUST);
    }

    @Test
    void rfAvps() {
        assertAvp(461, 0, "Service-Context-Id", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(443, 0, "Subscription-Id", DataType.GROUPED, FlagRule.MUST);
        assertAvp(450, 0, "Subscription-Id-Type", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(444, 0, "Subscription-Id-Data", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(873, V3, "Service-Information", DataType.GROUPED, FlagRule.MUST);
        assertAvp(876, V3, "IMS-Information", DataType.GROUPED, FlagRule.MUST);
        assertAvp(823, V3, "Event-Type", DataType.GROUPED, FlagRule.MUST);
        assertAvp(824, V3, "SIP-Method", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(825, V3, "Event", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(888, V3, "Expires", DataType.UNSIGNED32, FlagRule.MUST);
        assertAvp(829, V3, "Role-Of-Node", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(862, V3, "Node-Functionality", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(830, V3, "User-Session-Id", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(831, V3, "Calling-Party-Address", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(832, V3, "Called-Party-Address", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(833, V3, "Time-Stamps", DataType.GROUPED, FlagRule.MUST);
        assertAvp(834, V3, "SIP-Request-Timestamp", DataType.TIME, FlagRule.MUST);
        assertAvp(835, V3, "SIP-Response-Timestamp", DataType.TIME, FlagRule.MUST);
        assertAvp(2301, V3, "SIP-Request-Timestamp-Fraction", DataType.UNSIGNED32, FlagRule.MAY);
        assertAvp(2302, V3, "SIP-Response-Timestamp-Fraction", DataType.UNSIGNED32, FlagRule.MAY);
        assertAvp(841, V3, "IMS-Charging-Identifier", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(838, V3, "Inter-Operator-Identifier", DataType.GROUPED, FlagRule.MUST);
        assertAvp(839, V3, "Originating-IOI", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(840, V3, "Terminating-IOI", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(842, V3, "SDP-Session-Description", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(843, V3, "SDP-Media-Component", DataType.GROUPED, FlagRule.MUST);
        assertAvp(844, V3, "SDP-Media-Name", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(845, V3, "SDP-Media-Description", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(882, V3, "Media-Initiator-Flag", DataType.ENUMERATED, FlagRule.MUST);
        assertAvp(861, V3, "Cause-Code", DataType.INTEGER32, FlagRule.MUST);
        assertAvp(2064, V3, "Node-Id", DataType.UTF8_STRING, FlagRule.MAY);
        assertAvp(850, V3, "Application-Server-Information", DataType.GROUPED, FlagRule.MUST);
        assertAvp(836, V3, "Application-Server", DataType.UTF8_STRING, FlagRule.MUST);
        assertAvp(1251, V3, "Requested-Party-Address", DataType.UTF8_STRING, FlagRule.MAY);
        assertAvp(1263, V3, "Access-Network-Information", DataType.OCTET_STRING, FlagRule.MAY);
        assertAvp(1249, V3, "Service-Specific-Info", DataType.GROUPED, FlagRule.MAY);
        assertNull(D.avp(873, 0), "Service-Information is a 3GPP AVP, not an IETF one");
        assertNull(D.avp(263, V3));
    }

    @Test
    void groupedMembers() {
        AvpDefinition ims = D.avp(DiameterConstants.AVP_IMS_INFORMATION, V3);
        assertEquals(Membership.OPEN, ims.membership());
        assertTrue(ims.hasMember(DiameterConstants.AVP_EVENT_TYPE, V3));
        assertTrue(ims.hasMember(DiameterConstants.AVP_TIME_STAMPS, V3));
        assertTrue(ims.hasMember(DiameterConstants.AVP_CAUSE_CODE, V3));
        assertTrue(ims.members().contains(new Member(DiameterConstants.AVP_NODE_FUNCTIONALITY, V3, true)),
                "TS 32.299: { Node-Functionality }");
        AvpDefinition stamps = D.avp(DiameterConstants.AVP_TIME_STAMPS, V3);
        assertEquals(Membership.CLOSED, stamps.membership());
        assertEquals(List.of(834, 835, 2301, 2302), stamps.members().stream().map(Member::code).toList());
        assertEquals(List.of(824, 825, 888), D.avp(823, V3).members().stream().map(Member::code).toList());
        assertTrue(D.avp(873, V3).hasMember(876, V3));
        assertTrue(D.avp(873, V3).hasMember(443, 0));
        assertEquals(Membership.OPAQUE, D.avp(279, 0).membership());
        assertEquals(List.of(new Member(266, 0, true), new Member(298, 0, true)), D.avp(297, 0).members());
        assertTrue(D.avp(263, 0).members().isEmpty());
        assertNull(D.avp(263, 0).membership());
    }

    @Test
    void applicationsAndCommands() {
        assertTrue(D.supportsApplication(0));
        assertTrue(D.supportsApplication(3));
        assertFalse(D.supportsApplication(4), "credit control is not served here");
        assertFalse(D.supportsApplication(DiameterConstants.APP_RELAY));
        assertEquals("Accounting", D.command(271, 3).name());
        assertNull(D.command(271, 0), "ACR belongs to base accounting");
        assertNotNull(D.command(257, 0));
        assertNotNull(D.command(280, 0));
        assertNotNull(D.command(282, 0));
        assertEquals(List.of(263, 264, 296, 283, 480, 485),
                D.command(271, 3).requestRequired().stream().map(Member::code).toList());
    }

    @Test
    void examplesOfMissingAvpsHaveTheMinimumLengthOfTheirType() {
        assertEquals(4, D.avp(485, 0).example().dataLength());
        assertEquals(0, D.avp(264, 0).example().dataLength());
        assertEquals(6, D.avp(257, 0).example().dataLength());
        Avp nodeFunctionality = D.avp(862, V3).example();
        assertEquals(V3, nodeFunctionality.vendorId());
        assertTrue(nodeFunctionality.isVendorSpecific());
        assertTrue(nodeFunctionality.isMandatory());
        assertFalse(D.avp(269, 0).example().isMandatory(), "Product-Name's M bit must not be set");
    }

    @Test
    void everyAvpCodeConstantIsInTheDictionary() throws Exception {
        for (Field f : DiameterConstants.class.getFields()) {
            if (f.getName().startsWith("AVP_") && f.getType() == int.class && !f.getName().startsWith("AVP_FLAG")
                    && !f.getName().startsWith("AVP_HEADER") && !f.getName().equals("AVP_LENGTH_FIELD_MAX")
                    && !f.getName().equals("AVP_ALIGNMENT")) {
                int code = f.getInt(null);
                assertTrue(D.avp(code, 0) != null || D.avp(code, V3) != null, f.getName() + " = " + code);
            }
        }
    }

    @Test
    void builderChecksAndExtends() {
        DiameterDictionary.Builder bad = DiameterDictionary.builder().avp(AvpDefinition.grouped(1, 0, "G", FlagRule.MUST,
                "test", Membership.CLOSED, new Member(2, 0, true)));
        IllegalStateException e = assertThrows(IllegalStateException.class, bad::build);
        assertTrue(e.getMessage().contains("undefined AVP 2/0"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> DiameterDictionary.builder()
                .command(new DiameterDictionary.CommandDefinition(1, 99, "X", "test", List.of(), List.of())).build());
        assertThrows(IllegalArgumentException.class, () -> new AvpDefinition(1, 0, "X", DataType.GROUPED, FlagRule.MUST,
                "test", null, List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new AvpDefinition(1, 0, "X", DataType.UTF8_STRING,
                FlagRule.MUST, "t", null, List.of(), java.util.Set.of(1)), "enumerated values on a string");

        assertThrows(IllegalStateException.class, () -> DiameterDictionary.builder()
                .avp(AvpDefinition.of(1, 0, "Same", DataType.UTF8_STRING, FlagRule.MUST, "t"))
                .avp(AvpDefinition.of(2, 0, "Same", DataType.UTF8_STRING, FlagRule.MUST, "t")).build(), "names are unique");

        DiameterDictionary extended = D.toBuilder()
                .application(4, "Credit Control")
                .avp(AvpDefinition.of(9999, 12345, "Vendor-Thing", DataType.FLOAT64, FlagRule.MAY, "test")).build();
        assertEquals(DataType.FLOAT64, extended.avp(9999, 12345).type());
        assertTrue(extended.supportsApplication(4));
        assertNull(D.avp(9999, 12345), "the standard dictionary is unchanged");
        assertEquals(D.avps().size() + 1, extended.avps().size());
    }

    @Test
    void lookupTableHoldsEveryEntry() {
        DiameterDictionary.LongTable<String> t = new DiameterDictionary.LongTable<>(1000);
        Map<Long, String> ref = new HashMap<>();
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 1000; i++) {
            long k = r.nextBoolean() ? r.nextLong() : (long) r.nextInt(5) << 32 | r.nextInt(3000);
            t.put(k, "v" + i);
            ref.put(k, "v" + i);
        }
        ref.forEach((k, v) -> assertEquals(v, t.get(k)));
        assertNull(t.get(0x7777_7777_7777L));
    }

    /**
     * Cross-check with Wireshark's Diameter dictionary, an independent public listing of the same RFC and 3GPP
     * definitions: the same code and vendor give the same name, a compatible data type and the same M rule where the
     * file states one. Skipped where Wireshark's files are not installed.
     */
    @Test
    void agreesWithWiresharksDictionary() throws Exception {
        Path dir = Path.of("/usr/share/wireshark/diameter");
        assumeTrue(Files.isRegularFile(dir.resolve("dictionary.xml")), "Wireshark's Diameter dictionary not installed");
        Map<String, String[]> ws = new HashMap<>(); // "code/vendor" -> name, type, mandatory
        Pattern avp = Pattern.compile("<avp\\s([^>]*)>(.*?)</avp>", Pattern.DOTALL);
        Pattern attr = Pattern.compile("([\\w-]+)=\"([^\"]*)\"");
        Pattern type = Pattern.compile("type-name=\"([^\"]*)\"");
        for (String file : List.of("dictionary.xml", "chargecontrol.xml")) {
            String text = Files.readString(dir.resolve(file));
            Matcher m = avp.matcher(text);
            while (m.find()) {
                Map<String, String> a = new HashMap<>();
                Matcher am = attr.matcher(m.group(1));
                while (am.find()) {
                    a.put(am.group(1), am.group(2));
                }
                Matcher tm = type.matcher(m.group(2));
                String t = tm.find() ? tm.group(1) : m.group(2).contains("<gavp") ? "Grouped" : "?";
                long vendor = "TGPP".equals(a.get("vendor-id")) ? V3 : a.containsKey("vendor-id")
                        && !"None".equals(a.get("vendor-id")) ? -1 : 0;
                ws.putIfAbsent(a.get("code") + "/" + vendor, new String[]{a.get("name"), t, a.getOrDefault("mandatory", "may")});
            }
        }
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (AvpDefinition d : D.avps()) {
            String[] w = ws.get(d.code() + "/" + d.vendorId());
            if (w == null) {
                problems.add(d.name() + " " + d.code() + " not in Wireshark's dictionary");
                continue;
            }
            checked++;
            if (!normalise(w[0]).equals(normalise(d.name()))) {
                problems.add(d.code() + ": " + d.name() + " vs " + w[0]);
            }
            if (!compatible(d.type(), w[1])) {
                problems.add(d.name() + ": " + d.type() + " vs " + w[1]);
            }
            FlagRule theirs = switch (w[2]) {
                case "must" -> FlagRule.MUST;
                case "mustnot" -> FlagRule.MUST_NOT;
                default -> FlagRule.MAY;
            };
            if (theirs != d.mandatoryBit()) {
                problems.add(d.name() + ": M " + d.mandatoryBit() + " vs " + w[2]);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(D.avps().size(), checked);
    }

    private static String normalise(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("3gpp-sip-method", "sip-method");
        return n.replace("accounting-multi-session-id", "acct-multi-session-id");
    }

    private static boolean compatible(DataType ours, String theirs) {
        return switch (theirs) {
            case "Grouped" -> ours == DataType.GROUPED;
            case "IPAddress" -> ours == DataType.ADDRESS;
            case "AppId", "VendorId", "Unsigned32" -> ours == DataType.UNSIGNED32;
            // Wireshark shows Result-Code and friends as Enumerated to name their values; on the wire both are 32 bits
            case "Enumerated", "Integer32" -> ours.fixedLength() == 4 && ours != DataType.FLOAT32 && ours != DataType.TIME;
            case "Unsigned64" -> ours == DataType.UNSIGNED64;
            case "Time" -> ours == DataType.TIME;
            case "OctetString" -> ours == DataType.OCTET_STRING;
            case "UTF8String", "OctetStringOrUTF8" -> ours == DataType.UTF8_STRING;
            case "DiameterIdentity" -> ours == DataType.DIAMETER_IDENTITY;
            case "DiameterURI" -> ours == DataType.DIAMETER_URI;
            default -> false;
        };
    }
}

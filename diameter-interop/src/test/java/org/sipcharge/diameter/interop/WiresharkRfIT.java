package org.sipcharge.diameter.interop;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.SessionIds;
import org.sipcharge.diameter.peer.DiameterClient;
import org.sipcharge.diameter.peer.DiameterServer;
import org.sipcharge.diameter.peer.PeerState;
import org.sipcharge.diameter.peer.ServerOptions;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our client and server on loopback, captured by tshark: Wireshark's Diameter dissector (an implementation
 * independent of ours, with the 3GPP dictionary) must find no malformed packet and no expert error in CER/CEA,
 * ACRs START/INTERIM/STOP/EVENT with full IMS-Information (and a T-flagged retransmission), DWR/DWA and DPR/DPA, and
 * must name the Rf AVPs with their 3GPP names.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WiresharkRfIT {

    static final String CLIENT = "cscf.interop.test";
    static final String SERVER = "cdf.interop.test";
    static final String REALM = "interop.test";

    @BeforeAll
    static void packages() {
        DebianPackages.require(DebianPackages.TSHARK);
    }

    @Test
    void rfSessionCapturedOnLoIsDissectedWithoutErrors() throws Exception {
        Path work = Interop.workDir("wireshark");
        Path pcap = work.resolve("rf.pcapng");
        Files.deleteIfExists(pcap);
        RecordingCdf cdf = new RecordingCdf(SERVER, REALM, 300);
        Duration tw = Duration.ofSeconds(2);
        DiameterServer server = new DiameterServer(Interop.identity(SERVER, REALM),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Interop.THREADS, cdf,
                ServerOptions.defaults().withWatchdogInterval(Duration.ofSeconds(30)));
        ExternalProcess capture = null;
        DiameterTap tap = null;
        DiameterClient client = null;
        List<DiameterMessage> acas = new ArrayList<>();
        int port;
        String sessionA = SessionIds.next(CLIENT);
        try {
            server.start();
            port = server.localPort();
            capture = Tshark.capture(work, pcap, port);
            // the tap lets the test see the DWA on the wire before it stops the capture
            tap = new DiameterTap(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            client = new DiameterClient(Interop.identity(CLIENT, REALM),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), tap.port()), REALM, Interop.THREADS,
                    Interop.clientOptions(tw));
            client.start();
            DiameterClient c = client;
            Interop.await("client open", Duration.ofSeconds(10), c::isOpen);

            String a = sessionA;
            String b = SessionIds.next(CLIENT);
            List<RfAcrs.Call> calls = List.of(
                    RfAcrs.Call.of(a, RfAcrs.START, 0),
                    RfAcrs.Call.of(a, RfAcrs.INTERIM, 1),
                    RfAcrs.Call.of(a, RfAcrs.INTERIM, 1).retransmitted(),
                    RfAcrs.Call.of(a, RfAcrs.INTERIM, 2),
                    RfAcrs.Call.of(a, RfAcrs.STOP, 3),
                    RfAcrs.Call.of(b, RfAcrs.EVENT, 0));
            // as the product's RfClient does, a retransmission keeps the End-to-End id of its first copy
            int interimEndToEnd = 0x2A5_00001;
            for (RfAcrs.Call call : calls) {
                DiameterMessage.Builder acr = RfAcrs.acr(call, REALM);
                if (call.sessionId().equals(a) && call.recordNumber() == 1) {
                    acr.endToEnd(interimEndToEnd);
                }
                acas.add(client.send(acr).get(5, TimeUnit.SECONDS));
            }
            // RFC 3539: after Tw of silence the client sends a DWR; wait until its DWA has passed the tap
            DiameterTap t = tap;
            Interop.await("DWR/DWA after Tw of silence", Duration.ofSeconds(15), () -> t.frames(DiameterConstants.CMD_DEVICE_WATCHDOG)
                    .stream().anyMatch(f -> !f.request() && f.resultCode() == DiameterConstants.RESULT_SUCCESS));
            assertEquals(PeerState.OPEN, client.state());

            client.stop(); // DPR, waits for DPA
            Interop.await("DPA", Duration.ofSeconds(5), () -> t.frames(DiameterConstants.CMD_DISCONNECT_PEER)
                    .stream().anyMatch(f -> !f.request()));
            Tshark.awaitInFile(work, pcap, port, "diameter.cmd.code == 282 && diameter.flags.request == 0",
                    Duration.ofSeconds(10));
        } finally {
            if (client != null) {
                client.stop();
            }
            if (tap != null) {
                tap.close();
            }
            server.stop();
            if (capture != null) {
                capture.stop(Duration.ofSeconds(10));
            }
        }

        // what our side saw
        assertEquals(6, acas.size());
        acas.forEach(m -> assertEquals(DiameterConstants.RESULT_SUCCESS, m.resultCode(), m.toString()));
        assertEquals(5, cdf.recorded().size(), cdf.received().toString());
        assertEquals(1, cdf.duplicates().size());
        assertTrue(cdf.duplicates().get(0).retransmit());
        assertEquals(cdf.received().get(1).acr().endToEnd(), cdf.duplicates().get(0).acr().endToEnd());
        System.out.println("[wireshark] tap saw: " + tap.frames());

        assertTrue(Files.size(pcap) > 0, "capture file is empty");

        // 1. no malformed packet
        String malformed = Tshark.read(work, "tshark-malformed", pcap, port, "-Y", "_ws.malformed");
        assertEquals("", malformed.strip(), "tshark reports malformed packets:\n" + malformed);

        // 2. no expert item of severity error; no Diameter warning either
        String expert = Tshark.read(work, "tshark-expert", pcap, port, "-q", "-z", "expert,error");
        Files.writeString(work.resolve("expert-error.txt"), expert);
        assertEquals(List.of(), expertItems(expert, "Errors"), "tshark expert errors:\n" + expert);
        String warnings = Tshark.read(work, "tshark-expert-warn", pcap, port, "-q", "-z", "expert,warn");
        Files.writeString(work.resolve("expert-warn.txt"), warnings);
        assertEquals(List.of(), expertItems(warnings, "Warns").stream().filter(w -> w.contains("Diameter")).toList(),
                "tshark expert warnings on Diameter:\n" + warnings);
        // the capture holds the whole connection, from its SYN
        assertFalse(Tshark.read(work, "tshark-syn", pcap, port, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == " + port)
                .isBlank(), "the capture missed the SYN of the Diameter connection");

        // 3. the message flow, decoded by Wireshark
        String fields = Tshark.read(work, "tshark-fields", pcap, port, "-Y", "diameter", "-T", "fields",
                "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
                "-e", "diameter.cmd.code", "-e", "diameter.flags.request", "-e", "diameter.flags.T",
                "-e", "diameter.Result-Code", "-e", "diameter.Accounting-Record-Type",
                "-e", "diameter.Accounting-Record-Number", "-e", "diameter.Service-Context-Id",
                "-e", "diameter.Service-Information", "-e", "diameter.IMS-Information",
                "-e", "diameter.Role-Of-Node", "-e", "diameter.Node-Functionality",
                "-e", "diameter.User-Session-ID", "-e", "diameter.Calling-Party-Address",
                "-e", "diameter.SIP-Request-Timestamp-Fraction", "-e", "diameter.Session-Id",
                "-e", "diameter.endtoendid");
        Files.writeString(work.resolve("fields.txt"), fields);
        List<String> flow = new ArrayList<>();
        int acrsWithIms = 0;
        int retransmitted = 0;
        List<String> interimOneEndToEnd = new ArrayList<>();
        for (String line : fields.strip().split("\n")) {
            String[] f = line.split("\\|", -1);
            String[] codes = f[0].split(",");
            String[] requests = f[1].split(",");
            for (int i = 0; i < codes.length; i++) {
                boolean req = "1".equals(requests[i]) || "True".equalsIgnoreCase(requests[i]);
                flow.add(DiameterTap.name(Integer.parseInt(codes[i]), req));
            }
            if (codes.length == 1 && "271".equals(codes[0]) && flow.get(flow.size() - 1).equals("ACR")) {
                assertEquals(DiameterConstants.SERVICE_CONTEXT_ID_IMS, f[6], line);
                assertFalse(f[7].isEmpty(), "Service-Information not dissected: " + line);
                assertFalse(f[8].isEmpty(), "IMS-Information not dissected: " + line);
                assertEquals("0", f[9], "Role-Of-Node: " + line);
                assertEquals("6", f[10], "Node-Functionality: " + line);
                assertEquals("a84b4c76e66710@pc33.example.com", f[11], line);
                assertEquals("sip:alice@example.com", f[12], line);
                assertFalse(f[13].isEmpty(), "SIP-Request-Timestamp-Fraction: " + line);
                acrsWithIms++;
                if ("1".equals(f[5]) && f[14].equals(sessionA)) {
                    interimOneEndToEnd.add(f[15]);
                }
                if ("1".equals(f[2]) || "True".equalsIgnoreCase(f[2])) {
                    retransmitted++;
                }
            }
        }
        System.out.println("[wireshark] flow: " + flow);
        assertEquals(List.of("CER", "CEA"), flow.subList(0, 2), flow.toString());
        assertEquals(6, flow.stream().filter("ACR"::equals).count(), flow.toString());
        assertEquals(6, flow.stream().filter("ACA"::equals).count(), flow.toString());
        assertTrue(flow.contains("DWR") && flow.contains("DWA"), flow.toString());
        assertEquals(List.of("DPR", "DPA"), flow.subList(flow.size() - 2, flow.size()), flow.toString());
        assertEquals(6, acrsWithIms, "ACRs with Service-Information dissected:\n" + fields);
        assertEquals(1, retransmitted, "ACRs with the T flag:\n" + fields);
        assertEquals(2, interimOneEndToEnd.size(), "INTERIM 1 and its retransmission:\n" + fields);
        assertEquals(interimOneEndToEnd.get(0), interimOneEndToEnd.get(1), "same End-to-End id on the wire");

        // 4. the 3GPP names in the verbose dissection
        String verbose = Tshark.read(work, "tshark-verbose", pcap, port, "-Y", "diameter.cmd.code == 271", "-V");
        Files.writeString(work.resolve("verbose.txt"), verbose);
        for (String name : List.of("Service-Information", "IMS-Information", "Event-Type", "3GPP-SIP-Method: INVITE",
                "Role-Of-Node: ORIGINATING_ROLE (0)", "Node-Functionality: AS (6)",
                "User-Session-ID: a84b4c76e66710@pc33.example.com", "Calling-Party-Address: sip:alice@example.com",
                "Called-Party-Address: tel:+15551234567", "Time-Stamps", "SIP-Request-Timestamp:",
                "SIP-Request-Timestamp-Fraction:", "SIP-Response-Timestamp:", "SIP-Response-Timestamp-Fraction:",
                "Cause-Code: Normal end of session (0)", "Event-Timestamp:", "Acct-Interim-Interval: 300",
                "Service-Context-Id: 32260@3gpp.org", "Accounting-Record-Type: Start Record (2)",
                "Accounting-Record-Type: Interim Record (3)", "Accounting-Record-Type: Stop Record (4)",
                "Accounting-Record-Type: Event Record (1)", "AVP Vendor Id: 3GPP (10415)",
                "T(Potentially re-transmitted message): Set")) {
            assertTrue(verbose.contains(name), "tshark -V lacks '" + name + "' (see " + work.resolve("verbose.txt") + ")");
        }
        Matcher unknown = Pattern.compile("(?im)^.*(unknown avp|AVP Code: \\d+ Unknown).*$").matcher(verbose);
        assertFalse(unknown.find(), "an AVP Wireshark does not know: " + (unknown.find(0) ? unknown.group() : ""));
    }

    /** Negative control: the same checks do see a malformed ACR (one AVP length corrupted), so their passing means something. */
    @Test
    void checksDetectACorruptedAcr() throws Exception {
        Path work = Interop.workDir("wireshark-negative");
        byte[] acr = RfAcrs.acr(RfAcrs.Call.of(SessionIds.next(CLIENT), RfAcrs.START, 0), REALM)
                .add(org.sipcharge.diameter.Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, CLIENT))
                .build().withIdentifiers(1, 2).encode();
        // the first AVP (Session-Id) claims 200 bytes more than it has
        int length = ((acr[25] & 0xFF) << 16) | ((acr[26] & 0xFF) << 8) | (acr[27] & 0xFF);
        length += 200;
        acr[25] = (byte) (length >> 16);
        acr[26] = (byte) (length >> 8);
        acr[27] = (byte) length;
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < acr.length; i++) {
            if (i % 16 == 0) {
                hex.append(i == 0 ? "" : "\n").append(String.format("%06x", i));
            }
            hex.append(String.format(" %02x", acr[i]));
        }
        Path dump = work.resolve("corrupt.txt");
        Path pcap = work.resolve("corrupt.pcap");
        Files.writeString(dump, hex.append('\n').toString());
        Files.deleteIfExists(pcap);
        int port = 3868;
        try (ExternalProcess p = ExternalProcess.start("text2pcap", work,
                List.of("text2pcap", "-q", "-T", "40000," + port, dump.toString(), pcap.toString()))) {
            assertEquals(0, p.waitFor(Duration.ofSeconds(30)), p.stderr());
        }
        String malformed = Tshark.read(work, "tshark-malformed", pcap, port, "-Y", "_ws.malformed");
        assertFalse(malformed.isBlank(), "the corrupted ACR is not reported malformed");
        String expert = Tshark.read(work, "tshark-expert", pcap, port, "-q", "-z", "expert,error");
        assertFalse(expertItems(expert, "Errors").isEmpty(), "no expert error for the corrupted ACR:\n" + expert);
    }

    /**
     * The rows of one section ("Errors", "Warns") of {@code tshark -q -z expert,LEVEL}: the section starts with a
     * line like "Errors (1)", a rule and a column header, then one "Frequency Group Protocol Summary" row per item.
     */
    static List<String> expertItems(String report, String section) {
        List<String> items = new ArrayList<>();
        boolean in = false;
        for (String line : report.split("\n")) {
            if (line.matches("^\\w+ \\(\\d+\\)\\s*$")) {
                in = line.startsWith(section + " ");
                continue;
            }
            if (in && line.matches("^\\s+\\d+\\s+\\S+\\s+\\S+\\s+.*$")) {
                items.add(line.strip());
            }
        }
        return items;
    }
}

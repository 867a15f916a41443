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

            String a = SessionIds.next(CLIENT);
            String b = SessionIds.next(CLIENT);
            List<RfAcrs.Call> calls = List.of(
                    RfAcrs.Call.of(a, RfAcrs.START, 0),
                    RfAcrs.Call.of(a, RfAcrs.INTERIM, 1),
                    RfAcrs.Call.of(a, RfAcrs.INTERIM, 1).retransmitted(),
                    RfAcrs.Call.of(a, RfAcrs.INTERIM, 2),
                    RfAcrs.Call.of(a, RfAcrs.STOP, 3),
                    RfAcrs.Call.of(b, RfAcrs.EVENT, 0));
            for (RfAcrs.Call call : calls) {
                acas.add(client.send(RfAcrs.acr(call, REALM)).get(5, TimeUnit.SECONDS));
            }
            // RFC 3539: after Tw of silence the client sends a DWR; wait until its DWA has passed the tap
            DiameterTap t = tap;
            Interop.await("DWR/DWA after Tw of silence", Duration.ofSeconds(15), () -> t.frames(DiameterConstants.CMD_DEVICE_WATCHDOG)
                    .stream().anyMatch(f -> !f.request() && f.resultCode() == DiameterConstants.RESULT_SUCCESS));
            assertEquals(PeerState.OPEN, client.state());

            client.stop(); // DPR, waits for DPA
            Interop.await("DPA", Duration.ofSeconds(5), () -> t.frames(DiameterConstants.CMD_DISCONNECT_PEER)
                    .stream().anyMatch(f -> !f.request()));
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
        System.out.println("[wireshark] tap saw: " + tap.frames());

        assertTrue(Files.size(pcap) > 0, "capture file is empty");

        // 1. no malformed packet
        String malformed = Tshark.read(work, "tshark-malformed", pcap, port, "-Y", "_ws.malformed");
        assertEquals("", malformed.strip(), "tshark reports malformed packets:\n" + malformed);

        // 2. no expert item of severity error
        String expert = Tshark.read(work, "tshark-expert", pcap, port, "-q", "-z", "expert,error");
        Files.writeString(work.resolve("expert-error.txt"), expert);
        assertFalse(Pattern.compile("(?m)^\\s*Errors\\s*\\(\\d+\\)").matcher(expert).find()
                || expert.contains("Malformed"), "tshark expert errors:\n" + expert);

        // 3. the message flow, decoded by Wireshark
        String fields = Tshark.read(work, "tshark-fields", pcap, port, "-Y", "diameter", "-T", "fields",
                "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
                "-e", "diameter.cmd.code", "-e", "diameter.flags.request", "-e", "diameter.flags.T",
                "-e", "diameter.Result-Code", "-e", "diameter.Accounting-Record-Type",
                "-e", "diameter.Accounting-Record-Number", "-e", "diameter.Service-Context-Id",
                "-e", "diameter.Service-Information", "-e", "diameter.IMS-Information",
                "-e", "diameter.Role-Of-Node", "-e", "diameter.Node-Functionality",
                "-e", "diameter.User-Session-ID", "-e", "diameter.Calling-Party-Address",
                "-e", "diameter.SIP-Request-Timestamp-Fraction", "-e", "diameter.Session-Id");
        Files.writeString(work.resolve("fields.txt"), fields);
        List<String> flow = new ArrayList<>();
        int acrsWithIms = 0;
        int retransmitted = 0;
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

        // 4. the 3GPP names in the verbose dissection
        String verbose = Tshark.read(work, "tshark-verbose", pcap, port, "-Y", "diameter.cmd.code == 271", "-V");
        Files.writeString(work.resolve("verbose.txt"), verbose);
        for (String name : List.of("Service-Information", "IMS-Information", "Event-Type", "Role-Of-Node",
                "Node-Functionality", "User-Session-I", "Calling-Party-Address", "Called-Party-Address",
                "Time-Stamps", "SIP-Request-Timestamp:", "SIP-Request-Timestamp-Fraction", "SIP-Response-Timestamp:",
                "SIP-Response-Timestamp-Fraction", "Cause-Code", "Event-Timestamp", "Acct-Interim-Interval",
                "Service-Context-Id: 32260@3gpp.org", "Accounting-Record-Type: START_RECORD",
                "Accounting-Record-Type: INTERIM_RECORD", "Accounting-Record-Type: STOP_RECORD",
                "Accounting-Record-Type: EVENT_RECORD", "Vendor-Id: 3GPP (10415)")) {
            assertTrue(verbose.contains(name), "tshark -V lacks '" + name + "' (see " + work.resolve("verbose.txt") + ")");
        }
        Matcher unknown = Pattern.compile("(?im)^.*(unknown avp|AVP Code: \\d+ Unknown).*$").matcher(verbose);
        assertFalse(unknown.find(), "an AVP Wireshark does not know: " + (unknown.find(0) ? unknown.group() : ""));
    }
}

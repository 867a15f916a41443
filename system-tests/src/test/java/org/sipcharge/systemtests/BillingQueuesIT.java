package org.sipcharge.systemtests;

import jakarta.jms.BytesMessage;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.cdr.ber.CdrBerCodec;
import org.sipcharge.cdr.ber.ImsChargingRecord;
import org.sipcharge.cdr.ber.InterOperatorIdentifiers;
import org.sipcharge.cdr.ber.SdpMediaComponent;
import org.sipcharge.cdr.file.CdrFileFormat;
import org.sipcharge.cdr.file.CdrFileReader;
import org.sipcharge.simulators.jmsbilling.JmsBillingSystemSimulator;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issues 5 and 6, per-billing-system queues and TS 32.297 files on the real product: three billing systems,
 * {@code legacy} (behind the coordinator's link), {@code jmsbill} (reads its own queue with a plain Jakarta JMS
 * client, the example consumer of docs/billing-jms.md) and {@code bx} (TS 32.297 files written by the coordinator,
 * closed after 4 CDRs or 5 s). Every call's CDR reaches all three; each kind of poison message put on the inbound
 * queue goes, on its own, to the dead-letter queue with its reason, and nothing else is lost; every closed file
 * reads back (header counts, file sequence numbers without gap, closure reasons, every CDR decodes) and the files
 * hold exactly the CDRs billed over the link, each once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BillingQueuesIT {

    static final String JMS_SYSTEM = "jmsbill";
    static SystemUnderTest sut;
    static ActiveMQConnectionFactory broker;
    static JmsBillingSystemSimulator jmsBilling;
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        // Inside the run directory SystemUnderTest makes afresh (same property, same default).
        files = Path.of(System.getProperty("sipcharge.runDir", "target/e2e-run")).toAbsolutePath().resolve("billing-queues/cdr-files");
        sut = SystemUnderTest.start("billing-queues", "sipcharge.billing.systems=legacy," + JMS_SYSTEM + ",bx"
                + " sipcharge.billing.file-system=bx sipcharge.cdr-files.directory=" + files
                + " sipcharge.cdr-files.max-cdrs=4 sipcharge.cdr-files.max-open-time=PT5S sipcharge.cdr-files.node-id=sipcharge-it");
        broker = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + sut.artemisPort);
        jmsBilling = new JmsBillingSystemSimulator(broker, JMS_SYSTEM, sut.runDir.resolve("billing/" + JMS_SYSTEM + ".tsv"));
        jmsBilling.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (jmsBilling != null) {
            jmsBilling.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    @Order(1)
    void everyCdrReachesTheLegacySystemAndTheJmsSystemOnce() throws Exception {
        int legacyBefore = sut.billingRecords().size();
        long jmsBefore = jmsBilling.recorded();
        Sipp.Result calls = Sipp.calls(sut, 5, 200, "queues");
        assertEquals(5, calls.successfulCalls(), calls.summary());
        Wait.until(Duration.ofSeconds(60), BillingQueuesIT::legacyRecords, n -> n >= legacyBefore + 5, "5 CDRs at the legacy system");
        Wait.until(Duration.ofSeconds(60), jmsBilling::recorded, n -> n >= jmsBefore + 5, "5 CDRs at the JMS billing system");
        assertEquals(legacyBefore + 5, legacyRecords());
        assertEquals(jmsBefore + 5, jmsBilling.recorded());
        assertEquals(0, jmsBilling.duplicates(), jmsBilling.summary());
        assertEquals(0, jmsBilling.refused(), jmsBilling.summary());
        assertEquals(0, jmsBilling.gaps(), jmsBilling.summary());
        assertEquals("true", sut.status().get("billing.system.legacy.legacyLink"));
        assertEquals("false", sut.status().get("billing.system." + JMS_SYSTEM + ".legacyLink"));
        assertTrue(sut.statusLong("billing.system." + JMS_SYSTEM + ".routed") >= 5);
        Wait.until(Duration.ofSeconds(20), () -> sut.statusLong("billing.system." + JMS_SYSTEM + ".backlog"), n -> n == 0,
                "the JMS system's backlog drained");
        assertEquals("true", sut.status().get("billing.coordinator.self"), "the single server coordinates");
        assertEquals("up", sut.status().get("billing.link"));
    }

    @Test
    @Order(2)
    void aTextMessageIsDeadLetteredWithItsReason() throws Exception {
        assertDeadLettered("text", ctx -> {
            Message m = ctx.createTextMessage("cdrId=x-1");
            send(ctx, m, "text");
        }, "invalid-cdr: not a BytesMessage but TextMessage");
    }

    @Test
    @Order(3)
    void aMessageWithoutCdrIdIsDeadLetteredWithItsReason() throws Exception {
        assertDeadLettered("no-id", ctx -> {
            BytesMessage m = ctx.createBytesMessage();
            write(m, "whatever".getBytes(StandardCharsets.US_ASCII));
            send(ctx, m, "no-id");
        }, "invalid-cdr: missing property cdrId");
    }

    @Test
    @Order(4)
    void anUndecodableBodyIsDeadLetteredWithItsReason() throws Exception {
        assertDeadLettered("garbage", ctx -> {
            BytesMessage m = ctx.createBytesMessage();
            write(m, new byte[]{(byte) 0xBF, 0x45, 0x7F, 0x01});
            setId(m, "node-9-1");
            send(ctx, m, "garbage");
        }, "invalid-cdr: body does not decode");
    }

    @Test
    @Order(5)
    void aCdrIdThatIsNotOneTokenIsDeadLetteredWithItsReason() throws Exception {
        assertDeadLettered("bad-id", ctx -> {
            BytesMessage m = ctx.createBytesMessage();
            write(m, "cdrId=a b\n".getBytes(StandardCharsets.US_ASCII));
            setId(m, "a b");
            send(ctx, m, "bad-id");
        }, "invalid-cdr: property cdrId is not one printable token");
    }

    @Test
    @Order(6)
    void callsAfterThePoisonStillReachBoth() throws Exception {
        everyCdrReachesTheLegacySystemAndTheJmsSystemOnce();
    }

    @Test
    @Order(7)
    void everyCdrIsInExactlyOneClosedFileAndTheFilesReadBack() throws Exception {
        // Two calls whose caller sends a P-Charging-Vector and whose callee answers with SDP and a term-ioi; the
        // callee's scenario fails a call whose INVITE lacks the caller's icid and orig-ioi (passed on by the B2BUA).
        int legacyBefore = legacyRecords();
        Sipp.Result ims = Sipp.calls(sut, 2, 200, "ims", Sipp.scenarioFile("uac-ims.xml"), Sipp.scenarioFile("uas-ims.xml"));
        assertEquals(2, ims.successfulCalls(), "calls with a P-Charging-Vector; " + ims.summary());
        Wait.until(Duration.ofSeconds(60), BillingQueuesIT::legacyRecords, n -> n >= legacyBefore + 2, "the 2 IMS calls billed");
        List<String[]> legacy = sut.billingRecords();
        Set<String> billed = new HashSet<>();
        legacy.forEach(r -> billed.add(r[0]));

        // The last file closes on its open-time limit (5 s) once no CDR comes.
        List<CdrFileReader.CdrFile> read = Wait.until(Duration.ofSeconds(60), BillingQueuesIT::closedFiles,
                l -> l.stream().mapToLong(CdrFileReader.CdrFile::cdrCount).sum() >= billed.size(), "every CDR in a closed file");
        List<String> ids = new ArrayList<>();
        List<ImsChargingRecord> records = new ArrayList<>();
        long expectedSequence = 1;
        for (CdrFileReader.CdrFile f : read) {
            assertEquals(expectedSequence++, f.sequence(), "file sequence numbers without gap");
            assertEquals(f.cdrCount(), f.cdrs().size(), "the header's CDR count");
            assertTrue(f.cdrCount() >= 1 && f.cdrCount() <= 4, "at most 4 CDRs per file: " + f.cdrCount());
            assertTrue(f.closureReason() == CdrFileFormat.ClosureReason.MAX_CDR_COUNT
                    || f.closureReason() == CdrFileFormat.ClosureReason.FILE_OPEN_TIME_LIMIT, "closure reason " + f.closureReason());
            for (byte[] cdr : f.cdrs()) {
                ImsChargingRecord as = CdrBerCodec.decode(cdr);
                records.add(as);
                ChargingDataRecord r = as.toChargingDataRecord("x", "x");
                ids.add(r.nodeAddress() + "-" + r.localSequenceNumber());
            }
        }
        // TS 32.298 AS record fields from real SIP traffic: every record names the service context and an icid (the
        // caller's, or one the B2BUA generated); the IMS calls' records carry both IOIs and the answer's media lines.
        List<ImsChargingRecord> imsCalls = new ArrayList<>();
        for (ImsChargingRecord as : records) {
            assertEquals("32260@3gpp.org", as.serviceContextId(), "serviceContextID [30]");
            assertEquals("INVITE", as.sipMethod(), "sIP-Method [2] of a call");
            assertNotNull(as.imsChargingIdentifier(), "iMS-Charging-Identifier [19]");
            if (as.imsChargingIdentifier().startsWith("it-icid-")) {
                imsCalls.add(as);
            } else {
                assertTrue(as.imsChargingIdentifier().startsWith("sipcharge-"), "generated icid: " + as.imsChargingIdentifier());
            }
        }
        assertEquals(2, imsCalls.size(), "records with the caller's icid");
        assertEquals(2, imsCalls.stream().map(ImsChargingRecord::imsChargingIdentifier).distinct().count(), "one icid per call");
        for (ImsChargingRecord as : imsCalls) {
            assertEquals(new InterOperatorIdentifiers("orig.it.example", "term.it.example"), as.interOperatorIdentifiers());
            assertEquals(1, as.sdpMediaComponents().size(), "list-Of-SDP-Media-Components [21]");
            List<SdpMediaComponent> media = as.sdpMediaComponents().get(0).components();
            assertEquals(1, media.size(), "one m= line in the answer: " + media);
            assertTrue(media.get(0).mediaName().matches("audio [0-9]+ RTP/AVP 0 8"), media.get(0).mediaName());
            assertEquals(List.of("a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000"), media.get(0).mediaDescriptions());
        }
        assertEquals(ids.size(), new HashSet<>(ids).size(), "no CDR in two files: " + ids);
        assertEquals(billed, new HashSet<>(ids), "the files hold exactly the CDRs billed over the link");
        String status = sut.status().get("billing.cdrFiles");
        assertTrue(status != null && status.startsWith("writing to"), "billing.cdrFiles=" + status);
        System.out.printf("[cdr-files] %d CDRs in %d files in %s%n", ids.size(), read.size(), files);
    }

    /** Every closed CDR file of the directory, by sequence number. */
    static List<CdrFileReader.CdrFile> closedFiles() {
        try (Stream<Path> s = Files.list(files)) {
            List<CdrFileReader.CdrFile> out = new ArrayList<>();
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("sipcharge-it_-_") && !p.toString().endsWith(".tmp")).toList()) {
                out.add(CdrFileReader.read(p));
            }
            out.sort(java.util.Comparator.comparingLong(CdrFileReader.CdrFile::sequence));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }


    // ------------------------------------------------------------------ the charging filtering function (issue 6)

    @Test
    @Order(8)
    void theRulesApiRequiresTheAdminCredentials() throws Exception {
        assertEquals(401, http("GET", "/cff/rules", null, null).statusCode());
        assertEquals(401, http("GET", "/cff/rules", null, "admin:wrong").statusCode());
        HttpResponse<String> ok = http("GET", "/cff/rules", null, credentials());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(200, http("GET", "/status", null, null).statusCode(), "the status stays open for monitoring");
    }

    @Test
    @Order(9)
    void eachMalformedRuleGetsA400NamingTheField() throws Exception {
        String good = "\"billingSystem\":\"jmsbill\",\"identityType\":\"MSISDN\",\"matchKind\":\"PREFIX\",\"pattern\":\"49\",\"action\":\"NEVER\"";
        assertBadRequest("POST", "/cff/rules", "{not json", "body");
        assertBadRequest("POST", "/cff/rules", "[1,2]", "body");
        assertBadRequest("POST", "/cff/rules", "", "body");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace("MSISDN", "PHONE") + "}", "identityType");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace("PREFIX", "REGEX") + "}", "matchKind");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace("\"49\"", "\"49abc\"") + "}", "pattern");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace("jmsbill", "Bad System") + "}", "billingSystem");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace("NEVER", "HOLD") + "}", "windowStart");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace("NEVER", "HOLD") + ",\"windowStart\":\"25:00\",\"windowEnd\":\"06:00\"}", "windowStart");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace("NEVER", "HOLD") + ",\"windowStart\":\"22:00\",\"windowEnd\":\"06:00\",\"zone\":\"Mars/Olympus\"}", "zone");
        assertBadRequest("POST", "/cff/rules", "{" + good.replace(",\"action\":\"NEVER\"", "") + "}", "action");
        assertBadRequest("GET", "/cff/rules/abc", null, "id");
        assertEquals(404, http("GET", "/cff/rules/999999", null, credentials()).statusCode());
        // PUT: version required, ids must agree, a stale version is a conflict.
        HttpResponse<String> created = http("POST", "/cff/rules", "{" + good + "}", credentials());
        assertEquals(201, created.statusCode(), created.body());
        long id = Long.parseLong(jsonField(created.body(), "id"));
        assertBadRequest("PUT", "/cff/rules/" + id, "{" + good + "}", "version");
        assertBadRequest("PUT", "/cff/rules/" + id, "{" + good + ",\"id\":" + (id + 1) + ",\"version\":0}", "id");
        HttpResponse<String> updated = http("PUT", "/cff/rules/" + id, "{" + good.replace("\"49\"", "\"4930\"") + ",\"version\":0}", credentials());
        assertEquals(200, updated.statusCode(), updated.body());
        HttpResponse<String> stale = http("PUT", "/cff/rules/" + id, "{" + good + ",\"version\":0}", credentials());
        assertEquals(409, stale.statusCode(), stale.body());
        assertEquals(204, http("DELETE", "/cff/rules/" + id, null, credentials()).statusCode());
        assertEquals(404, http("DELETE", "/cff/rules/" + id, null, credentials()).statusCode());
    }

    @Test
    @Order(10)
    void rulesDecideWhichBillingSystemsGetTheCdrsAndWhen() throws Exception {
        // SIPp's caller is sip:sipp@127.0.0.1: its CDRs never go to jmsbill, and reach bx only in a window an hour away.
        java.time.LocalTime from = java.time.LocalTime.now(java.time.ZoneOffset.UTC).plusHours(1).withSecond(0).withNano(0);
        HttpResponse<String> never = http("POST", "/cff/rules", "{\"billingSystem\":\"jmsbill\",\"identityType\":\"SIP_URI\","
                + "\"matchKind\":\"PREFIX\",\"pattern\":\"sip:sipp@\",\"action\":\"NEVER\",\"description\":\"IT: not for jmsbill\"}", credentials());
        assertEquals(201, never.statusCode(), never.body());
        HttpResponse<String> hold = http("POST", "/cff/rules", "{\"billingSystem\":\"bx\",\"identityType\":\"SIP_URI\","
                + "\"matchKind\":\"WILDCARD\",\"pattern\":\"sip:sipp@*\",\"action\":\"HOLD\",\"windowStart\":\"" + from
                + "\",\"windowEnd\":\"" + from.plusHours(1) + "\",\"zone\":\"UTC\"}", credentials());
        assertEquals(201, hold.statusCode(), hold.body());
        HttpResponse<String> explain = http("GET", "/cff/decision?billingSystem=jmsbill&sipUri=sip:sipp@127.0.0.1:5061", null, credentials());
        assertEquals(200, explain.statusCode(), explain.body());
        assertEquals(jsonField(never.body(), "id"), jsonField(explain.body(), "ruleId"), explain.body());
        assertTrue(explain.body().contains("NEVER"), explain.body());

        int legacyBefore = legacyRecords();
        long jmsBefore = jmsBilling.recorded();
        long filteredBefore = sut.statusLong("billing.system." + JMS_SYSTEM + ".filtered");
        long heldBefore = sut.statusLong("billing.system.bx.held");
        long inFilesBefore = closedFiles().stream().mapToLong(CdrFileReader.CdrFile::cdrCount).sum();
        Sipp.Result calls = Sipp.calls(sut, 3, 200, "cff");
        assertEquals(3, calls.successfulCalls(), calls.summary());
        Wait.until(Duration.ofSeconds(60), BillingQueuesIT::legacyRecords, n -> n >= legacyBefore + 3, "3 CDRs at the legacy system");
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("billing.system.bx.held"), n -> n >= heldBefore + 3, "3 CDRs held for bx");
        assertEquals(filteredBefore + 3, sut.statusLong("billing.system." + JMS_SYSTEM + ".filtered"));
        // Nothing for jmsbill; nothing new in the files (held until the window: the held counter above is the evidence).
        assertEquals(jmsBefore, jmsBilling.recorded(), "no CDR of the filtered caller at jmsbill");
        assertEquals(inFilesBefore, closedFiles().stream().mapToLong(CdrFileReader.CdrFile::cdrCount).sum(), "held CDRs are not in the files yet");
        HttpResponse<String> list = http("GET", "/cff/rules", null, credentials());
        assertTrue(list.body().contains("IT: not for jmsbill"), "the rules are stored: " + list.body());
    }

    @Test
    @Order(11)
    void anImsiRuleMatchesTheSubscriptionIdOfTheAccountingSession() throws Exception {
        // A CTF that sends Subscription-Id (END_USER_IMSI, RFC 4006 8.46) in Service-Information (TS 32.299 7.2.158).
        String imsi = "262019876543210";
        HttpResponse<String> rule = http("POST", "/cff/rules", "{\"billingSystem\":\"legacy\",\"identityType\":\"IMSI\","
                + "\"matchKind\":\"EXACT\",\"pattern\":\"" + imsi + "\",\"action\":\"NEVER\"}", credentials());
        assertEquals(201, rule.statusCode(), rule.body());
        long filteredBefore = sut.statusLong("billing.system.legacy.filtered");
        long jmsBefore = jmsBilling.recorded();
        String session = "raw;imsi;" + System.nanoTime();
        org.sipcharge.diameter.Avp subscription = org.sipcharge.diameter.Avp.grouped(org.sipcharge.diameter.DiameterConstants.AVP_SUBSCRIPTION_ID, 0, true, List.of(
                org.sipcharge.diameter.Avp.enumerated(org.sipcharge.diameter.DiameterConstants.AVP_SUBSCRIPTION_ID_TYPE, 0, true,
                        org.sipcharge.diameter.DiameterConstants.SUBSCRIPTION_ID_IMSI),
                org.sipcharge.diameter.Avp.utf8(org.sipcharge.diameter.DiameterConstants.AVP_SUBSCRIPTION_ID_DATA, 0, true, imsi)));
        org.sipcharge.diameter.Avp serviceInformation = org.sipcharge.diameter.Avp.grouped(
                org.sipcharge.diameter.DiameterConstants.AVP_SERVICE_INFORMATION, 10415, true, List.of(subscription));
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            for (int n = 0; n <= 1; n++) {
                org.sipcharge.diameter.DiameterMessage aca = peer.exchange(RawDiameterPeer.acr(session,
                        org.sipcharge.diameter.Avp.unsigned32(org.sipcharge.diameter.DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, n == 0 ? 2 : 4),
                        org.sipcharge.diameter.Avp.unsigned32(org.sipcharge.diameter.DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, n),
                        serviceInformation));
                assertEquals(2001, aca.resultCode(), "record " + n + ": " + aca);
            }
        }
        Wait.until(Duration.ofSeconds(60), () -> sut.statusLong("billing.system.legacy.filtered"), n -> n == filteredBefore + 1,
                "the CDR of the IMSI kept from the legacy system by the rule");
        Wait.until(Duration.ofSeconds(60), jmsBilling::recorded, n -> n == jmsBefore + 1, "the same CDR at jmsbill (no rule there)");
    }

    static String credentials() throws IOException {
        return "admin:" + Files.readString(sut.runDir.resolve("admin-api.password")).trim();
    }

    static HttpResponse<String> http(String method, String path, String body, String userPassword) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + sut.httpPort + "/sipcharge/api" + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.header("Accept", "application/json");
        if (userPassword != null) {
            b.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertBadRequest(String method, String path, String body, String field) throws Exception {
        HttpResponse<String> r = http(method, path, body, credentials());
        assertEquals(400, r.statusCode(), method + " " + path + " " + body + " -> " + r.body());
        assertEquals(field, jsonField(r.body(), "field"), "the field named for " + body + ": " + r.body());
        assertTrue(jsonField(r.body(), "error") != null && !jsonField(r.body(), "error").isBlank(), "a reason: " + r.body());
    }

    /** A top-level field of a small JSON object, as text (numbers unquoted), or null. */
    static String jsonField(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9]+|null)").matcher(json);
        if (!m.find()) {
            return null;
        }
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    // ------------------------------------------------------------------ helpers

    static int legacyRecords() {
        try {
            return sut.billingRecords().size();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    interface JmsAction {
        void run(JMSContext ctx) throws Exception;
    }

    /** Sends one poison message to sipcharge.cdr, then waits for its copy in the dead-letter queue. */
    static void assertDeadLettered(String testCase, JmsAction sendIt, String reasonPrefix) throws Exception {
        try (JMSContext ctx = broker.createContext()) {
            sendIt.run(ctx);
            try (JMSConsumer dlq = ctx.createConsumer(ctx.createQueue(CdrJmsContract.DEAD_LETTER_QUEUE), "testCase = '" + testCase + "'")) {
                Message copy = dlq.receive(Duration.ofSeconds(60).toMillis());
                assertNotNull(copy, "a dead-letter copy of the " + testCase + " message within 60 s");
                String reason = copy.getStringProperty(CdrJmsContract.PROP_FAILURE_REASON);
                assertTrue(reason != null && reason.startsWith(reasonPrefix), "failureReason '" + reason + "' starts with '" + reasonPrefix + "'");
            }
        }
        // The inbound queue holds nothing back: the poison was consumed (its copy is the only one left).
        try (JMSContext ctx = broker.createContext();
             var browser = ctx.createBrowser(ctx.createQueue(CdrJmsContract.CDR_QUEUE), "testCase = '" + testCase + "'")) {
            assertTrue(!browser.getEnumeration().hasMoreElements(), "the " + testCase + " message left " + CdrJmsContract.CDR_QUEUE);
        }
    }

    static void send(JMSContext ctx, Message m, String testCase) throws Exception {
        m.setStringProperty("testCase", testCase);
        ctx.createProducer().send(ctx.createQueue(CdrJmsContract.CDR_QUEUE), m);
    }

    static void write(BytesMessage m, byte[] body) throws Exception {
        m.writeBytes(body);
    }

    static void setId(Message m, String id) throws Exception {
        m.setStringProperty(CdrJmsContract.PROP_CDR_ID, id);
    }
}

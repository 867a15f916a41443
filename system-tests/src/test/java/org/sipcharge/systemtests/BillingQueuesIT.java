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
import org.sipcharge.cdr.file.CdrFileFormat;
import org.sipcharge.cdr.file.CdrFileReader;
import org.sipcharge.simulators.jmsbilling.JmsBillingSystemSimulator;

import java.io.IOException;
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
        List<String[]> legacy = sut.billingRecords();
        Set<String> billed = new HashSet<>();
        legacy.forEach(r -> billed.add(r[0]));

        // The last file closes on its open-time limit (5 s) once no CDR comes.
        List<CdrFileReader.CdrFile> read = Wait.until(Duration.ofSeconds(60), BillingQueuesIT::closedFiles,
                l -> l.stream().mapToLong(CdrFileReader.CdrFile::cdrCount).sum() >= billed.size(), "every CDR in a closed file");
        List<String> ids = new ArrayList<>();
        long expectedSequence = 1;
        for (CdrFileReader.CdrFile f : read) {
            assertEquals(expectedSequence++, f.sequence(), "file sequence numbers without gap");
            assertEquals(f.cdrCount(), f.cdrs().size(), "the header's CDR count");
            assertTrue(f.cdrCount() >= 1 && f.cdrCount() <= 4, "at most 4 CDRs per file: " + f.cdrCount());
            assertTrue(f.closureReason() == CdrFileFormat.ClosureReason.MAX_CDR_COUNT
                    || f.closureReason() == CdrFileFormat.ClosureReason.FILE_OPEN_TIME_LIMIT, "closure reason " + f.closureReason());
            for (byte[] cdr : f.cdrs()) {
                ChargingDataRecord r = CdrBerCodec.decode(cdr).toChargingDataRecord("x", "x");
                ids.add(r.nodeAddress() + "-" + r.localSequenceNumber());
            }
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

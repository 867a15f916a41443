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
import org.sipcharge.simulators.jmsbilling.JmsBillingSystemSimulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6, per-billing-system queues on the real product: two billing systems, {@code legacy} (behind the
 * coordinator's link) and {@code jmsbill} (reads its own queue with a plain Jakarta JMS client, the example
 * consumer of docs/billing-jms.md). Every call's CDR reaches both; each kind of poison message put on the inbound
 * queue goes, on its own, to the dead-letter queue with its reason, and nothing else is lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BillingQueuesIT {

    static final String JMS_SYSTEM = "jmsbill";
    static SystemUnderTest sut;
    static ActiveMQConnectionFactory broker;
    static JmsBillingSystemSimulator jmsBilling;

    @BeforeAll
    static void start() throws Exception {
        sut = SystemUnderTest.start("billing-queues", "sipcharge.billing.systems=legacy," + JMS_SYSTEM);
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

package org.sipcharge.simulators.jmsbilling;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.cdr.ChargingDataRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A billing system that reads its queue with nothing but the Jakarta JMS API (the connection factory is the only
 * Artemis class): the consumer docs/billing-jms.md describes, written to catch the product's mistakes.
 * <ul>
 *   <li>one transacted session: a CDR is written to the records file and fsynced, then the session commits; a crash
 *       in between redelivers it, and it is recognised as a duplicate by its {@code cdrId};</li>
 *   <li>every message is checked: a bytes message, {@code cdrId} present and equal to the body's (TS 32.298 bodies
 *       name it by node and local sequence number), {@code billingSystem} equal to this system; a message that
 *       fails is rolled back (after the queue's max-delivery-attempts Artemis dead-letters it) and counted;</li>
 *   <li>duplicates and gaps in the local sequence numbers per CDF node are counted (gaps are final only once
 *       everything was delivered: CDRs of a queue arrive in any order, and filtering rules may keep some away).</li>
 * </ul>
 * Records file: one tab-separated line per accepted CDR: cdrId, servedUser, calledParty, localSequenceNumber,
 * duplicate, cffDecision.
 */
public final class JmsBillingSystemSimulator implements AutoCloseable {

    static final String USAGE = "usage: java -cp sipcharge-simulators.jar " + JmsBillingSystemSimulator.class.getName()
            + " --broker tcp://HOST:PORT --system NAME --out FILE";

    private final String system;
    private final Path out;
    private final Connection connection;
    private final Session session;
    private final MessageConsumer consumer;
    private final FileChannel records;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, BitSet> sequences = new HashMap<>();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean closed;
    private Thread loop;

    public JmsBillingSystemSimulator(ConnectionFactory factory, String system, Path out) throws JMSException, IOException {
        this.system = system;
        this.out = out.toAbsolutePath();
        if (this.out.getParent() != null) {
            Files.createDirectories(this.out.getParent());
        }
        if (Files.exists(this.out)) {
            for (String line : Files.readAllLines(this.out, StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    seen.add(line.substring(0, tab));
                }
            }
        }
        records = FileChannel.open(this.out, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        connection = factory.createConnection();
        session = connection.createSession(Session.SESSION_TRANSACTED);
        consumer = session.createConsumer(session.createQueue(CdrJmsContract.BILLING_QUEUE_PREFIX + system));
    }

    /** Starts receiving on a thread of its own. */
    public void start() throws JMSException {
        connection.start();
        loop = new Thread(this::receiveLoop, "jms-billing-" + system);
        loop.start();
        log("JBS-000 reading " + CdrJmsContract.BILLING_QUEUE_PREFIX + system + ", records to " + out + " (" + seen.size() + " already there)");
    }

    private void receiveLoop() {
        while (!closed) {
            try {
                Message m = consumer.receive(200);
                if (m == null) {
                    continue;
                }
                String refusal = handle(m);
                if (refusal == null) {
                    session.commit();
                } else {
                    refused.incrementAndGet();
                    log("JBS-010 refused " + refusal + "; rolled back");
                    session.rollback();
                }
            } catch (JMSException | IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log("JBS-090 " + e + "; rolling back");
                try {
                    session.rollback();
                } catch (JMSException ignored) {
                    // the connection is gone; the broker redelivers what was not committed
                }
            }
        }
    }

    /** Records the CDR (fsynced) or says why the message is refused. */
    String handle(Message m) throws JMSException, IOException {
        if (!(m instanceof BytesMessage bytes)) {
            return "a " + m.getClass().getSimpleName() + " instead of a BytesMessage";
        }
        String cdrId = m.getStringProperty(CdrJmsContract.PROP_CDR_ID);
        if (cdrId == null || cdrId.isBlank()) {
            return "a message without " + CdrJmsContract.PROP_CDR_ID;
        }
        String forSystem = m.getStringProperty(CdrJmsContract.PROP_BILLING_SYSTEM);
        if (!system.equals(forSystem)) {
            return cdrId + ": " + CdrJmsContract.PROP_BILLING_SYSTEM + "=" + forSystem + ", not " + system;
        }
        byte[] body = new byte[(int) bytes.getBodyLength()];
        bytes.readBytes(body);
        ChargingDataRecord cdr;
        try {
            cdr = CdrJmsContract.decodeBody(body, cdrId, m.getStringProperty(CdrJmsContract.PROP_SESSION_ID));
        } catch (IllegalArgumentException e) {
            return cdrId + ": body does not decode: " + e.getMessage();
        }
        String bodyId = cdr.nodeAddress() + "-" + cdr.localSequenceNumber();
        if (!cdrId.equals(cdr.cdrId()) && !cdrId.equals(bodyId)) {
            return cdrId + ": the body is CDR " + bodyId;
        }
        boolean duplicate = !seen.add(cdrId);
        if (duplicate) {
            duplicates.incrementAndGet();
        }
        sequences.computeIfAbsent(cdr.nodeAddress(), k -> new BitSet()).set((int) Math.min(Integer.MAX_VALUE - 1, cdr.localSequenceNumber()));
        String decision = m.getStringProperty(CdrJmsContract.PROP_CFF_DECISION);
        String line = String.join("\t", cdrId, cdr.callingParty(), cdr.calledParty(), Long.toString(cdr.localSequenceNumber()),
                Boolean.toString(duplicate), decision == null ? "" : decision.replace('\t', ' ')) + "\n";
        ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            records.write(buf);
        }
        records.force(false);
        recorded.incrementAndGet();
        return null;
    }

    public long recorded() {
        return recorded.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long refused() {
        return refused.get();
    }

    /** Local sequence numbers missing between the lowest and highest received, summed over the CDF nodes. */
    public synchronized long gaps() {
        long missing = 0;
        for (BitSet b : sequences.values()) {
            missing += (b.length() - b.nextSetBit(0)) - b.cardinality();
        }
        return missing;
    }

    public String summary() {
        return "recorded=" + recorded.get() + " duplicates=" + duplicates.get() + " refused=" + refused.get() + " gaps=" + gaps();
    }

    @Override
    public void close() {
        closed = true;
        if (loop != null) {
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            connection.close();
        } catch (JMSException ignored) {
            // closing
        }
        try {
            records.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private static void log(String message) {
        System.out.println(Instant.now() + " " + message);
    }

    public static void main(String[] args) throws Exception {
        String broker = null;
        String system = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--broker" -> broker = args[++i];
                case "--system" -> system = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println(USAGE);
                    System.exit(2);
                }
            }
        }
        if (broker == null || system == null || out == null) {
            System.err.println(USAGE);
            System.exit(2);
        }
        JmsBillingSystemSimulator sim = new JmsBillingSystemSimulator(new ActiveMQConnectionFactory(broker), system, out);
        sim.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            log("JBS-099 stopped: " + sim.summary());
        }));
    }
}

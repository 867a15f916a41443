package org.sipcharge.billing.coordinator;

import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.transaction.Status;
import jakarta.transaction.UserTransaction;
import org.sipcharge.billing.jms.CdrMessages;
import org.sipcharge.billing.link.BillingLink;
import org.sipcharge.billing.link.BillingWireProtocol;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.cdr.CdrTextCodec;

import java.io.IOException;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves CDRs from the legacy billing system's queue over the link, a batch at a time in one bean-managed XA
 * transaction: the messages are consumed only when the billing system has answered ACK for each (or a dead-letter copy
 * with the reason was sent in the same transaction: invalid CDR, NAK). A link failure or a FENCED answer rolls the
 * whole batch back, and its CDRs stay first in the queue for the next attempt (the queue redelivers without limit: a
 * link outage never dead-letters a CDR). The CDRs of a rolled-back batch that the billing system had already
 * acknowledged reach it again; it answers ACK for a CDR id it has (BillingWireProtocol) and billing systems de-duplicate
 * on the CDR id (docs/billing-jms.md, "Duplicates"). At most {@value #MAX_BATCH} CDRs or {@value #MAX_BATCH_MILLIS} ms
 * make a batch.
 *
 * <p>It was one transaction per CDR, with a consumer created for each: some 100-350 CDRs per second on two cores with
 * the broker and Payara busy with the transaction's round trips (BENCHMARKS.md). The link carries one request at a
 * time anyway; the batch shares the transaction and the consumer among up to {@value #MAX_BATCH} of them.
 * Only the coordinator's worker calls it.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class LegacyBillingForwarder {

    private static final Logger LOG = Logger.getLogger(LegacyBillingForwarder.class.getName());

    /** Most CDRs per transaction: also the most a rollback sends to the billing system a second time. */
    static final int MAX_BATCH = 100;
    /** A batch ends after this long, so that the coordinator's loop checks its lease and the link state often. */
    static final long MAX_BATCH_MILLIS = 200;

    /** What became of one attempt. */
    public enum Result {
        /** Nothing in the queue within the poll time. */
        IDLE,
        /** Committed: each CDR of the batch was acknowledged by the billing system or dead-lettered. */
        DELIVERED,
        /** The billing system refused the epoch: another coordinator exists. Rolled back. */
        FENCED,
        /**
         * This instance's lease ran out with a CDR taken from the queue and not sent. Rolled back: the CDRs the batch
         * had delivered before go to the billing system again from the next coordinator (the lease is checked before
         * each CDR is taken, so the batch normally ends committed instead).
         */
        NOT_COORDINATOR
    }

    @Resource
    private UserTransaction transaction;

    @Resource(lookup = CdrJmsContract.CONNECTION_FACTORY_JNDI)
    private ConnectionFactory connectionFactory;

    @EJB
    private BillingLink link;

    /**
     * @param queue    the legacy system's queue
     * @param epoch    the epoch to send under, asked again right before each CDR goes out: 0 means "no longer
     *                 coordinator", and nothing more is sent (what the batch delivered before is committed, unless
     *                 the CDR already taken must be given back: then the whole batch rolls back)
     * @param pollMillis how long to wait for the first message
     * @throws IOException when the link failed (rolled back; the connection is closed and the next attempt reconnects)
     */
    public Result forwardBatch(String queue, LongSupplier epoch, long pollMillis) throws IOException {
        boolean commit = false;
        try {
            transaction.begin();
            Result result;
            try (JMSContext context = connectionFactory.createContext();
                 JMSConsumer consumer = context.createConsumer(context.createQueue(queue))) {
                result = forward(context, consumer, queue, epoch, pollMillis);
                commit = result == Result.IDLE || result == Result.DELIVERED;
            }
            if (commit) {
                transaction.commit();
            } else {
                transaction.rollback();
            }
            return result;
        } catch (IOException e) {
            rollbackQuietly();
            throw e;
        } catch (JMSException | JMSRuntimeException e) {
            rollbackQuietly();
            throw new IllegalStateException("BIL-047 JMS failure on " + queue + ": " + e.getMessage(), e);
        } catch (Exception e) {
            // begin/commit/rollback failures (heuristics, timeouts): the messages stay or come back.
            rollbackQuietly();
            throw new IllegalStateException("BIL-048 transaction on " + queue + " failed: " + e, e);
        }
    }

    private Result forward(JMSContext context, JMSConsumer consumer, String queue, LongSupplier epoch, long pollMillis)
            throws JMSException, IOException {
        long deadline = System.nanoTime() + MAX_BATCH_MILLIS * 1_000_000;
        int done = 0;
        while (done < MAX_BATCH && (done == 0 || System.nanoTime() < deadline)) {
            if (done > 0 && epoch.getAsLong() == 0) {
                // The lease is running out: keep what the billing system has, take no more.
                break;
            }
            Message message = done == 0 ? consumer.receive(pollMillis) : consumer.receiveNoWait();
            if (message == null) {
                break;
            }
            CdrMessages.Checked checked = CdrMessages.check(message);
            if (checked.invalid() != null) {
                LOG.warning(() -> "BIL-020 invalid message on " + queue + " (cdrId " + checked.cdrId() + ") moved to "
                        + CdrJmsContract.DEAD_LETTER_QUEUE + ": " + checked.invalid());
                CdrMessages.deadLetter(context, message, checked.body(), CdrMessages.INVALID + checked.invalid());
                link.deadLettered(CdrMessages.INVALID + checked.invalid());
                done++;
                continue;
            }
            long e = epoch.getAsLong();
            if (e == 0) {
                // This message is taken in the transaction and cannot be sent: the batch must give it back.
                return Result.NOT_COORDINATOR;
            }
            // The legacy link speaks the text form; a TS 32.298 body is converted for it.
            BillingWireProtocol.Answer answer = link.deliver(checked.cdrId(), e, CdrTextCodec.encode(checked.cdr()));
            switch (answer.outcome()) {
                case ACK -> done++;
                case NAK -> {
                    LOG.warning(() -> "BIL-021 billing system refused CDR " + checked.cdrId() + " (" + answer.reason()
                            + "), moved to " + CdrJmsContract.DEAD_LETTER_QUEUE);
                    CdrMessages.deadLetter(context, message, checked.body(), CdrMessages.BILLING_NAK + answer.reason());
                    link.deadLettered(CdrMessages.BILLING_NAK + answer.reason());
                    done++;
                }
                case FENCED -> {
                    LOG.warning(() -> "BIL-046 billing system refused epoch " + e + " for CDR " + checked.cdrId()
                            + ": it has seen epoch " + answer.highestEpoch() + "; rolled back");
                    return Result.FENCED;
                }
            }
        }
        return done == 0 ? Result.IDLE : Result.DELIVERED;
    }

    private void rollbackQuietly() {
        try {
            if (transaction.getStatus() != Status.STATUS_NO_TRANSACTION) {
                transaction.rollback();
            }
        } catch (Exception e) {
            LOG.log(Level.FINE, "rollback after a failure failed too", e);
        }
    }
}

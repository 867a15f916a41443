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
 * Moves one CDR from the legacy billing system's queue over the link, in one bean-managed XA transaction: the
 * message is consumed only when the billing system has answered ACK (or a dead-letter copy with the reason was sent
 * in the same transaction: invalid CDR, NAK). A link failure or a FENCED answer rolls back, and the CDR stays first
 * in the queue for the next attempt (the queue redelivers without limit: a link outage never dead-letters a CDR).
 * Only the coordinator's worker calls it, one CDR at a time: the link carries one request at a time anyway.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class LegacyBillingForwarder {

    private static final Logger LOG = Logger.getLogger(LegacyBillingForwarder.class.getName());

    /** What became of one attempt. */
    public enum Result {
        /** Nothing in the queue within the poll time. */
        IDLE,
        /** ACK from the billing system; the message is consumed. */
        DELIVERED,
        /** Invalid CDR or NAK: a copy with the reason is in the dead-letter queue; the message is consumed. */
        DEAD_LETTERED,
        /** The billing system refused the epoch: another coordinator exists. Rolled back. */
        FENCED,
        /** This instance's lease ran out before the CDR was sent. Rolled back, nothing sent. */
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
     * @param epoch    the epoch to send under, asked again right before the CDR goes out: 0 means "no longer
     *                 coordinator", and nothing is sent
     * @param pollMillis how long to wait for a message
     * @throws IOException when the link failed (rolled back; the connection is closed and the next attempt reconnects)
     */
    public Result forwardOne(String queue, LongSupplier epoch, long pollMillis) throws IOException {
        Result result = null;
        boolean commit = false;
        try {
            transaction.begin();
            try (JMSContext context = connectionFactory.createContext();
                 JMSConsumer consumer = context.createConsumer(context.createQueue(queue))) {
                Message message = consumer.receive(pollMillis);
                if (message == null) {
                    result = Result.IDLE;
                    commit = true;
                } else {
                    CdrMessages.Checked checked = CdrMessages.check(message);
                    if (checked.invalid() != null) {
                        LOG.warning(() -> "BIL-020 invalid message on " + queue + " (cdrId " + checked.cdrId() + ") moved to "
                                + CdrJmsContract.DEAD_LETTER_QUEUE + ": " + checked.invalid());
                        CdrMessages.deadLetter(context, message, checked.body(), CdrMessages.INVALID + checked.invalid());
                        link.deadLettered(CdrMessages.INVALID + checked.invalid());
                        result = Result.DEAD_LETTERED;
                        commit = true;
                    } else {
                        long e = epoch.getAsLong();
                        if (e == 0) {
                            result = Result.NOT_COORDINATOR;
                        } else {
                            // The legacy link speaks the text form; a TS 32.298 body is converted for it.
                            BillingWireProtocol.Answer answer = link.deliver(checked.cdrId(), e, CdrTextCodec.encode(checked.cdr()));
                            switch (answer.outcome()) {
                                case ACK -> {
                                    result = Result.DELIVERED;
                                    commit = true;
                                }
                                case NAK -> {
                                    LOG.warning(() -> "BIL-021 billing system refused CDR " + checked.cdrId() + " (" + answer.reason()
                                            + "), moved to " + CdrJmsContract.DEAD_LETTER_QUEUE);
                                    CdrMessages.deadLetter(context, message, checked.body(), CdrMessages.BILLING_NAK + answer.reason());
                                    link.deadLettered(CdrMessages.BILLING_NAK + answer.reason());
                                    result = Result.DEAD_LETTERED;
                                    commit = true;
                                }
                                case FENCED -> {
                                    LOG.warning(() -> "BIL-046 billing system refused epoch " + e + " for CDR " + checked.cdrId()
                                            + ": it has seen epoch " + answer.highestEpoch() + "; rolled back");
                                    result = Result.FENCED;
                                }
                            }
                        }
                    }
                }
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
            // begin/commit/rollback failures (heuristics, timeouts): the message stays or comes back.
            rollbackQuietly();
            throw new IllegalStateException("BIL-048 transaction on " + queue + " failed: " + e, e);
        }
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

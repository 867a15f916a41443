package org.sipcharge.billing.files;

import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSConsumer;
import jakarta.jms.JMSContext;
import jakarta.jms.Message;
import jakarta.transaction.Status;
import jakarta.transaction.UserTransaction;
import org.sipcharge.billing.jms.CdrMessages;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.cdr.ber.CdrBerCodec;
import org.sipcharge.cdr.ber.ImsChargingRecord;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves one CDR from the file system's queue into the open CDR file, in one bean-managed XA transaction that commits
 * only after the CDR is forced to disk. Called by the coordinator's file worker only, one CDR at a time.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class CdrFileExport {

    private static final Logger LOG = Logger.getLogger(CdrFileExport.class.getName());

    public enum Result { IDLE, WRITTEN, DUPLICATE, DEAD_LETTERED, NOT_COORDINATOR }

    @Resource
    private UserTransaction transaction;

    @Resource(lookup = CdrJmsContract.CONNECTION_FACTORY_JNDI)
    private ConnectionFactory connectionFactory;

    /**
     * @throws IOException when the file could not be written (rolled back; the CDR stays in the queue)
     */
    public Result exportOne(String queue, CdrFileSink sink, LongSupplier epoch, long pollMillis) throws IOException {
        Result result;
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
                    byte[] ber = checked.invalid() == null ? berOf(checked, message) : null;
                    if (checked.invalid() != null || ber == null) {
                        String reason = checked.invalid() != null ? CdrMessages.INVALID + checked.invalid()
                                : "file-export: the CDR cannot be written as a TS 32.298 record";
                        LOG.warning(() -> "BIL-071 message on " + queue + " (cdrId " + checked.cdrId() + ") moved to "
                                + CdrJmsContract.DEAD_LETTER_QUEUE + ": " + reason);
                        CdrMessages.deadLetter(context, message, checked.body(), reason);
                        result = Result.DEAD_LETTERED;
                        commit = true;
                    } else if (epoch.getAsLong() == 0) {
                        result = Result.NOT_COORDINATOR;
                    } else if (sink.contains(checked.cdrId())) {
                        LOG.info(() -> "BIL-072 CDR " + checked.cdrId() + " is already in a CDR file (redelivered after a lost commit): not written twice");
                        result = Result.DUPLICATE;
                        commit = true;
                    } else {
                        sink.write(checked.cdrId(), ber);
                        result = Result.WRITTEN;
                        commit = true;
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
        } catch (Exception e) {
            rollbackQuietly();
            throw new IllegalStateException("BIL-073 CDR file export from " + queue + " failed: " + e, e);
        }
    }

    /** The TS 32.298 record: the body itself when it is one, else the text form converted (null when it cannot be). */
    private static byte[] berOf(CdrMessages.Checked checked, Message message) {
        if (checked.body()[0] == (byte) 0xBF) {
            return checked.body();
        }
        try {
            ChargingDataRecord cdr = checked.cdr();
            Instant opening = instant(message, CdrJmsContract.PROP_OPENING_TIME, cdr.deliveryStartTime());
            Instant closure = instant(message, CdrJmsContract.PROP_CLOSURE_TIME, cdr.deliveryEndTime());
            return CdrBerCodec.encode(ImsChargingRecord.fromChargingDataRecord(cdr, opening, closure, ZoneOffset.UTC));
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "no BER form for " + checked.cdrId(), e);
            return null;
        }
    }

    private static Instant instant(Message m, String property, Instant fallback) {
        try {
            String v = m.getStringProperty(property);
            return v == null ? fallback : Instant.parse(v);
        } catch (Exception e) {
            return fallback;
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

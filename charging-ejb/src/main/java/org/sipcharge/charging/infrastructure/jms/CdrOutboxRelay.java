package org.sipcharge.charging.infrastructure.jms;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.sipcharge.charging.domain.model.cdr.Cdr;
import org.sipcharge.charging.infrastructure.persistence.LocalTransaction;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves committed CDRs from the outbox (CDR rows with no publication time) to the JMS CDR queue. One call is one
 * database transaction: it locks a batch of unpublished rows, has the {@link CdrPublisher} send them in a broker
 * transaction of its own and commit it, then marks the rows and commits. Never one XA transaction over both: the
 * broker's duplicate detection on {@code _AMQ_DUPL_ID} = CDR id makes sending again harmless, and a crash between
 * the two commits (rows not marked) only means that the next relay sends them again and the broker drops them.
 *
 * <p>Rows another relay holds (an instance of the cluster on the same database) are skipped, not waited for:
 * {@code FOR UPDATE SKIP LOCKED}, which both H2 2.x and PostgreSQL (9.5+) understand.
 */
@Stateless
public class CdrOutboxRelay {

    private static final Logger LOG = Logger.getLogger(CdrOutboxRelay.class.getName());

    @PersistenceContext(unitName = "sipcharge")
    private EntityManager em;

    @EJB
    private CdrPublisher publisher;

    @Resource(lookup = "jdbc/sipcharge")
    private DataSource dataSource;

    /** @return how many CDRs were published (0 when the outbox is empty or every unpublished row is being published elsewhere) */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public int publishBatch(int maxRecords) {
        // Plain JDBC on a local transaction of the CDF's pool: the rows are read once and marked with one batch, no
        // entity state to track and no transaction coordinator (the broker's transaction is the publisher's own).
        try {
            return LocalTransaction.run(dataSource, c -> publish(c, maxRecords));
        } catch (SQLException e) {
            throw new IllegalStateException("CDF-048 the outbox's rows could not be read or marked (database): " + e.getMessage(), e);
        }
    }

    private int publish(Connection c, int maxRecords) throws SQLException {
        List<Cdr> batch = Cdr.lockUnpublished(c, maxRecords);
        if (batch.isEmpty()) {
            return 0;
        }
        try {
            publisher.sendAll(batch);
        } catch (EJBException refused) {
            // Either the broker is away (the sends below fail as well and the rows stay for the next attempt), or it
            // refused the transaction because it already has one of these CDRs: sent before a crash that lost the
            // rows' marking. One by one, the broker drops what it has and takes the rest.
            LOG.log(Level.FINE, "batch refused, sending one by one", refused);
            publisher.sendEach(batch);
            LOG.info(() -> "CDF-047 a batch of " + batch.size() + " CDRs (from " + batch.get(0).cdrId()
                    + ") was refused as a whole (" + rootMessage(refused) + "); sent one by one instead, the broker"
                    + " dropping any it already had");
        }
        Cdr.markPublished(c, batch, Instant.now());
        return batch.size();
    }

    /** Opens a connection to the broker and a producer on the CDR queue, outside any transaction; throws when it cannot. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void probeBroker() {
        publisher.probe();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long backlog() {
        return em.createNamedQuery("Cdr.countUnpublished", Long.class).getSingleResult();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long committed() {
        return em.createNamedQuery("Cdr.countAll", Long.class).getSingleResult();
    }

    /** The oldest CDR still waiting in the outbox: its id and when it was committed. */
    public record Waiting(String cdrId, Instant committedAt) {
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Optional<Waiting> oldestUnpublished() {
        return em.createNamedQuery("Cdr.findUnpublished", Cdr.class).setMaxResults(1).getResultStream()
                .findFirst().map(c -> new Waiting(c.cdrId(), c.createdAt()));
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}

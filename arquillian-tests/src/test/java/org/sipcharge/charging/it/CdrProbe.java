package org.sipcharge.charging.it;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.sipcharge.charging.domain.model.cdr.Cdr;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Test-only bean that looks at what {@code CdfAccountingService} committed. Every method runs in a transaction
 * of its own (REQUIRES_NEW), so it sees only committed rows and none of the caller's persistence context.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class CdrProbe {

    /** A CDR row as read back, detached from JPA. */
    public record CdrRow(long localSequenceNumber, String cdrId, String sessionId, String callingParty,
                         String calledParty, Instant openingTime, Instant closureTime, boolean incomplete,
                         byte[] body, Instant publishedAt) {
    }

    @PersistenceContext(unitName = "sipcharge")
    private EntityManager em;

    /** The same H2 database as the persistence unit, for reads that bypass JPA. */
    @Resource(lookup = "jdbc/__default")
    private DataSource dataSource;

    public List<CdrRow> cdrsOfSession(String sessionId) {
        return em.createNamedQuery("Cdr.findBySessionId", Cdr.class)
                .setParameter("sessionId", sessionId)
                .getResultList().stream()
                .map(c -> new CdrRow(c.localSequenceNumber(), c.cdrId(), c.sessionId(), c.callingParty(),
                        c.calledParty(), c.openingTime(), c.closureTime(), c.incomplete(), c.body(), c.publishedAt()))
                .toList();
    }

    public long accountingRecordsOfSession(String sessionId) {
        return countRows("select count(*) from ACCOUNTING_RECORD where SESSION_ID = ?", sessionId);
    }

    /** Plain JDBC on a connection of this new transaction: what any other reader of the database sees. */
    public long cdrRowsViaJdbc(String sessionId) {
        return countRows("select count(*) from CDR where SESSION_ID = ?", sessionId);
    }

    private long countRows(String sql, String sessionId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }
}

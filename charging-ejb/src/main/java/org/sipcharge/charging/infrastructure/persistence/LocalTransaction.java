package org.sipcharge.charging.infrastructure.persistence;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A unit of work on one connection of the CDF's pool in a local database transaction, outside JTA: for the hot paths
 * whose only resource is the database (the CDF's group commit, the outbox relay's rows), where the container's
 * transaction coordinator would add cost and nothing else. Call it where no container transaction is active.
 */
public final class LocalTransaction {

    private static final Logger LOG = Logger.getLogger(LocalTransaction.class.getName());

    /** The work; the connection is in manual-commit mode and must not be committed, rolled back or closed by it. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private LocalTransaction() {
    }

    /** Runs {@code work} and commits; rolls back and rethrows when it (or the commit) fails. */
    public static <T> T run(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException brokenConnection) {
                    // The pool's validation (auto-commit) drops a broken connection; the outcome is already decided.
                    LOG.log(Level.FINE, "DB-010 connection could not be reset after a local transaction", brokenConnection);
                }
            }
        }
    }
}

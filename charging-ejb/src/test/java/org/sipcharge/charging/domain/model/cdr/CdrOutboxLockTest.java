package org.sipcharge.charging.domain.model.cdr;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The outbox relay's read ({@link Cdr#lockUnpublished}) on H2 with the product's migrations and a backlog far larger
 * than a batch, as after a broker outage: it takes the oldest rows in order and locks only the rows it returns.
 */
class CdrOutboxLockTest {

    private static final int BACKLOG = 5_000;
    private static final int BATCH = 200;

    private JdbcDataSource db;

    @BeforeEach
    void backlog() throws SQLException {
        java.util.logging.Logger.getLogger("org.flywaydb").setLevel(java.util.logging.Level.WARNING);
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(db).locations("classpath:db/migration/h2").load().migrate();
        Timestamp now = Timestamp.from(Instant.parse("2026-12-06T18:00:00Z"));
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("insert into CDR "
                + "(LOCAL_SEQUENCE_NUMBER, CDR_ID, SESSION_ID, OPENING_TIME, CLOSURE_TIME, INCOMPLETE, BODY, CREATED_AT) "
                + "values (?, ?, ?, ?, ?, false, ?, ?)")) {
            for (long n = 1; n <= BACKLOG; n++) {
                ps.setLong(1, n);
                ps.setString(2, "cdf-test-" + n);
                ps.setString(3, "ctf;1;" + n);
                ps.setTimestamp(4, now);
                ps.setTimestamp(5, now);
                ps.setBytes(6, new byte[]{0x30, 0x00});
                ps.setTimestamp(7, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Test
    void takesTheOldestRowsInOrderAndTheNextBatchAfterThemOnceMarked() throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            List<Cdr> first = Cdr.lockUnpublished(c, BATCH);
            assertEquals(LongStream.rangeClosed(1, BATCH).boxed().toList(),
                    first.stream().map(Cdr::localSequenceNumber).toList());
            Cdr.markPublished(c, first, Instant.now());
            c.commit();
            List<Cdr> second = Cdr.lockUnpublished(c, BATCH);
            assertEquals(BATCH + 1, second.get(0).localSequenceNumber());
            assertEquals(BATCH, second.size());
            c.rollback();
        }
    }

    /**
     * H2 2.2 with {@code FOR UPDATE ... FETCH FIRST n} locks every row the condition matches, not the n it returns: the
     * relay's batch then cost time in proportion to the backlog and held the whole outbox locked (a row far behind
     * the batch could not be changed until the relay committed). Fails with a lock timeout on that form.
     */
    @Test
    void locksOnlyTheRowsOfItsBatch() throws SQLException {
        try (Connection relay = db.getConnection(); Connection other = db.getConnection()) {
            relay.setAutoCommit(false);
            other.setAutoCommit(false);
            assertEquals(BATCH, Cdr.lockUnpublished(relay, BATCH).size());
            try (Statement st = other.createStatement()) {
                st.execute("set lock_timeout 200");
                assertEquals(1, st.executeUpdate("update CDR set PUBLISHED_AT = current_timestamp "
                        + "where LOCAL_SEQUENCE_NUMBER = " + (BACKLOG - 1)), "a row outside the batch is not locked");
            }
            other.rollback();
            relay.rollback();
        }
    }
}

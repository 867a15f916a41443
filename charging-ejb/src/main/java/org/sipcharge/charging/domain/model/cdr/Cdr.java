package org.sipcharge.charging.domain.model.cdr;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.charging.domain.model.JdbcDialect;
import org.sipcharge.charging.domain.model.JdbcInstants;
import org.sipcharge.cdr.CdrTextCodec;
import org.sipcharge.cdr.ber.CdrBerCodec;
import org.sipcharge.cdr.ber.ImsChargingRecord;
import java.time.ZoneOffset;
import org.sipcharge.cdr.ChargingDataRecord;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A committed CDR and its outbox state, as JPA reads it. The row is written (by CdfRecordWriter, in plain JDBC) in
 * the same transaction as the accounting record that closed it, before the ACA is sent; {@code publishedAt} stays null
 * until the CDR has been handed to JMS in a transaction of its own (transactional outbox).
 */
@Entity
@Table(name = "CDR", indexes = @Index(name = "IX_CDR_UNPUBLISHED", columnList = "PUBLISHED_AT, LOCAL_SEQUENCE_NUMBER"))
// The outbox's reads order by both columns of IX_CDR_UNPUBLISHED although PUBLISHED_AT is null in every row they read:
// H2 (2.2) reads rows in the index's order only when ORDER BY names the index's columns from the first; ordered by
// LOCAL_SEQUENCE_NUMBER alone it reads and sorts every unpublished row to return the first few. PostgreSQL plans both
// the same.
@NamedQuery(name = "Cdr.findUnpublished",
        query = "select c from Cdr c where c.publishedAt is null order by c.publishedAt, c.localSequenceNumber")
@NamedQuery(name = "Cdr.countAll", query = "select count(c) from Cdr c")
@NamedQuery(name = "Cdr.countUnpublished", query = "select count(c) from Cdr c where c.publishedAt is null")
// Used by tests and diagnostics only: no index on SESSION_ID, so that the CDF's inserts stay cheap (a full scan here).
@NamedQuery(name = "Cdr.findBySessionId", query = "select c from Cdr c where c.sessionId = :sessionId")
public class Cdr {

    /** Upper bound of an encoded CDR body in the database (VARBINARY); our AS records are a few hundred octets. */
    public static final int MAX_BODY_LENGTH = 16_384;

    /**
     * TS 32.298 localRecordSequenceNumber, unique per CDF database: drawn from the sequence CDR_SEQ in blocks by the
     * CDF's writer (CdfRecordWriter, which inserts every CDR row), the way this generator would draw them; a rolled-back
     * transaction leaves a gap (documented for billing systems). The generator is kept for the schema of the tests.
     */
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "CDR_SEQ")
    @SequenceGenerator(name = "CDR_SEQ", sequenceName = "CDR_SEQ", allocationSize = 20)
    @Column(name = "LOCAL_SEQUENCE_NUMBER")
    private Long localSequenceNumber;

    @Column(name = "CDR_ID", length = 128, nullable = false, unique = true)
    private String cdrId;

    @Column(name = "SESSION_ID", length = 512, nullable = false)
    private String sessionId;

    @Column(name = "CALLING_PARTY", length = 512)
    private String callingParty;

    @Column(name = "CALLED_PARTY", length = 512)
    private String calledParty;

    @Column(name = "OPENING_TIME", nullable = false)
    private Instant openingTime;

    @Column(name = "CLOSURE_TIME", nullable = false)
    private Instant closureTime;

    @Column(name = "INCOMPLETE", nullable = false)
    private boolean incomplete;

    /** TS 32.298 recordSequenceNumber of a partial record; null for a session closed in one record (Flyway V4). */
    @Column(name = "RECORD_SEQUENCE_NUMBER")
    private Long recordSequenceNumber;

    /** The encoded record (a few hundred bytes). Not a LOB: H2's LOB store costs a cleaner thread and a lot of CPU per row. */
    @Column(name = "BODY", nullable = false, length = MAX_BODY_LENGTH)
    private byte[] body;

    @Column(name = "CREATED_AT", nullable = false)
    private Instant createdAt;

    @Column(name = "PUBLISHED_AT")
    private Instant publishedAt;

    protected Cdr() {
    }

    /**
     * Locks up to {@code max} unpublished CDRs, oldest first, for the outbox relay's transaction on {@code c}; rows another
     * relay holds are skipped, not waited for ({@code FOR UPDATE SKIP LOCKED}: H2 2.x and PostgreSQL 9.5+).
     *
     * <p>The cost of one call must not grow with the backlog: after a broker outage the outbox holds every CDR made
     * meanwhile, and the relay drains it {@code max} rows at a time. PostgreSQL stops locking at the row limit. H2 2.2
     * does not: with {@code FOR UPDATE} it reads and locks every row the condition matches before it applies the limit
     * (measured: 1,046 ms for a batch of 200 with 40,000 CDRs unpublished, and a second relay then found nothing to
     * take). On H2 the rows are therefore chosen by a subquery that reads the index in order and stops at the limit,
     * and only those are locked (18 ms at the same backlog). A second relay on the same H2 database then chooses the
     * same rows, finds them locked and publishes nothing this round; the first one goes on.
     */
    public static List<Cdr> lockUnpublished(Connection c, int max) throws SQLException {
        List<Cdr> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(lockUnpublishedSql(c, max));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Cdr cdr = new Cdr();
                cdr.localSequenceNumber = rs.getLong(1);
                cdr.cdrId = rs.getString(2);
                cdr.sessionId = rs.getString(3);
                cdr.callingParty = rs.getString(4);
                cdr.calledParty = rs.getString(5);
                cdr.openingTime = JdbcInstants.get(rs, 6);
                cdr.closureTime = JdbcInstants.get(rs, 7);
                cdr.incomplete = rs.getBoolean(8);
                long rsn = rs.getLong(9);
                cdr.recordSequenceNumber = rs.wasNull() ? null : rsn;
                cdr.body = rs.getBytes(10);
                cdr.createdAt = JdbcInstants.get(rs, 11);
                out.add(cdr);
            }
        }
        return out;
    }

    private static final String CDR_COLUMNS = "LOCAL_SEQUENCE_NUMBER, CDR_ID, SESSION_ID, CALLING_PARTY, CALLED_PARTY, "
            + "OPENING_TIME, CLOSURE_TIME, INCOMPLETE, RECORD_SEQUENCE_NUMBER, BODY, CREATED_AT";

    /** The statement of {@link #lockUnpublished} for the database behind {@code c}. */
    private static String lockUnpublishedSql(Connection c, int max) throws SQLException {
        String oldest = "where PUBLISHED_AT is null order by PUBLISHED_AT, LOCAL_SEQUENCE_NUMBER fetch first "
                + Math.max(1, max) + " rows only";
        if (JdbcDialect.isPostgreSql(c)) {
            return "select " + CDR_COLUMNS + " from CDR " + oldest + " for update skip locked";
        }
        // The outer condition is evaluated again on each row as it is locked: a row another relay published after the
        // subquery read it is not taken a second time.
        return "select " + CDR_COLUMNS + " from CDR where PUBLISHED_AT is null and LOCAL_SEQUENCE_NUMBER in (select "
                + "LOCAL_SEQUENCE_NUMBER from CDR " + oldest + ") order by LOCAL_SEQUENCE_NUMBER for update skip locked";
    }

    /** Marks CDRs locked by {@link #lockUnpublished} on {@code c} as published (one JDBC batch). */
    public static void markPublished(Connection c, List<Cdr> cdrs, Instant when) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update CDR set PUBLISHED_AT = ? where LOCAL_SEQUENCE_NUMBER = ?")) {
            for (Cdr cdr : cdrs) {
                JdbcInstants.set(ps, 1, when);
                ps.setLong(2, cdr.localSequenceNumber);
                ps.addBatch();
                cdr.publishedAt = when;
            }
            ps.executeBatch();
        }
    }

    public long localSequenceNumber() {
        return localSequenceNumber;
    }

    /**
     * The TS 32.298 AS record in BER (record opened at the delivery start, closed now). A record the BER form cannot
     * hold (a party address that is not printable ASCII, say) keeps the documented text form rather than failing the
     * commit and with it the ACR (CDF-050); consumers tell the forms apart by the first octet or {@code bodyFormat}.
     */
    public static byte[] encode(ChargingDataRecord record, Instant closedAt) {
        try {
            Instant closure = closedAt.isBefore(record.deliveryStartTime()) ? record.deliveryStartTime() : closedAt;
            return CdrBerCodec.encode(ImsChargingRecord.fromChargingDataRecord(record, record.deliveryStartTime(), closure,
                    ZoneOffset.UTC));
        } catch (IllegalArgumentException e) {
            java.util.logging.Logger.getLogger(Cdr.class.getName()).warning("CDF-050 CDR " + record.cdrId()
                    + " kept in the text form, the TS 32.298 form cannot hold it: " + e.getMessage());
            return CdrTextCodec.encode(record);
        }
    }

    /** The {@code bodyFormat} of a body made by {@link #encode}. */
    public String bodyFormat() {
        return body.length > 0 && body[0] == (byte) 0xBF ? CdrJmsContract.BODY_FORMAT_BER : CdrJmsContract.BODY_FORMAT_TEXT;
    }

    public String cdrId() { return cdrId; }
    public boolean incomplete() { return incomplete; }
    /** The partial record's number, or null for a record that closed its session alone. */
    public Long recordSequenceNumber() { return recordSequenceNumber; }
    public String sessionId() { return sessionId; }
    public String callingParty() { return callingParty; }
    public String calledParty() { return calledParty; }
    public Instant openingTime() { return openingTime; }
    public Instant closureTime() { return closureTime; }
    public byte[] body() { return body.clone(); }
    public Instant publishedAt() { return publishedAt; }
    public Instant createdAt() { return createdAt; }
}

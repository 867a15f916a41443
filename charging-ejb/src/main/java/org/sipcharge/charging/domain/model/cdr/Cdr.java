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
import org.sipcharge.cdr.CdrTextCodec;
import org.sipcharge.cdr.ber.CdrBerCodec;
import org.sipcharge.cdr.ber.ImsChargingRecord;
import java.time.ZoneOffset;
import org.sipcharge.cdr.ChargingDataRecord;

import java.time.Instant;

/**
 * A committed CDR and its outbox state. The row is written in the same transaction as the accounting
 * record that closed it, before the ACA is sent; {@code publishedAt} stays null until the CDR has been
 * handed to JMS in a transaction of its own (transactional outbox).
 */
@Entity
@Table(name = "CDR", indexes = @Index(name = "IX_CDR_UNPUBLISHED", columnList = "PUBLISHED_AT, LOCAL_SEQUENCE_NUMBER"))
@NamedQuery(name = "Cdr.findUnpublished",
        query = "select c from Cdr c where c.publishedAt is null order by c.localSequenceNumber")
@NamedQuery(name = "Cdr.countAll", query = "select count(c) from Cdr c")
@NamedQuery(name = "Cdr.countUnpublished", query = "select count(c) from Cdr c where c.publishedAt is null")
// Used by tests and diagnostics only: no index on SESSION_ID, so that the CDF's inserts stay cheap (a full scan here).
@NamedQuery(name = "Cdr.findBySessionId", query = "select c from Cdr c where c.sessionId = :sessionId")
public class Cdr {

    /** Upper bound of an encoded CDR body in the database (VARBINARY); our AS records are a few hundred octets. */
    public static final int MAX_BODY_LENGTH = 16_384;

    /**
     * TS 32.298 localRecordSequenceNumber. Drawn from a database sequence at persist time, so it is unique
     * per CDF database; a rolled-back transaction leaves a gap (documented for billing systems).
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
     * A CDR waiting for its sequence number: persist it, then {@link #seal} it in the same transaction.
     * Hibernate captures an entity's state for its INSERT at persist time, so the row is inserted with
     * placeholders (satisfying the NOT NULL and UNIQUE constraints) and completed by an UPDATE at the same flush;
     * nobody ever sees the placeholders, because both statements commit together.
     */
    public Cdr(String sessionId, Instant createdAt) {
        this.sessionId = sessionId;
        this.createdAt = createdAt;
        this.cdrId = "pending-" + java.util.UUID.randomUUID();
        this.openingTime = createdAt;
        this.closureTime = createdAt;
        this.body = new byte[0];
    }

    public long localSequenceNumber() {
        if (localSequenceNumber == null) {
            throw new IllegalStateException("CDR not persisted yet: no local sequence number");
        }
        return localSequenceNumber;
    }

    /** Fixes the record's content once its sequence number is known; the INSERT at flush carries all of it. */
    public void seal(ChargingDataRecord record) {
        if (record.localSequenceNumber() != localSequenceNumber() || !record.sessionId().equals(sessionId)) {
            throw new IllegalArgumentException("record " + record.cdrId() + " does not belong to CDR row " + localSequenceNumber);
        }
        this.cdrId = record.cdrId();
        this.callingParty = record.callingParty();
        this.calledParty = record.calledParty();
        this.openingTime = record.deliveryStartTime();
        this.closureTime = record.deliveryEndTime();
        this.incomplete = record.incomplete();
        this.recordSequenceNumber = record.recordSequenceNumber() > 0 ? record.recordSequenceNumber() : null;
        this.body = encode(record, createdAt);
    }

    /**
     * The TS 32.298 AS record in BER (record opened at the delivery start, closed now). A record the BER form cannot
     * hold (a party address that is not printable ASCII, say) keeps the documented text form rather than failing the
     * commit and with it the ACR (CDF-050); consumers tell the forms apart by the first octet or {@code bodyFormat}.
     */
    static byte[] encode(ChargingDataRecord record, Instant closedAt) {
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

    public void markPublished(Instant when) {
        this.publishedAt = when;
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

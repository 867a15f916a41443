package org.sipcharge.charging.domain.model.accounting;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import org.sipcharge.charging.application.ImsChargingInfo;

import java.time.Instant;

/**
 * An ACR that no CDF has answered yet, kept in the database so that it survives a restart (TS 32.299 6.1.2: the
 * CTF must not lose accounting data when no CDF is reachable). Drained oldest first; the id gives the order in
 * which the CTF produced them, so the records of one session leave in their Accounting-Record-Number order.
 */
@Entity
@Table(name = "PENDING_ACR", indexes = @Index(name = "IX_PENDING_ACR_SESSION", columnList = "SESSION_ID"))
@NamedQuery(name = "PendingAccountingRequest.oldest", query = "select p from PendingAccountingRequest p order by p.id")
@NamedQuery(name = "PendingAccountingRequest.count", query = "select count(p) from PendingAccountingRequest p")
@NamedQuery(name = "PendingAccountingRequest.countForSession",
        query = "select count(p) from PendingAccountingRequest p where p.sessionId = :sessionId")
@NamedQuery(name = "PendingAccountingRequest.sessions", query = "select distinct p.sessionId from PendingAccountingRequest p")
public class PendingAccountingRequest {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "PENDING_ACR_SEQ")
    @SequenceGenerator(name = "PENDING_ACR_SEQ", sequenceName = "PENDING_ACR_SEQ", allocationSize = 1)
    private Long id;

    @Column(name = "SESSION_ID", length = 512, nullable = false)
    private String sessionId;
    @Column(name = "ORIGIN_HOST", length = 255, nullable = false)
    private String originHost;
    @Enumerated(EnumType.STRING)
    @Column(name = "RECORD_TYPE", length = 8, nullable = false)
    private AccountingRecordType type;
    @Column(name = "RECORD_NUMBER", nullable = false)
    private long recordNumber;
    @Column(name = "USER_SESSION_ID", length = 512)
    private String userSessionId;
    @Column(name = "CALLING_PARTY", length = 512)
    private String callingParty;
    @Column(name = "CALLED_PARTY", length = 512)
    private String calledParty;
    @Column(name = "SIP_REQUEST_TIME")
    private Instant sipRequestTime;
    @Column(name = "SIP_RESPONSE_TIME")
    private Instant sipResponseTime;
    @Column(name = "EVENT_TIME", nullable = false)
    private Instant eventTime;
    @Column(name = "CAUSE_CODE", nullable = false)
    private int causeCode;
    @Column(name = "SIP_METHOD", length = 32)
    private String sipMethod;
    /** IMS charging details of the record (Flyway V6). */
    @jakarta.persistence.Embedded
    private ImsColumns ims;
    /** RFC 6733 section 3: a retransmission keeps the End-to-End Identifier of the first copy. */
    @Column(name = "END_TO_END", nullable = false)
    private int endToEnd;
    @Column(name = "BUFFERED_AT", nullable = false)
    private Instant bufferedAt;
    @Column(name = "LAST_ERROR", length = 512)
    private String lastError;

    protected PendingAccountingRequest() {
    }

    public PendingAccountingRequest(AccountingRequest r, int endToEnd, Instant bufferedAt, String lastError) {
        this.sessionId = r.sessionId();
        this.originHost = r.originHost();
        this.type = r.type();
        this.recordNumber = r.recordNumber();
        this.userSessionId = r.userSessionId();
        this.callingParty = r.callingParty();
        this.calledParty = r.calledParty();
        this.sipRequestTime = r.sipRequestTime();
        this.sipResponseTime = r.sipResponseTime();
        this.eventTime = r.eventTime();
        this.causeCode = r.causeCode();
        this.sipMethod = r.sipMethod();
        this.ims = ImsColumns.of(r.ims());
        this.endToEnd = endToEnd;
        this.bufferedAt = bufferedAt;
        this.lastError = lastError == null ? null : truncate(lastError, 512);
    }

    /** The buffered record, marked as a possible retransmission (the CDF may have committed it before timing out). */
    public AccountingRequest toRequest() {
        return new AccountingRequest(sessionId, originHost, type, recordNumber, true, userSessionId, callingParty,
                calledParty, sipRequestTime, sipResponseTime, eventTime, causeCode, sipMethod)
                .withIms(ims == null ? ImsChargingInfo.NONE : ims.toInfo());
    }

    public Long id() { return id; }
    public String sessionId() { return sessionId; }
    public int endToEnd() { return endToEnd; }
    public Instant bufferedAt() { return bufferedAt; }

    public void failedAgain(String error) {
        this.lastError = error == null ? null : truncate(error, 512);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}

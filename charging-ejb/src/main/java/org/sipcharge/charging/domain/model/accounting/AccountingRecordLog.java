package org.sipcharge.charging.domain.model.accounting;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import java.time.Instant;

/**
 * One row per accounting request the CDF accepted (written by CdfRecordWriter in JDBC; read here). The unique key on (Session-Id, Accounting-Record-Number)
 * is what makes ACR handling idempotent: a retransmitted or duplicated ACR cannot be stored twice, even when
 * two copies race on different connections.
 */
@Entity
@Table(name = "ACCOUNTING_RECORD",
        uniqueConstraints = @UniqueConstraint(name = "UK_ACCOUNTING_RECORD", columnNames = {"SESSION_ID", "RECORD_NUMBER"}))
@NamedQuery(name = "AccountingRecordLog.recordNumbersOf",
        query = "select r.sessionId, r.recordNumber from AccountingRecordLog r where r.sessionId in :sessionIds")
@NamedQuery(name = "AccountingRecordLog.count",
        query = "select count(r) from AccountingRecordLog r where r.sessionId = :sessionId and r.recordNumber = :recordNumber")
@NamedQuery(name = "AccountingRecordLog.countAll", query = "select count(r) from AccountingRecordLog r")
public class AccountingRecordLog {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "ACCOUNTING_RECORD_SEQ")
    @SequenceGenerator(name = "ACCOUNTING_RECORD_SEQ", sequenceName = "ACCOUNTING_RECORD_SEQ", allocationSize = 50)
    private Long id;

    @Column(name = "SESSION_ID", length = 512, nullable = false)
    private String sessionId;

    @Column(name = "RECORD_NUMBER", nullable = false)
    private long recordNumber;

    @Column(name = "RECORD_TYPE", length = 8, nullable = false)
    private String recordType;

    @Column(name = "RECEIVED_AT", nullable = false)
    private Instant receivedAt;

    protected AccountingRecordLog() {
    }
}

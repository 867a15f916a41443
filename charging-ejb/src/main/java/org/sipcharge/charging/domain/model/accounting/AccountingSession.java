package org.sipcharge.charging.domain.model.accounting;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.domain.model.JdbcInstants;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The CDF's view of one accounting session (from START to STOP). Closed sessions are kept: they are
 * what lets a late duplicate STOP be recognised.
 */
@Entity
@Table(name = "ACCOUNTING_SESSION")
@jakarta.persistence.NamedQuery(name = "AccountingSession.findAll",
        query = "select s from AccountingSession s where s.sessionId in :sessionIds")
@jakarta.persistence.NamedQuery(name = "AccountingSession.findSilentSince",
        query = "select s.sessionId from AccountingSession s where s.state = org.sipcharge.charging.domain.model.accounting.AccountingSession.State.OPEN"
                + " and s.lastActivity < :cutoff order by s.lastActivity")
public class AccountingSession {

    public enum State { OPEN, CLOSED }

    @Id
    @Column(name = "SESSION_ID", length = 512)
    private String sessionId;

    @Column(name = "ORIGIN_HOST", length = 255, nullable = false)
    private String originHost;

    @Column(name = "USER_SESSION_ID", length = 512)
    private String userSessionId;

    @Column(name = "CALLING_PARTY", length = 512)
    private String callingParty;

    @Column(name = "CALLED_PARTY", length = 512)
    private String calledParty;

    @Column(name = "SERVICE_REQUEST_TIME")
    private Instant serviceRequestTime;

    @Column(name = "DELIVERY_START_TIME")
    private Instant deliveryStartTime;

    @Column(name = "DELIVERY_END_TIME")
    private Instant deliveryEndTime;

    @Column(name = "LAST_RECORD_NUMBER", nullable = false)
    private long lastRecordNumber;

    /** When the CDF last received a record of this session: the supervision closes sessions silent for too long. */
    @Column(name = "LAST_ACTIVITY")
    private Instant lastActivity;

    @Column(name = "START_SEEN", nullable = false)
    private boolean startSeen;

    @Enumerated(EnumType.STRING)
    @Column(name = "STATE", length = 8, nullable = false)
    private State state;

    /** Closed by the supervision without a STOP (Flyway V7): a later INTERIM or STOP opens it again (see resume). */
    @Column(name = "STOP_LOST", nullable = false)
    private boolean stopLost;

    /** Subscription-Id END_USER_IMSI / END_USER_E164 given by the CTF (Flyway V4), for the CDR and the CFF. */
    @Column(name = "SUBSCRIPTION_IMSI", length = 64)
    private String subscriptionImsi;

    @Column(name = "SUBSCRIPTION_E164", length = 64)
    private String subscriptionE164;

    /** The SIP method of an EVENT record (TS 32.298 sIP-Method); INVITE for a session (Flyway V6 adds these six). */
    @Column(name = "SIP_METHOD", length = 32)
    private String sipMethod;

    /** The Service-Context-Id the CTF sent (TS 32.299 7.1.12; TS 32.298 serviceContextID). */
    @Column(name = "SERVICE_CONTEXT_ID", length = 128)
    private String serviceContextId;

    /** IMS charging details (Flyway V6); Hibernate leaves this null when all four columns are. */
    @jakarta.persistence.Embedded
    private ImsColumns ims;

    /** Partial records closed so far: the recordSequenceNumber of the last one (Flyway V4). */
    @Column(name = "PARTIAL_SEQUENCE", nullable = false)
    private int partialSequence;

    /** When the open record began, when a partial record was closed; null: at the delivery start. */
    @Column(name = "PARTIAL_START")
    private Instant partialStart;

    /** INTERIMs received since the open record began. */
    @Column(name = "PARTIAL_INTERIMS", nullable = false)
    private int partialInterims;

    @Version
    @Column(name = "VERSION")
    private long version;

    protected AccountingSession() {
    }

    /** Opens a session from its first request; {@code startSeen} is false when the first request was not START. */
    public static AccountingSession open(AccountingRequest first) {
        AccountingSession s = new AccountingSession();
        s.sessionId = first.sessionId();
        s.originHost = first.originHost();
        s.state = State.OPEN;
        s.startSeen = first.type() == AccountingRecordType.START;
        s.lastRecordNumber = first.recordNumber();
        s.absorb(first);
        if (s.startSeen) {
            s.deliveryStartTime = first.sipResponseTime() != null ? first.sipResponseTime() : first.eventTime();
        }
        return s;
    }

    /** Takes the party addresses and timestamps that a later request carries, keeping earlier values. */
    public void absorb(AccountingRequest r) {
        if (userSessionId == null) userSessionId = r.userSessionId();
        if (callingParty == null) callingParty = r.callingParty();
        if (calledParty == null) calledParty = r.calledParty();
        if (serviceRequestTime == null) serviceRequestTime = r.sipRequestTime();
        if (subscriptionImsi == null) subscriptionImsi = r.subscriptionImsi();
        if (subscriptionE164 == null) subscriptionE164 = r.subscriptionE164();
        if (sipMethod == null) sipMethod = r.sipMethod();
        if (serviceContextId == null) serviceContextId = r.serviceContextId();
        if (ims == null) {
            ims = ImsColumns.of(r.ims());
        } else {
            ims.fillFrom(r.ims());
        }
        lastRecordNumber = Math.max(lastRecordNumber, r.recordNumber());
        lastActivity = Instant.now();
    }

    /**
     * Closes a session that sent neither INTERIM nor STOP for too long (the CTF or its network failed): the end is the
     * last sign of life; the record is incomplete (TS 32.298 incomplete-CDR-indication, STOP lost).
     */
    public void closeSilent() {
        deliveryEndTime = lastActivity != null ? lastActivity : Instant.now();
        if (deliveryStartTime == null) {
            deliveryStartTime = serviceRequestTime != null ? serviceRequestTime : deliveryEndTime;
        }
        if (deliveryEndTime.isBefore(deliveryStartTime)) {
            deliveryEndTime = deliveryStartTime;
        }
        state = State.CLOSED;
        stopLost = true;
    }

    /**
     * Whether a record of this session that arrives now opens it again: the supervision closed it without a STOP
     * (the CTF was cut off or stalled for longer than the supervision allows), and the record is newer than any
     * before the close (a late copy of an older one is old news and opens nothing).
     */
    public boolean resumable(AccountingRequest r) {
        return state == State.CLOSED && stopLost && r.recordNumber() > lastRecordNumber;
    }

    /**
     * Opens a session closed by the supervision again, at one of its later INTERIMs or its STOP: the incomplete record
     * already written covers the session up to its last sign of life, a continuation record covers the rest from
     * there, so no charged time is lost and none is counted twice. The continuation has no START of its own, so its
     * CDR is marked incomplete (aCRStartLost), the one before it carries aCRStopLost: a billing system sees the two
     * parts by the Session-Id.
     */
    public void resume(AccountingRequest r) {
        if (!resumable(r)) {
            throw new IllegalStateException("session " + sessionId + " was not closed by the supervision");
        }
        partialStart = deliveryEndTime;
        partialInterims = 0;
        deliveryEndTime = null;
        startSeen = false;
        stopLost = false;
        state = State.OPEN;
        absorb(r);
    }

    public void close(AccountingRequest stop) {
        absorb(stop);
        deliveryEndTime = stop.sipResponseTime() != null ? stop.sipResponseTime() : stop.eventTime();
        if (deliveryStartTime == null) {
            // No START seen: TS 32.298 has the record marked incomplete; the best known start is the request time.
            deliveryStartTime = serviceRequestTime != null ? serviceRequestTime : deliveryEndTime;
        }
        if (deliveryEndTime.isBefore(deliveryStartTime)) {
            deliveryEndTime = deliveryStartTime;
        }
        state = State.CLOSED;
    }

    /** Counts an INTERIM towards the open record (partial-record policy). */
    public void interimReceived() {
        partialInterims++;
    }

    /** The open record's start: the delivery start, or the end of the last partial record. */
    public Instant openRecordStart() {
        if (partialStart != null) {
            return partialStart;
        }
        return deliveryStartTime != null ? deliveryStartTime : serviceRequestTime;
    }

    /**
     * Closes the open record as a partial one ending at {@code end} and opens the next from there.
     *
     * @return the closed record's recordSequenceNumber
     */
    public int closePartial(Instant end) {
        partialSequence++;
        partialStart = end;
        partialInterims = 0;
        return partialSequence;
    }

    /** The recordSequenceNumber of the record that closes the session: 0 when it is the only one. */
    public int finalRecordSequenceNumber() {
        return partialSequence == 0 ? 0 : partialSequence + 1;
    }

    /** The IMS charging details gathered from the session's records. */
    public ImsChargingInfo ims() {
        return ims == null ? ImsChargingInfo.NONE : ims.toInfo();
    }

    public String sipMethod() { return sipMethod; }
    public String serviceContextId() { return serviceContextId; }
    public int partialInterims() { return partialInterims; }
    public String subscriptionImsi() { return subscriptionImsi; }
    public String subscriptionE164() { return subscriptionE164; }
    public int partialSequence() { return partialSequence; }
    public String sessionId() { return sessionId; }
    public String originHost() { return originHost; }
    public String userSessionId() { return userSessionId; }
    public String callingParty() { return callingParty; }
    public String calledParty() { return calledParty; }
    public Instant serviceRequestTime() { return serviceRequestTime; }
    public Instant deliveryStartTime() { return deliveryStartTime; }
    public Instant deliveryEndTime() { return deliveryEndTime; }
    public long lastRecordNumber() { return lastRecordNumber; }
    public boolean startSeen() { return startSeen; }
    public boolean stopLost() { return stopLost; }
    public Instant lastActivity() { return lastActivity; }
    public State state() { return state; }

    // JDBC mapping, for the CDF's group commit (CdfRecordWriter), which writes sessions without Hibernate. The columns
    // are the annotated ones above (Flyway V1-V7); VERSION is the same optimistic lock Hibernate keeps, so a session
    // changed by JPA (the supervision's closeSilent) and by JDBC (the group commit) is never overwritten blindly.

    /** The columns {@link #read} reads and {@link #bindInsert} writes, in this order. */
    public static final String COLUMNS = "SESSION_ID, ORIGIN_HOST, USER_SESSION_ID, CALLING_PARTY, CALLED_PARTY, "
            + "SERVICE_REQUEST_TIME, DELIVERY_START_TIME, DELIVERY_END_TIME, LAST_RECORD_NUMBER, LAST_ACTIVITY, START_SEEN, "
            + "STATE, STOP_LOST, SUBSCRIPTION_IMSI, SUBSCRIPTION_E164, SIP_METHOD, SERVICE_CONTEXT_ID, ICID, ORIGINATING_IOI, "
            + "TERMINATING_IOI, SDP_MEDIA, PARTIAL_SEQUENCE, PARTIAL_START, PARTIAL_INTERIMS, VERSION";

    public static final String INSERT_SQL = "insert into ACCOUNTING_SESSION (" + COLUMNS + ") values ("
            + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Every column but the key, VERSION raised by one; matches no row when someone else changed the session. */
    public static final String UPDATE_SQL = "update ACCOUNTING_SESSION set ORIGIN_HOST = ?, USER_SESSION_ID = ?, "
            + "CALLING_PARTY = ?, CALLED_PARTY = ?, SERVICE_REQUEST_TIME = ?, DELIVERY_START_TIME = ?, DELIVERY_END_TIME = ?, "
            + "LAST_RECORD_NUMBER = ?, LAST_ACTIVITY = ?, START_SEEN = ?, STATE = ?, STOP_LOST = ?, SUBSCRIPTION_IMSI = ?, "
            + "SUBSCRIPTION_E164 = ?, SIP_METHOD = ?, SERVICE_CONTEXT_ID = ?, ICID = ?, ORIGINATING_IOI = ?, TERMINATING_IOI = ?, "
            + "SDP_MEDIA = ?, PARTIAL_SEQUENCE = ?, PARTIAL_START = ?, PARTIAL_INTERIMS = ?, VERSION = ? "
            + "where SESSION_ID = ? and VERSION = ?";

    /** A session read from a row whose columns are {@link #COLUMNS}, in that order. */
    public static AccountingSession read(ResultSet rs) throws SQLException {
        AccountingSession s = new AccountingSession();
        s.sessionId = rs.getString(1);
        s.originHost = rs.getString(2);
        s.userSessionId = rs.getString(3);
        s.callingParty = rs.getString(4);
        s.calledParty = rs.getString(5);
        s.serviceRequestTime = JdbcInstants.get(rs, 6);
        s.deliveryStartTime = JdbcInstants.get(rs, 7);
        s.deliveryEndTime = JdbcInstants.get(rs, 8);
        s.lastRecordNumber = rs.getLong(9);
        s.lastActivity = JdbcInstants.get(rs, 10);
        s.startSeen = rs.getBoolean(11);
        s.state = State.valueOf(rs.getString(12));
        s.stopLost = rs.getBoolean(13);
        s.subscriptionImsi = rs.getString(14);
        s.subscriptionE164 = rs.getString(15);
        s.sipMethod = rs.getString(16);
        s.serviceContextId = rs.getString(17);
        s.ims = ImsColumns.ofColumns(rs.getString(18), rs.getString(19), rs.getString(20), rs.getString(21));
        s.partialSequence = rs.getInt(22);
        s.partialStart = JdbcInstants.get(rs, 23);
        s.partialInterims = rs.getInt(24);
        s.version = rs.getLong(25);
        return s;
    }

    /** Binds a new row ({@link #INSERT_SQL}) with VERSION 0. */
    public void bindInsert(PreparedStatement ps) throws SQLException {
        ps.setString(1, sessionId);
        bindState(ps, 2);
        ps.setLong(25, 0);
    }

    /** Binds {@link #UPDATE_SQL} for this session as read at {@link #version()}. */
    public void bindUpdate(PreparedStatement ps) throws SQLException {
        bindState(ps, 1);
        ps.setLong(24, version + 1);
        ps.setString(25, sessionId);
        ps.setLong(26, version);
    }

    /** After the row was written by {@link #bindInsert} (0) or {@link #bindUpdate} (one more) and committed. */
    public void written(boolean inserted) {
        version = inserted ? 0 : version + 1;
    }

    /** The optimistic-lock version this session was read or last written with. */
    public long version() {
        return version;
    }

    /** Every column but SESSION_ID and VERSION, from parameter {@code i} on (23 parameters). */
    private void bindState(PreparedStatement ps, int i) throws SQLException {
        ps.setString(i++, originHost);
        ps.setString(i++, userSessionId);
        ps.setString(i++, callingParty);
        ps.setString(i++, calledParty);
        JdbcInstants.set(ps, i++, serviceRequestTime);
        JdbcInstants.set(ps, i++, deliveryStartTime);
        JdbcInstants.set(ps, i++, deliveryEndTime);
        ps.setLong(i++, lastRecordNumber);
        JdbcInstants.set(ps, i++, lastActivity);
        ps.setBoolean(i++, startSeen);
        ps.setString(i++, state.name());
        ps.setBoolean(i++, stopLost);
        ps.setString(i++, subscriptionImsi);
        ps.setString(i++, subscriptionE164);
        ps.setString(i++, sipMethod);
        ps.setString(i++, serviceContextId);
        ps.setString(i++, ims == null ? null : ims.icid());
        ps.setString(i++, ims == null ? null : ims.originatingIoi());
        ps.setString(i++, ims == null ? null : ims.terminatingIoi());
        ps.setString(i++, ims == null ? null : ims.sdpMedia());
        ps.setInt(i++, partialSequence);
        JdbcInstants.set(ps, i++, partialStart);
        ps.setInt(i, partialInterims);
    }
}

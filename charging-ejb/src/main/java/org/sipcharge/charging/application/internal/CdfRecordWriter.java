package org.sipcharge.charging.application.internal;

import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.domain.model.JdbcDialect;
import org.sipcharge.charging.domain.model.JdbcInstants;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.AccountingSession;
import org.sipcharge.charging.domain.model.cdr.Cdr;
import org.sipcharge.charging.domain.model.cdr.PartialRecordPolicy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CDF's group commit in plain JDBC: a group of accounting requests becomes, on one connection and without
 * committing (the caller owns the transaction), at most four JDBC batches: new sessions, changed sessions, accounting
 * records and CDRs. The requests are applied in list order, exactly as one-by-one recording would apply them.
 *
 * <p>What a request does to its session (START, INTERIM, STOP, EVENT, partial records, a session the supervision closed
 * and that comes back) is the same as it was with JPA; what changed is the cost: no persistence context, no dirty
 * checking, the CDR inserted once with its sequence number drawn first, and with a {@link SessionCache} no query at all
 * for a session the caller has written before. The database's constraints stay the judge: the unique key on
 * (Session-Id, Accounting-Record-Number) and the session's VERSION make a group whose assumptions did not hold (a
 * session changed by another CDF on the same database or by the supervision, a record stored before that the cache did
 * not know) fail with {@link StaleGroupException} before anything is committed; the caller rolls back, forgets the
 * group's sessions and writes the group again without the cache, which reads everything fresh.
 */
public final class CdfRecordWriter {

    private static final Logger LOG = Logger.getLogger(CdfRecordWriter.class.getName());

    /** TS 32.298 causeForRecordClosing: normalRelease (0), abnormalRelease (4). */
    static final int CAUSE_NORMAL_RELEASE = 0;
    static final int CAUSE_ABNORMAL_RELEASE = 4;

    /**
     * Increments of the sequences in Flyway V1; the blocks drawn here follow Hibernate's pooled optimizer (a value v
     * stands for v - increment + 1 .. v), so ids drawn by JDBC and by JPA (the supervision's CDRs) never meet.
     */
    static final int CDR_SEQ_INCREMENT = 20;
    static final int RECORD_SEQ_INCREMENT = 50;

    /** Session ids per "in (...)" list; lists are padded to powers of two so that few distinct statements exist. */
    private static final int MAX_IN_LIST = 512;

    private static final String INSERT_RECORD =
            "insert into ACCOUNTING_RECORD (ID, SESSION_ID, RECORD_NUMBER, RECORD_TYPE, RECEIVED_AT) values (?, ?, ?, ?, ?)";
    private static final String INSERT_CDR = "insert into CDR (LOCAL_SEQUENCE_NUMBER, CDR_ID, SESSION_ID, CALLING_PARTY, "
            + "CALLED_PARTY, OPENING_TIME, CLOSURE_TIME, INCOMPLETE, RECORD_SEQUENCE_NUMBER, BODY, CREATED_AT) "
            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** A group's assumption did not hold; nothing of it may be committed. */
    public static final class StaleGroupException extends RuntimeException {
        StaleGroupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final PartialRecordPolicy partials;
    /**
     * One block per sequence for the whole application (every writer: the committers, the container-managed path, the
     * supervision), so that CDRs are numbered in the order they are made, not by which writer holds which block. This
     * assumes what the application has: one database (jdbc/sipcharge); a block drawn from one database's sequence would
     * be wrong in another's.
     */
    private static final IdBlock CDR_IDS = new IdBlock("CDR_SEQ", CDR_SEQ_INCREMENT);
    private static final IdBlock RECORD_IDS = new IdBlock("ACCOUNTING_RECORD_SEQ", RECORD_SEQ_INCREMENT);

    public CdfRecordWriter(PartialRecordPolicy partials) {
        this.partials = partials;
    }

    /**
     * Whether recording {@code request} can close a CDR (a STOP or EVENT, or an INTERIM when partial records are on), so
     * that the outbox relay is woken at once after its commit rather than by its one-second timer.
     */
    public boolean mayCloseRecord(AccountingRequest request) {
        return switch (request.type()) {
            case STOP, EVENT -> true;
            case INTERIM -> partials.enabled();
            case START -> false;
        };
    }

    /**
     * The sessions one committer thread wrote last, so that their next records need no query. Confined to one thread;
     * bounded (least recently used first out). A closed session leaves it: its late copies are rare, and looked up.
     */
    public static final class SessionCache {
        private final Map<String, Known> sessions;

        public SessionCache(int capacity) {
            this.sessions = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
                    return size() > capacity;
                }
            };
        }

        /** Forgets these sessions: after a failed group, whose changes to them were rolled back. */
        public void forget(List<AccountingRequest> requests) {
            for (AccountingRequest r : requests) {
                sessions.remove(r.sessionId());
            }
        }

        public int size() {
            return sessions.size();
        }
    }

    /** A session as this writer knows it, with the record numbers stored for it. */
    private static final class Known {
        AccountingSession session;
        boolean rowExists;
        boolean changed;
        /**
         * The session is one EVENT (or EVENTs) and nothing else, opened in this group: it needs no row. An EVENT is
         * complete alone (TS 32.299 5.2.2.3); its ACCOUNTING_RECORD row (unique on Session-Id and record number) is
         * what recognises a copy of it, and a later session record under the same Session-Id opens a session of its
         * own. One row fewer per EVENT, of the three it wrote, and the widest (BENCHMARKS.md).
         */
        boolean eventOnly;
        final Set<Long> recordNumbers = new HashSet<>();

        /** Whether the group must insert or update this session's row. */
        boolean writesRow() {
            return changed && !(eventOnly && !rowExists);
        }
    }

    /**
     * Writes a group; the caller commits when this returns, or rolls back when it throws.
     *
     * @param cache the sessions this caller wrote before, or null to read every session the group touches
     * @throws StaleGroupException when a session or record changed under the cache's knowledge (roll back, forget,
     *                             write again without the cache)
     */
    public List<AccountingOutcome> write(Connection c, List<AccountingRequest> requests, String nodeId, SessionCache cache)
            throws SQLException {
        Instant now = Instant.now();
        Map<String, Known> group = new HashMap<>();
        Set<String> toRead = new LinkedHashSet<>();
        for (AccountingRequest r : requests) {
            String id = r.sessionId();
            if (group.containsKey(id) || toRead.contains(id)) {
                continue;
            }
            Known k = cache == null ? null : cache.sessions.get(id);
            if (k != null) {
                group.put(id, k);
            } else if (cache != null && !r.retransmission() && (r.type() == AccountingRecordType.EVENT
                    || (r.type() == AccountingRecordType.START && r.recordNumber() == 0))) {
                // A session's first record, not flagged as a copy: assumed new, no query. If it is not (a copy of a START
                // stored before), the unique key or the session's primary key says so at the batch, and the group is
                // written again fresh. A copy with the T flag (RFC 6733 3) is likely stored already: it is looked up.
                group.put(id, new Known());
            } else {
                toRead.add(id);
            }
        }
        if (!toRead.isEmpty()) {
            read(c, toRead, group, true);
        }

        Batches batches = new Batches();
        List<AccountingOutcome> outcomes = new ArrayList<>(requests.size());
        for (AccountingRequest r : requests) {
            Known k = group.get(r.sessionId());
            if (!k.recordNumbers.add(r.recordNumber())) {
                outcomes.add(AccountingOutcome.DUPLICATE);
                continue;
            }
            batches.records.add(r);
            outcomes.add(apply(c, r, k, nodeId, now, batches) ? AccountingOutcome.RECORDED : AccountingOutcome.RECORDED_OUT_OF_SEQUENCE);
        }
        try {
            batches.execute(c, now, group.values());
        } catch (SQLException e) {
            if (isConstraintViolation(e)) {
                throw new StaleGroupException("a record or session of the group was stored by someone else: " + e.getMessage(), e);
            }
            throw e;
        }
        for (Known k : group.values()) {
            if (k.writesRow()) {
                k.session.written(!k.rowExists);
                k.rowExists = true;
            }
            k.changed = false;
        }
        if (cache != null) {
            for (Map.Entry<String, Known> e : group.entrySet()) {
                if (e.getValue().session != null && e.getValue().session.state() == AccountingSession.State.OPEN) {
                    cache.sessions.put(e.getKey(), e.getValue());
                } else {
                    cache.sessions.remove(e.getKey());
                }
            }
        }
        return outcomes;
    }

    /**
     * Closes a session that sent nothing since before {@code cutoff} (the supervision), with an incomplete CDR (TS
     * 32.298 incomplete-CDR-Indication: aCRStopLost, and aCRStartLost too when START never came). The caller commits.
     *
     * @return false when the session is unknown, closed, or alive after all (a record since the cutoff)
     * @throws StaleGroupException when a record of the session was committed meanwhile (it is alive: leave it)
     */
    public boolean closeSilent(Connection c, String sessionId, Instant cutoff, String nodeId) throws SQLException {
        Map<String, Known> read = new HashMap<>();
        read(c, Set.of(sessionId), read, false);
        Known k = read.get(sessionId);
        AccountingSession s = k.session;
        if (s == null || s.state() != AccountingSession.State.OPEN || s.lastActivity() == null
                || !s.lastActivity().isBefore(cutoff)) {
            return false;
        }
        s.closeSilent();
        k.changed = true;
        Batches out = new Batches();
        // After partial records or a supervision close, the last record covers the time since that one closed.
        Instant start = s.openRecordStart();
        Instant end = s.deliveryEndTime().isBefore(start) ? start : s.deliveryEndTime();
        out.cdrs.add(record(c, s, start, end, CAUSE_ABNORMAL_RELEASE, !s.startSeen(), true, s.finalRecordSequenceNumber(), nodeId));
        out.execute(c, Instant.now(), List.of(k));
        return true;
    }

    /** Reads the sessions (and their stored record numbers, when asked), in "in" lists of bounded length. */
    private static void read(Connection c, Set<String> ids, Map<String, Known> into, boolean withRecordNumbers)
            throws SQLException {
        for (String id : ids) {
            into.put(id, new Known());
        }
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += MAX_IN_LIST) {
            List<String> part = all.subList(from, Math.min(all.size(), from + MAX_IN_LIST));
            int slots = inListSlots(part.size());
            String in = "?" + ", ?".repeat(slots - 1);
            try (PreparedStatement ps = c.prepareStatement("select " + AccountingSession.COLUMNS
                    + " from ACCOUNTING_SESSION where SESSION_ID in (" + in + ")")) {
                bindIn(ps, part, slots);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Known k = into.get(rs.getString(1));
                        k.session = AccountingSession.read(rs);
                        k.rowExists = true;
                    }
                }
            }
            if (!withRecordNumbers) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "select SESSION_ID, RECORD_NUMBER from ACCOUNTING_RECORD where SESSION_ID in (" + in + ")")) {
                bindIn(ps, part, slots);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        into.get(rs.getString(1)).recordNumbers.add(rs.getLong(2));
                    }
                }
            }
        }
    }

    /** {@code n} rounded up to a power of two. */
    static int inListSlots(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** Binds the ids, the last repeated into the padding slots. */
    private static void bindIn(PreparedStatement ps, List<String> ids, int slots) throws SQLException {
        for (int i = 0; i < slots; i++) {
            ps.setString(i + 1, ids.get(Math.min(i, ids.size() - 1)));
        }
    }

    /** @return false when the request's number does not follow the session's last one (a gap or a late record) */
    private boolean apply(Connection c, AccountingRequest request, Known k, String nodeId, Instant now, Batches out)
            throws SQLException {
        AccountingSession session = k.session;
        boolean inSequence = request.type() == AccountingRecordType.EVENT
                || (session == null ? request.recordNumber() == 0 : request.recordNumber() == session.lastRecordNumber() + 1);
        switch (request.type()) {
            case START, INTERIM -> {
                if (session == null) {
                    session = open(k, request);
                } else if (request.type() == AccountingRecordType.INTERIM && session.resumable(request)) {
                    resume(session, request);
                } else {
                    // START after INTERIM/STOP of the same session is possible when answers crossed; keep what we have.
                    session.absorb(request);
                }
                if (request.type() == AccountingRecordType.INTERIM && partials.enabled()
                        && session.state() == AccountingSession.State.OPEN) {
                    session.interimReceived();
                    Instant at = request.eventTime();
                    Instant opened = session.openRecordStart();
                    if (opened != null && !at.isBefore(opened) && partials.closesAt(opened, session.partialInterims(), at)) {
                        int n = session.closePartial(at);
                        out.cdrs.add(record(c, session, opened, at, ChargingDataRecord.CAUSE_TIME_LIMIT, !session.startSeen(),
                                false, n, nodeId));
                        LOG.log(Level.FINE, "CDF-061 partial record {0} of session {1} closed at {2}",
                                new Object[]{n, session.sessionId(), at});
                    }
                }
            }
            case STOP -> {
                if (session == null) {
                    session = open(k, request);
                }
                if (session.resumable(request)) {
                    resume(session, request);
                }
                if (session.state() == AccountingSession.State.CLOSED) {
                    LOG.log(Level.WARNING, "CDF-021 second STOP (record {0}) for closed session {1}: recorded, no new CDR",
                            new Object[]{request.recordNumber(), request.sessionId()});
                } else {
                    session.close(request);
                    out.cdrs.add(closingRecord(c, session, request, nodeId));
                }
            }
            case EVENT -> {
                if (session == null) {
                    session = open(k, request);
                    k.eventOnly = true;
                }
                session.close(request);
                out.cdrs.add(closingRecord(c, session, request, nodeId));
            }
        }
        k.eventOnly &= request.type() == AccountingRecordType.EVENT;
        k.changed = true;
        return inSequence;
    }

    private static AccountingSession open(Known k, AccountingRequest first) {
        k.session = AccountingSession.open(first);
        k.rowExists = false;
        return k.session;
    }

    /** A session the supervision closed is alive after all: the rest of it goes into a continuation record. */
    private static void resume(AccountingSession session, AccountingRequest request) {
        Instant from = session.deliveryEndTime();
        session.resume(request);
        LOG.log(Level.WARNING, "CDF-033 session {0}, closed by the supervision as silent since {1}, sent {2} record {3}: opened "
                + "again; its CDR from then on is a continuation (incomplete-CDR-Indication aCRStartLost), so the rest of "
                + "the session is charged", new Object[]{session.sessionId(), from, request.type(), request.recordNumber()});
    }

    private ChargingDataRecord closingRecord(Connection c, AccountingSession session, AccountingRequest closing, String nodeId)
            throws SQLException {
        // An EVENT is complete alone; a session's record without its START is not.
        boolean startLost = !session.startSeen() && closing.type() != AccountingRecordType.EVENT;
        int cause = closing.causeCode() == 0 ? CAUSE_NORMAL_RELEASE : CAUSE_ABNORMAL_RELEASE;
        Instant start = session.openRecordStart();
        Instant end = session.deliveryEndTime().isBefore(start) ? start : session.deliveryEndTime();
        return record(c, session, start, end, cause, startLost, false, session.finalRecordSequenceNumber(), nodeId);
    }

    private ChargingDataRecord record(Connection c, AccountingSession session, Instant start, Instant end, int cause,
                                      boolean startLost, boolean stopLost, long recordSequenceNumber, String nodeId)
            throws SQLException {
        return chargingDataRecord(session, start, end, cause, startLost, stopLost, recordSequenceNumber,
                CDR_IDS.next(c), nodeId);
    }

    /** The CDR of a session's record from {@code start} to {@code end}, numbered {@code seq} (also used by the supervision). */
    static ChargingDataRecord chargingDataRecord(AccountingSession session, Instant start, Instant end, int cause,
                                                 boolean startLost, boolean stopLost, long recordSequenceNumber, long seq,
                                                 String nodeId) {
        ImsChargingInfo ims = session.ims();
        return new ChargingDataRecord(nodeId + "-" + seq, session.sessionId(),
                nullToEmpty(session.userSessionId()), nullToEmpty(session.callingParty()), nullToEmpty(session.calledParty()),
                session.serviceRequestTime(), start, end, seq, cause, startLost || stopLost, nodeId, recordSequenceNumber,
                session.subscriptionImsi(), session.subscriptionE164(), session.sipMethod(), session.serviceContextId(),
                ims.icid(), ims.originatingIoi(), ims.terminatingIoi(), ims.sdpMedia(), startLost, stopLost);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /**
     * SQLSTATE class 23, integrity constraint violation (ISO/IEC 9075), anywhere in the chain: a batch's driver may
     * report it on the next exception (PostgreSQL) or on a cause.
     */
    static boolean isConstraintViolation(SQLException e) {
        for (SQLException next = e; next != null; next = next.getNextException()) {
            for (Throwable t = next; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof SQLException q && q.getSQLState() != null && q.getSQLState().startsWith("23")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What a group writes besides its sessions. */
    private final class Batches {
        final List<AccountingRequest> records = new ArrayList<>();
        final List<ChargingDataRecord> cdrs = new ArrayList<>();

        /** New sessions, changed sessions (each must still be at the version read), records, CDRs: one batch each. */
        void execute(Connection c, Instant now, Iterable<Known> sessions) throws SQLException {
            List<AccountingSession> inserts = new ArrayList<>();
            List<AccountingSession> updates = new ArrayList<>();
            for (Known k : sessions) {
                if (k.writesRow()) {
                    (k.rowExists ? updates : inserts).add(k.session);
                }
            }
            if (!inserts.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(AccountingSession.INSERT_SQL)) {
                    for (AccountingSession s : inserts) {
                        s.bindInsert(ps);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (!updates.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(AccountingSession.UPDATE_SQL)) {
                    for (AccountingSession s : updates) {
                        s.bindUpdate(ps);
                        ps.addBatch();
                    }
                    int[] counts = ps.executeBatch();
                    for (int i = 0; i < counts.length; i++) {
                        if (counts[i] != 1) {
                            throw new StaleGroupException("session " + updates.get(i).sessionId() + " is no longer at version "
                                    + updates.get(i).version() + " (changed by another CDF or by the supervision)", null);
                        }
                    }
                }
            }
            if (!records.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(INSERT_RECORD)) {
                    for (AccountingRequest r : records) {
                        bindRecord(ps, RECORD_IDS.next(c), r, now);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (!cdrs.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(INSERT_CDR)) {
                    for (ChargingDataRecord r : cdrs) {
                        bindCdr(ps, r, now);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
        }
    }

    // Each row is bound by a method of its own, called once per row: such a method reaches the JIT's thresholds after a
    // few thousand ACRs, whereas the group's method above is called once per group and, with the binding inlined into
    // its loops, was still being compiled again and again (on-stack replacement) after 400,000 ACRs (BENCHMARKS.md).

    private static void bindRecord(PreparedStatement ps, long id, AccountingRequest r, Instant now) throws SQLException {
        ps.setLong(1, id);
        ps.setString(2, r.sessionId());
        ps.setLong(3, r.recordNumber());
        ps.setString(4, r.type().name());
        JdbcInstants.set(ps, 5, now);
    }

    private static void bindCdr(PreparedStatement ps, ChargingDataRecord r, Instant now) throws SQLException {
        ps.setLong(1, r.localSequenceNumber());
        ps.setString(2, r.cdrId());
        ps.setString(3, r.sessionId());
        ps.setString(4, r.callingParty());
        ps.setString(5, r.calledParty());
        JdbcInstants.set(ps, 6, r.deliveryStartTime());
        JdbcInstants.set(ps, 7, r.deliveryEndTime());
        ps.setBoolean(8, r.incomplete());
        if (r.recordSequenceNumber() > 0) {
            ps.setLong(9, r.recordSequenceNumber());
        } else {
            ps.setNull(9, java.sql.Types.BIGINT);
        }
        ps.setBytes(10, Cdr.encode(r, now));
        JdbcInstants.set(ps, 11, now);
    }

    /**
     * Ids from a database sequence in blocks, as Hibernate's pooled optimizer draws them: each value v of the sequence
     * (created with INCREMENT BY the block size) stands for the ids v - size + 1 .. v, never below 1.
     */
    static final class IdBlock {
        private final String sequence;
        private final int size;
        private long next = 1;
        private long last = 0;
        private volatile String sql;

        IdBlock(String sequence, int size) {
            this.sequence = sequence;
            this.size = size;
        }

        synchronized long next(Connection c) throws SQLException {
            if (next > last) {
                long v;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql(c))) {
                    rs.next();
                    v = rs.getLong(1);
                }
                next = Math.max(1, v - size + 1);
                last = v;
            }
            return next++;
        }

        private String sql(Connection c) throws SQLException {
            String s = sql;
            if (s == null) {
                s = JdbcDialect.isPostgreSql(c) ? "select nextval('" + sequence + "')" : "select next value for " + sequence;
                sql = s;
            }
            return s;
        }
    }
}

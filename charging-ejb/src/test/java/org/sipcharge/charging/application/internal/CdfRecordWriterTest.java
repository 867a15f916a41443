package org.sipcharge.charging.application.internal;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.cdr.PartialRecordPolicy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CDF's JDBC group commit against a real H2 database with the product's Flyway migrations: what it stores, and that
 * the database, not the cache, decides when the cache is wrong.
 */
class CdfRecordWriterTest {

    private static final String NODE = "cdf-test";
    private static final Instant ANSWER = Instant.parse("2026-12-06T08:00:00.123Z");
    private static final Instant BYE = ANSWER.plusSeconds(95);

    /** Flyway logs every migration at INFO; held here so that the level stays set. */
    private static final java.util.logging.Logger FLYWAY = java.util.logging.Logger.getLogger("org.flywaydb");

    /**
     * One database for the class: the writer's id blocks are one per application (per class loader), drawn from one
     * database's sequences, so the tests share it as the application does (every test uses sessions of its own).
     */
    private static JdbcDataSource db;
    private final CdfRecordWriter writer = new CdfRecordWriter(PartialRecordPolicy.NONE);

    @BeforeAll
    static void database() {
        db = freshDatabase();
    }

    private static JdbcDataSource freshDatabase() {
        FLYWAY.setLevel(java.util.logging.Level.WARNING);
        JdbcDataSource d = new JdbcDataSource();
        d.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(d).locations("classpath:db/migration/h2").load().migrate();
        return d;
    }

    @Test
    void startThenStopStoresTwoRecordsOneClosedSessionAndOneCompleteCdr() throws Exception {
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(100);
        String s = session();
        assertEquals(List.of(AccountingOutcome.RECORDED), write(List.of(start(s)), cache));
        assertEquals(1, cache.size(), "the open session is kept");
        assertEquals(List.of(AccountingOutcome.RECORDED), write(List.of(stop(s, 1)), cache));
        assertEquals(0, cache.size(), "a closed session leaves the cache");

        assertEquals(2, count("select count(*) from ACCOUNTING_RECORD where SESSION_ID = ?", s));
        assertEquals(1, count("select count(*) from ACCOUNTING_SESSION where SESSION_ID = ? and STATE = 'CLOSED' and VERSION = 1", s));
        ChargingDataRecord cdr = onlyCdr(s);
        assertEquals(ANSWER, cdr.deliveryStartTime());
        assertEquals(BYE, cdr.deliveryEndTime());
        assertFalse(cdr.incomplete());
        assertEquals("sip:alice@example.org", cdr.callingParty());
        assertEquals("icid-" + s, cdr.imsChargingIdentifier(), "IMS details read back from the session row");
        assertEquals(List.of("m=audio 49170 RTP/AVP 0", "a=rtpmap:0 PCMU/8000"), cdr.sdpMedia());
        assertEquals(NODE + "-" + cdr.localSequenceNumber(), cdr.cdrId());
    }

    @Test
    void copiesAreAnsweredAsDuplicatesWithinAGroupFromTheCacheAndFromTheDatabase() throws Exception {
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(100);
        String s = session();
        AccountingRequest interim = interim(s, 1);
        assertEquals(List.of(AccountingOutcome.RECORDED, AccountingOutcome.RECORDED, AccountingOutcome.DUPLICATE),
                write(List.of(start(s), interim, interim.asRetransmission()), cache));
        assertEquals(List.of(AccountingOutcome.DUPLICATE), write(List.of(interim.asRetransmission()), cache), "known to the cache");
        assertEquals(List.of(AccountingOutcome.DUPLICATE), write(List.of(interim.asRetransmission()), null), "read from the database");
        assertEquals(2, count("select count(*) from ACCOUNTING_RECORD where SESSION_ID = ?", s));
    }

    @Test
    void aCopyOfAStoredStartThatTheCacheDoesNotKnowFailsTheGroupAndIsADuplicateWhenReadFresh() throws Exception {
        String s = session();
        String other = session();
        assertEquals(List.of(AccountingOutcome.RECORDED), write(List.of(start(s)), null));
        // A committer that never saw the session (restart, another CDF) takes a START 0 without the T flag for new: the
        // original, arriving after its own retransmission was stored. The database says otherwise.
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(100);
        List<AccountingRequest> group = List.of(start(other), start(s));
        assertThrows(CdfRecordWriter.StaleGroupException.class, () -> write(group, cache));
        cache.forget(group);
        assertEquals(0, count("select count(*) from ACCOUNTING_SESSION where SESSION_ID = ?", other), "nothing of the group committed");
        assertEquals(List.of(AccountingOutcome.RECORDED, AccountingOutcome.DUPLICATE), write(group, null));
        assertEquals(1, count("select count(*) from ACCOUNTING_RECORD where SESSION_ID = ?", s));
        // With the T flag the copy is looked up at once: no failed group.
        CdfRecordWriter.SessionCache fresh = new CdfRecordWriter.SessionCache(100);
        assertEquals(List.of(AccountingOutcome.DUPLICATE), write(List.of(start(s).asRetransmission()), fresh));
    }

    @Test
    void aSessionChangedByAnotherWriterFailsTheCachedGroupAndIsClosedOnceWhenReadFresh() throws Exception {
        CdfRecordWriter.SessionCache mine = new CdfRecordWriter.SessionCache(100);
        String s = session();
        write(List.of(start(s)), mine);
        // Another CDF on the same database takes INTERIM 1 (the CTF failed over and back).
        assertEquals(List.of(AccountingOutcome.RECORDED), write(List.of(interim(s, 1)), null));
        List<AccountingRequest> group = List.of(stop(s, 2));
        CdfRecordWriter.StaleGroupException stale = assertThrows(CdfRecordWriter.StaleGroupException.class, () -> write(group, mine));
        assertTrue(stale.getMessage().contains(s), stale.getMessage());
        mine.forget(group);
        assertEquals(List.of(AccountingOutcome.RECORDED), write(group, mine));
        onlyCdr(s);
        assertEquals(3, count("select count(*) from ACCOUNTING_RECORD where SESSION_ID = ?", s));
    }

    @Test
    void aStopWithoutStartMakesAnIncompleteCdrAndAnEventACompleteOne() throws Exception {
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(100);
        String s = session();
        String e = session();
        AccountingRequest event = new AccountingRequest(e, "ctf.example.org", AccountingRecordType.EVENT, 0, false, "call-" + e,
                "sip:alice@example.org", "sip:bob@example.org", ANSWER, ANSWER, ANSWER, 0, "MESSAGE");
        assertEquals(List.of(AccountingOutcome.RECORDED_OUT_OF_SEQUENCE, AccountingOutcome.RECORDED),
                write(List.of(stop(s, 3), event), cache));
        ChargingDataRecord stopOnly = onlyCdr(s);
        assertTrue(stopOnly.incomplete() && stopOnly.startLost(), "STOP without START: aCRStartLost");
        ChargingDataRecord message = onlyCdr(e);
        assertFalse(message.incomplete());
        assertEquals("MESSAGE", message.sipMethod());
    }

    @Test
    void anEventWritesNoSessionRowAndItsCopiesAreDuplicatesWithAndWithoutTheCache() throws Exception {
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(100);
        String e = session();
        AccountingRequest event = request(e, AccountingRecordType.EVENT, 0, ANSWER);
        assertEquals(List.of(AccountingOutcome.RECORDED, AccountingOutcome.DUPLICATE),
                write(List.of(event, event.asRetransmission()), cache), "a copy in the same group");
        assertEquals(0, count("select count(*) from ACCOUNTING_SESSION where SESSION_ID = ?", e), "no session row for an EVENT");
        assertEquals(0, cache.size());

        // A copy without the T flag is taken for a new EVENT by the cache: the record's unique key fails the group, and
        // read fresh it is a duplicate. A copy with the T flag is looked up at once.
        assertThrows(CdfRecordWriter.StaleGroupException.class, () -> write(List.of(event), cache));
        assertEquals(List.of(AccountingOutcome.DUPLICATE), write(List.of(event), null));
        assertEquals(List.of(AccountingOutcome.DUPLICATE), write(List.of(event.asRetransmission()), cache));
        onlyCdr(e);
        assertEquals(1, count("select count(*) from ACCOUNTING_RECORD where SESSION_ID = ?", e));

        // A session record under the Session-Id of an EVENT, in the same group or later, is a session of its own.
        String mixed = session();
        write(List.of(request(mixed, AccountingRecordType.EVENT, 0, ANSWER), request(mixed, AccountingRecordType.START, 1, ANSWER)), cache);
        assertEquals(1, count("select count(*) from ACCOUNTING_SESSION where SESSION_ID = ? and STATE = 'CLOSED'", mixed),
                "the session row is written once the Session-Id carries more than an EVENT");
        write(List.of(request(e, AccountingRecordType.START, 1, ANSWER)), cache);
        assertEquals(1, count("select count(*) from ACCOUNTING_SESSION where SESSION_ID = ? and STATE = 'OPEN'", e));
    }

    @Test
    void aSessionClosedBySupervisionThatComesBackIsChargedInAContinuationRecord() throws Exception {
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(100);
        String s = session();
        write(List.of(start(s)), cache);
        try (Connection c = db.getConnection()) {
            assertFalse(writer.closeSilent(c, s, Instant.now().minusSeconds(60), NODE), "a record since the cutoff: alive");
            assertTrue(writer.closeSilent(c, s, Instant.now().plusSeconds(1), NODE));
            assertFalse(writer.closeSilent(c, s, Instant.now().plusSeconds(1), NODE), "closed already");
        }
        List<Long> first = longs("select LOCAL_SEQUENCE_NUMBER from CDR where SESSION_ID = ?", s);
        ChargingDataRecord incomplete = onlyCdr(s);
        assertTrue(incomplete.stopLost() && !incomplete.startLost());
        // The committer's cache still holds the session as it wrote it; the version says that is stale.
        List<AccountingRequest> interim = List.of(interim(s, 1));
        assertThrows(CdfRecordWriter.StaleGroupException.class, () -> write(interim, cache));
        cache.forget(interim);
        assertEquals(List.of(AccountingOutcome.RECORDED), write(interim, cache));
        assertEquals(1, count("select count(*) from CDR where SESSION_ID = ?", s), "the INTERIM opens the continuation");
        // Read back from the database (no cache): the continuation's start must have been stored with the INTERIM.
        assertEquals(List.of(AccountingOutcome.RECORDED), write(List.of(stop(s, 2)), null));
        List<Long> both = longs("select LOCAL_SEQUENCE_NUMBER from CDR where SESSION_ID = ? order by LOCAL_SEQUENCE_NUMBER", s);
        assertEquals(first.get(0), both.get(0), "numbered in the order they were made");
        ChargingDataRecord continuation = cdr(s, both.get(1));
        assertEquals(incomplete.deliveryEndTime(), continuation.deliveryStartTime(), "the continuation starts where the first ended");
        assertTrue(continuation.startLost() && !continuation.stopLost());
    }

    @Test
    void partialRecordsCloseAtInterimsWithRisingRecordSequenceNumbers() throws Exception {
        CdfRecordWriter partial = new CdfRecordWriter(new PartialRecordPolicy(null, 2));
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(100);
        String s = session();
        List<AccountingRequest> all = new ArrayList<>();
        all.add(start(s));
        for (int i = 1; i <= 4; i++) {
            all.add(interim(s, i));
        }
        all.add(stop(s, 5));
        for (AccountingRequest r : all) {
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                partial.write(c, List.of(r), NODE, cache);
                c.commit();
            }
        }
        assertEquals(List.of(1L, 2L, 3L), longs("select RECORD_SEQUENCE_NUMBER from CDR where SESSION_ID = ? "
                + "order by LOCAL_SEQUENCE_NUMBER", s));
    }

    @Test
    void idBlocksFollowHibernatesPooledOptimizer() throws Exception {
        // The sequence starts at 1 with increment 20: value 1 stands for id 1 alone (Hibernate takes 1..21 when it
        // draws 1 and then 21; here the next value is 21 and stands for 2..21), each later value v for v-19..v.
        CdfRecordWriter.IdBlock ids = new CdfRecordWriter.IdBlock("CDR_SEQ", CdfRecordWriter.CDR_SEQ_INCREMENT);
        List<Long> drawn = new ArrayList<>();
        try (Connection c = freshDatabase().getConnection()) {
            for (int i = 0; i < 42; i++) {
                drawn.add(ids.next(c));
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select next value for CDR_SEQ")) {
                rs.next();
                assertEquals(81, rs.getLong(1), "three values drawn: 1, 21, 41; the next is 61's successor");
            }
        }
        for (int i = 0; i < drawn.size(); i++) {
            assertEquals(i + 1, drawn.get(i), "ids " + drawn);
        }
    }

    @Test
    void inListsArePaddedToPowersOfTwo() {
        assertEquals(List.of(1, 2, 4, 4, 8, 8, 512), List.of(1, 2, 3, 4, 5, 8, 512).stream()
                .map(CdfRecordWriter::inListSlots).toList());
    }

    private List<AccountingOutcome> write(List<AccountingRequest> group, CdfRecordWriter.SessionCache cache) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<AccountingOutcome> outcomes = writer.write(c, group, NODE, cache);
                c.commit();
                return outcomes;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private ChargingDataRecord cdr(String session, long localSequenceNumber) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select CDR_ID, BODY from CDR where LOCAL_SEQUENCE_NUMBER = ?")) {
            ps.setLong(1, localSequenceNumber);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "CDR " + localSequenceNumber);
                return CdrJmsContract.decodeBody(rs.getBytes(2), rs.getString(1), session);
            }
        }
    }

    private ChargingDataRecord onlyCdr(String session) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("select CDR_ID, BODY from CDR where SESSION_ID = ?")) {
            ps.setString(1, session);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "a CDR of " + session);
                ChargingDataRecord cdr = CdrJmsContract.decodeBody(rs.getBytes(2), rs.getString(1), session);
                assertFalse(rs.next(), "a second CDR of " + session);
                return cdr;
            }
        }
    }

    private long count(String sql, String session) throws SQLException {
        return longs(sql, session).get(0);
    }

    private List<Long> longs(String sql, String session) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, session);
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    private static String session() {
        return "ctf.example.org;" + UUID.randomUUID();
    }

    @Test
    void theOutboxIsWokenForRecordsThatCanCloseACdrAndForInterimsOnlyWithPartialRecords() {
        String s = session();
        AccountingRequest event = new AccountingRequest(s, "ctf.example.org", AccountingRecordType.EVENT, 0, false, s,
                "sip:alice@example.org", "sip:bob@example.org", ANSWER, ANSWER, ANSWER, 0, "MESSAGE");
        CdfRecordWriter partials = new CdfRecordWriter(new PartialRecordPolicy(null, 3));
        for (CdfRecordWriter w : List.of(writer, partials)) {
            assertFalse(w.mayCloseRecord(start(s)));
            assertTrue(w.mayCloseRecord(stop(s, 2)));
            assertTrue(w.mayCloseRecord(event));
        }
        assertFalse(writer.mayCloseRecord(interim(s, 1)), "no partial records: an INTERIM closes nothing");
        assertTrue(partials.mayCloseRecord(interim(s, 1)), "an INTERIM may close a partial record");
    }

    private static AccountingRequest start(String s) {
        return request(s, AccountingRecordType.START, 0, ANSWER);
    }

    private static AccountingRequest interim(String s, long n) {
        return request(s, AccountingRecordType.INTERIM, n, ANSWER.plusSeconds(30 * n));
    }

    private static AccountingRequest stop(String s, long n) {
        return request(s, AccountingRecordType.STOP, n, BYE);
    }

    private static AccountingRequest request(String s, AccountingRecordType type, long n, Instant at) {
        return new AccountingRequest(s, "ctf.example.org", type, n, false, "call-" + s, "sip:alice@example.org",
                "sip:bob@example.org", ANSWER.minus(5, ChronoUnit.SECONDS), at, at, 0, "INVITE", null, null,
                ImsChargingInfo.of("icid-" + s, "orig.example.org", "term.example.org",
                        List.of("m=audio 49170 RTP/AVP 0", "a=rtpmap:0 PCMU/8000")), "32260@3gpp.org");
    }
}

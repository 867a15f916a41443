package org.sipcharge.charging.it;

import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.charging.application.internal.CdfAccountingService;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.it.CdrProbe.CdrRow;

import javax.naming.InitialContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CDF's unit of work ({@link CdfAccountingService#record}) inside a real Payara Server with Hibernate on H2:
 * what one accounting request commits, idempotence on (Session-Id, Accounting-Record-Number), incomplete CDRs,
 * and that the CDR is committed when record() returns. Each test uses sessions of its own.
 */
@ExtendWith(ArquillianExtension.class)
class CdfAccountingServiceIT {

    private static final String NODE = "cdf-it";
    private static final String ORIGIN_HOST = "ctf.it.sipcharge.org";
    private static final String CALLING = "sip:alice@it.sipcharge.org";
    private static final String CALLED = "sip:bob@it.sipcharge.org";

    /** INVITE time; the call is answered ANSWER_DELAY later and lasts CALL_DURATION. */
    private static final Instant INVITE = Instant.parse("2026-11-23T10:15:30.250Z");
    private static final Duration ANSWER_DELAY = Duration.ofMillis(3_500);
    private static final Duration CALL_DURATION = Duration.ofSeconds(125);
    private static final Instant ANSWER = INVITE.plus(ANSWER_DELAY);
    private static final Instant BYE = ANSWER.plus(CALL_DURATION);

    @Deployment
    static WebArchive deployment() {
        return Deployments.cdfUnitOfWork(CdrProbe.class, CdrProbe.CdrRow.class);
    }

    @Inject
    CdfAccountingService cdf;

    @Inject
    CdrProbe probe;

    @Test
    void startThenStopCommitsOneCompleteCdr() {
        String session = newSessionId();

        assertEquals(AccountingOutcome.RECORDED, cdf.record(start(session), NODE));
        assertEquals(AccountingOutcome.RECORDED, cdf.record(stop(session), NODE));

        List<CdrRow> cdrs = probe.cdrsOfSession(session);
        assertEquals(1, cdrs.size(), "CDRs of " + session);
        CdrRow row = cdrs.get(0);
        assertEquals(CALLING, row.callingParty());
        assertEquals(CALLED, row.calledParty());
        assertEquals(ANSWER, row.openingTime(), "opening time is START's answer time");
        assertEquals(BYE, row.closureTime(), "closure time is STOP's BYE time");
        assertEquals(CALL_DURATION, Duration.between(row.openingTime(), row.closureTime()));
        assertFalse(row.incomplete());
        assertNull(row.publishedAt(), "the CDR waits in the outbox until the relay publishes it");

        assertEquals((byte) 0xBF, row.body()[0], "the body is the TS 32.298 IMSRecord (aSRecord [69]) in BER");
        ChargingDataRecord body = CdrJmsContract.decodeBody(row.body(), row.cdrId(), session);
        assertEquals(row.cdrId(), body.cdrId());
        assertEquals(NODE + "-" + row.localSequenceNumber(), body.cdrId());
        assertEquals(session, body.sessionId());
        assertEquals(callId(session), body.userSessionId());
        assertEquals(CALLING, body.callingParty());
        assertEquals(CALLED, body.calledParty());
        assertEquals(INVITE, body.serviceRequestTime());
        assertEquals(CALL_DURATION, body.duration());
        assertEquals(0, body.causeForRecordClosing(), "normal release");
        assertFalse(body.incomplete());
        assertEquals(NODE, body.nodeAddress());
        assertEquals(2, probe.accountingRecordsOfSession(session));
    }

    @Test
    void secondIdenticalStopIsDuplicateAndAddsNoCdr() {
        String session = newSessionId();
        AccountingRequest stop = stop(session);
        assertEquals(AccountingOutcome.RECORDED, cdf.record(start(session), NODE));
        assertEquals(AccountingOutcome.RECORDED, cdf.record(stop, NODE));
        String cdrId = probe.cdrsOfSession(session).get(0).cdrId();

        // Same Session-Id and Accounting-Record-Number: as received again, and as the CTF's retransmission (T flag).
        assertEquals(AccountingOutcome.DUPLICATE, cdf.record(stop, NODE));
        assertEquals(AccountingOutcome.DUPLICATE, cdf.record(stop.asRetransmission(), NODE));

        List<CdrRow> cdrs = probe.cdrsOfSession(session);
        assertEquals(1, cdrs.size(), "CDRs of " + session);
        assertEquals(cdrId, cdrs.get(0).cdrId());
        assertEquals(2, probe.accountingRecordsOfSession(session), "a duplicate is not recorded again");
    }

    @Test
    void stopWithoutStartCommitsOneIncompleteCdr() {
        String session = newSessionId();

        assertEquals(AccountingOutcome.RECORDED_OUT_OF_SEQUENCE, cdf.record(stop(session), NODE),
                "STOP 1 without record 0 before it: stored, counted as out of sequence");

        List<CdrRow> cdrs = probe.cdrsOfSession(session);
        assertEquals(1, cdrs.size(), "CDRs of " + session);
        CdrRow row = cdrs.get(0);
        assertTrue(row.incomplete(), "no START seen: incomplete-CDR-Indication");
        assertTrue(CdrJmsContract.decodeBody(row.body(), row.cdrId(), session).incomplete());
        assertEquals(CALLING, row.callingParty());
        assertEquals(CALLED, row.calledParty());
        assertEquals(INVITE, row.openingTime(), "without START the best known start is the INVITE time");
        assertEquals(BYE, row.closureTime());
        assertEquals(1, probe.accountingRecordsOfSession(session));
    }

    @Test
    void cdrIsCommittedWhenRecordReturns() throws Exception {
        TransactionSynchronizationRegistry tsr = InitialContext.doLookup("java:comp/TransactionSynchronizationRegistry");
        assertEquals(Status.STATUS_NO_TRANSACTION, tsr.getTransactionStatus(),
                "the test calls record() outside any transaction, as the Diameter endpoint does");
        String session = newSessionId();
        assertEquals(AccountingOutcome.RECORDED, cdf.record(start(session), NODE));

        assertEquals(AccountingOutcome.RECORDED, cdf.record(stop(session), NODE));

        // Right away, before anything else happens: another thread, a new transaction, its own JDBC connection.
        ManagedExecutorService executor = InitialContext.doLookup("java:comp/DefaultManagedExecutorService");
        Future<Long> otherThread = executor.submit(() -> probe.cdrRowsViaJdbc(session));
        assertEquals(1L, otherThread.get(30, TimeUnit.SECONDS), "CDR rows visible to another transaction");
        assertEquals(1L, probe.cdrRowsViaJdbc(session), "CDR rows visible to a new transaction on this thread");
    }

    @Test
    void groupAppliesItsRequestsInOrderAndSeesDuplicatesWithinIt() {
        String session = newSessionId();
        AccountingRequest stop = stop(session);

        List<AccountingOutcome> outcomes = cdf.recordAll(List.of(start(session), stop, stop.asRetransmission()), NODE);

        assertEquals(List.of(AccountingOutcome.RECORDED, AccountingOutcome.RECORDED, AccountingOutcome.DUPLICATE), outcomes);
        List<CdrRow> cdrs = probe.cdrsOfSession(session);
        assertEquals(1, cdrs.size(), "CDRs of " + session);
        assertFalse(cdrs.get(0).incomplete(), "START came first in the group");
        assertEquals(2, probe.accountingRecordsOfSession(session));
    }

    @Test
    void racingGroupsThatCloseTheSameSessionMakeOneCdr() throws Exception {
        // Sessions are read without a lock: the versioned session row must make the loser of a race fail and retry on
        // fresh state (as CdfEndpoint does, one by one), never close the session twice.
        ManagedExecutorService executor = InitialContext.doLookup("java:comp/DefaultManagedExecutorService");
        for (int round = 0; round < 5; round++) {
            String session = newSessionId();
            assertEquals(AccountingOutcome.RECORDED, cdf.record(start(session), NODE));
            AccountingRequest stop1 = stop(session);
            AccountingRequest stop2 = new AccountingRequest(session, ORIGIN_HOST, AccountingRecordType.STOP, 2, false,
                    callId(session), CALLING, CALLED, INVITE, BYE, BYE, 0);
            List<Future<AccountingOutcome>> racers = List.of(
                    executor.submit(() -> recordAsTheEndpointDoes(stop1)),
                    executor.submit(() -> recordAsTheEndpointDoes(stop2)));
            for (Future<AccountingOutcome> f : racers) {
                // Both are new records (1 and 2); whichever comes second may follow the first or not.
                AccountingOutcome o = f.get(60, TimeUnit.SECONDS);
                assertTrue(o == AccountingOutcome.RECORDED || o == AccountingOutcome.RECORDED_OUT_OF_SEQUENCE, o.toString());
            }
            assertEquals(1, probe.cdrsOfSession(session).size(), "CDRs of " + session);
            assertEquals(3, probe.accountingRecordsOfSession(session));
        }
    }

    @Test
    void aSessionClosedBySupervisionThatComesBackIsChargedInAContinuationRecord() {
        // A CTF cut off for longer than the supervision allows: the CDF closed its session (STOP lost); then its INTERIM
        // and STOP arrive. The rest of the call must be charged, and no second of it twice.
        String session = newSessionId();
        Instant answer = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant bye = Instant.now().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        assertEquals(AccountingOutcome.RECORDED, cdf.record(new AccountingRequest(session, ORIGIN_HOST, AccountingRecordType.START,
                0, false, callId(session), CALLING, CALLED, INVITE, answer, answer, 0), NODE));
        assertTrue(cdf.closeSilent(session, Instant.now().plusSeconds(1), NODE), "closed by the supervision");
        CdrRow first = probe.cdrsOfSession(session).get(0);
        ChargingDataRecord firstBody = CdrJmsContract.decodeBody(first.body(), first.cdrId(), session);
        assertTrue(firstBody.stopLost() && !firstBody.startLost(), "the first record: STOP lost");
        assertEquals(answer, first.openingTime());

        assertFalse(cdf.closeSilent(session, Instant.now().plusSeconds(1), NODE), "a closed session is not closed again");
        assertEquals(AccountingOutcome.RECORDED, cdf.record(new AccountingRequest(session, ORIGIN_HOST, AccountingRecordType.INTERIM,
                1, false, callId(session), CALLING, CALLED, INVITE, answer, Instant.now(), 0), NODE));
        assertEquals(1, probe.cdrsOfSession(session).size(), "the INTERIM opens the continuation, it does not close it");
        assertEquals(AccountingOutcome.RECORDED, cdf.record(new AccountingRequest(session, ORIGIN_HOST, AccountingRecordType.STOP,
                2, false, callId(session), CALLING, CALLED, INVITE, bye, bye, 0), NODE));

        List<CdrRow> cdrs = probe.cdrsOfSession(session).stream()
                .sorted(java.util.Comparator.comparingLong(CdrRow::localSequenceNumber)).toList();
        assertEquals(2, cdrs.size(), "the incomplete record and its continuation: " + cdrs);
        CdrRow continuation = cdrs.get(1);
        ChargingDataRecord body = CdrJmsContract.decodeBody(continuation.body(), continuation.cdrId(), session);
        assertEquals(first.closureTime(), continuation.openingTime(), "the continuation starts where the first record ended");
        assertEquals(bye, continuation.closureTime());
        assertTrue(body.startLost() && !body.stopLost(), "the continuation: START lost (it is in the first record)");
        assertEquals(Duration.between(answer, bye), Duration.between(first.openingTime(), first.closureTime())
                .plus(Duration.between(continuation.openingTime(), continuation.closureTime())), "the whole call, charged once");
        assertEquals(3, probe.accountingRecordsOfSession(session));

        // A second STOP is a closed session's, not a resumed one's: no third record.
        assertEquals(AccountingOutcome.RECORDED_OUT_OF_SEQUENCE, cdf.record(new AccountingRequest(session, ORIGIN_HOST,
                AccountingRecordType.STOP, 4, false, callId(session), CALLING, CALLED, INVITE, bye, bye, 0), NODE));
        assertEquals(2, probe.cdrsOfSession(session).size());
    }

    /** A group of one that, when its transaction fails on a conflict, is recorded again (CdfEndpoint's fallback). */
    private AccountingOutcome recordAsTheEndpointDoes(AccountingRequest r) {
        try {
            return cdf.recordAll(List.of(r), NODE).get(0);
        } catch (jakarta.ejb.EJBException conflict) {
            return cdf.record(r, NODE);
        }
    }

    private static String newSessionId() {
        // RFC 6733 8.8 form: <DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional value>]
        return ORIGIN_HOST + ";" + System.nanoTime() + ";" + UUID.randomUUID();
    }

    private static String callId(String sessionId) {
        return "call-" + Integer.toHexString(sessionId.hashCode()) + "@it.sipcharge.org";
    }

    /** ACR START (Accounting-Record-Number 0), sent when the call was answered. */
    private static AccountingRequest start(String session) {
        return new AccountingRequest(session, ORIGIN_HOST, AccountingRecordType.START, 0, false, callId(session),
                CALLING, CALLED, INVITE, ANSWER, ANSWER, 0);
    }

    /** ACR STOP (Accounting-Record-Number 1), sent at BYE, normal release. */
    private static AccountingRequest stop(String session) {
        return new AccountingRequest(session, ORIGIN_HOST, AccountingRecordType.STOP, 1, false, callId(session),
                CALLING, CALLED, INVITE, BYE, BYE, 0);
    }
}

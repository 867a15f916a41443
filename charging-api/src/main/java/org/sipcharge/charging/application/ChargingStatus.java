package org.sipcharge.charging.application;

import jakarta.ejb.Local;

/** Figures of the charging application and the CDF, for the admin REST API, health checks and metrics. */
@Local
public interface ChargingStatus {

    Report report();

    /**
     * Where one accounting session is now, for admins: which member owns its key (and so fires its timer), its
     * record numbers and what is in flight; null when no such session is active.
     *
     * @param sessionKey the call's key (the caller's Call-ID)
     */
    SessionView session(String sessionKey);

    /**
     * One accounting session as admins see it.
     *
     * @param sessionKey        the call's key
     * @param diameterSessionId Diameter Session-Id
     * @param owner             address of the member that owns it now ("local" without a grid)
     * @param lastRecordNumber  Accounting-Record-Number of the last record sent or being sent
     * @param inFlight          type of the record awaiting its answer, or null
     * @param interimSeconds    interval in force (-1 before the first ACA)
     * @param nextInterimMillis when the next INTERIM is due (epoch ms), 0 = none
     * @param stopRequested     the call ended and STOP is pending or in flight
     */
    record SessionView(String sessionKey, String diameterSessionId, String owner, long lastRecordNumber, String inFlight,
                       long interimSeconds, long nextInterimMillis, boolean stopRequested) {
    }

    /**
     * The Rf client's accounting sessions on this member.
     *
     * @param store           where they live ("hazelcast cluster X, 3 members, 1 sync backups" or "this JVM only")
     * @param active          sessions in the whole store
     * @param ownedHere       sessions whose key this member owns (it fires their timers)
     * @param timersArmed     interim timers armed in the whole store
     * @param interimsSent    INTERIMs this member sent
     * @param takeovers       records in flight on a member that died, sent again by this one
     * @param latenessP50Ms   INTERIM lateness against its due time, median (bucket upper bound, ms)
     * @param latenessP99Ms   the same, 99th percentile
     * @param latenessMaxMs   the largest seen
     */
    record RfSessions(String store, int active, int ownedHere, int timersArmed, long interimsSent, long takeovers,
                      long latenessP50Ms, long latenessP99Ms, long latenessMaxMs) {
    }

    /**
     * @param cdfListening       the CDF's Diameter listener is up
     * @param cdfAddress         host:port it listens on
     * @param cdfError           why it is not listening, or null
     * @param acrsReceived       Diameter requests received by the CDF
     * @param acrsAnsweredOk     answered 2001
     * @param acrsAnsweredError  answered with any other Result-Code
     * @param acrDuplicates      answered 2001 as duplicates, nothing stored a second time
     * @param cdrsCommitted      CDR rows in the database, or -1 when the database cannot be read
     * @param outboxBacklog      committed CDRs not yet handed to JMS, or -1 when unknown
     * @param cdrsPublished      CDRs handed to JMS by this node since start
     * @param jmsHealthy         the last outbox publication attempt succeeded
     * @param jmsLastError       the last publication error, or null
     * @param databaseError      why the database could not be read, or null
     * @param rfPeerOpen         the Rf client's connection to its CDF is open (CER/CEA done)
     * @param rfPeerState        its state name
     * @param rfPeerAddress      the CDF it charges against
     * @param rfAcrsSent         ACRs sent, retransmissions included
     * @param rfAcasOk           2001 answers received
     * @param rfFailures         ACRs given up after retransmissions
     * @param activeAccountingSessions sessions with START sent and no STOP yet (replicated map size)
     * @param rfBuffered         ACRs put in the durable buffer since start (no CDF answered them)
     * @param rfBufferBacklog    ACRs in the durable buffer now, or -1 when unknown
     * @param rfRetransmissions  ACR copies sent again with the T flag (RFC 6733 3), included in rfAcrsSent
     * @param acrRecordsStored   accounting records the CDF stored (one per accepted ACR), or -1 when the database
     *                           cannot be read
     * @param rfSessions         the accounting sessions and their interim timers, or null when not started
     * @param cdfRecords         records stored by this CDF since start: START, INTERIM, STOP, EVENT, and those whose
     *                           number did not follow the session's last one
     */
    record Report(boolean cdfListening, String cdfAddress, String cdfError, long acrsReceived, long acrsAnsweredOk,
                  long acrsAnsweredError, long acrDuplicates, long cdrsCommitted, long outboxBacklog, long cdrsPublished,
                  boolean jmsHealthy, String jmsLastError, String databaseError, boolean rfPeerOpen, String rfPeerState,
                  String rfPeerAddress, long rfAcrsSent, long rfAcasOk, long rfFailures, int activeAccountingSessions,
                  long rfBuffered, long rfBufferBacklog, long rfRetransmissions, long acrRecordsStored,
                  RfSessions rfSessions, CdfRecords cdfRecords) {
    }

    /**
     * New (not duplicate) records the CDF stored since start, by type, how many came out of sequence, and the
     * sessions its supervision closed because they went silent (incomplete CDRs), and the duplicates that came without
     * the T flag: a CTF sent the same record number twice as new (a split grid on the CTF side, or a CTF fault); and
     * the group commits: done, written again with fresh reads (a session changed elsewhere, or a first record that was
     * a copy), and committed one by one after failing as a group (a faulty record, or the database failing).
     */
    record CdfRecords(long starts, long interims, long stops, long events, long outOfSequence, long sessionsClosedSilent,
                      long duplicatesWithoutRetransmissionFlag, long groupCommits, long groupsReadAgain, long groupsOneByOne) {
    }
}

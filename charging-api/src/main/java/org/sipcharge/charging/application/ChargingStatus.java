package org.sipcharge.charging.application;

import jakarta.ejb.Local;

/** Figures of the charging application and the CDF, for the admin REST API, health checks and metrics. */
@Local
public interface ChargingStatus {

    Report report();

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
     */
    record Report(boolean cdfListening, String cdfAddress, String cdfError, long acrsReceived, long acrsAnsweredOk,
                  long acrsAnsweredError, long acrDuplicates, long cdrsCommitted, long outboxBacklog, long cdrsPublished,
                  boolean jmsHealthy, String jmsLastError, String databaseError, boolean rfPeerOpen, String rfPeerState,
                  String rfPeerAddress, long rfAcrsSent, long rfAcasOk, long rfFailures, int activeAccountingSessions,
                  long rfBuffered, long rfBufferBacklog, long rfRetransmissions, long acrRecordsStored) {
    }
}

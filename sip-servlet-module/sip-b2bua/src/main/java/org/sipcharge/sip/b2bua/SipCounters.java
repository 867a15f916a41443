package org.sipcharge.sip.b2bua;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of this node's SIP tier since the application started. */
public final class SipCounters {

    public static final SipCounters INSTANCE = new SipCounters();

    public final AtomicLong invitesReceived = new AtomicLong();
    public final AtomicLong callsAnswered = new AtomicLong();
    public final AtomicLong callsCompleted = new AtomicLong();
    public final AtomicLong callsFailed = new AtomicLong();
    public final AtomicLong callsCancelled = new AtomicLong();
    public final AtomicLong malformedRejected = new AtomicLong();
    public final AtomicLong refusedUnavailable = new AtomicLong();
    /** Requests answered 503 because this node saw no majority of the SIP tier (split grid). */
    public final AtomicLong refusedNoQuorum = new AtomicLong();

    private SipCounters() {
    }
}

package org.sipcharge.billing.routing;

import org.sipcharge.cdr.ChargingDataRecord;

import java.time.Instant;

/** Decides whether and when one CDR goes to one billing system (the charging filtering function). */
public interface RoutingFilter {

    enum Action { IMMEDIATE, HOLD, NEVER }

    /**
     * @param releaseAt for HOLD, when the CDR may go (the opening of its time window); else ignored
     * @param why       one line for logs and the message property {@code cffDecision}
     */
    record Decision(Action action, Instant releaseAt, String why) {
    }

    Decision decide(String billingSystem, ChargingDataRecord cdr, Instant now);
}

package org.sipcharge.charging.domain.model.cdr;

import java.time.Duration;
import java.time.Instant;

/**
 * When the CDF closes a session's open record at an INTERIM and opens the next one (TS 32.298 5.1.3, partial
 * records; TS 32.240 5.4 lists the triggers a CDF may be configured with). Configured by
 * {@code sipcharge.cdf.partial.time-limit} (an ISO-8601 duration; the open record is closed at the first INTERIM at
 * or after that much time since it opened) and {@code sipcharge.cdf.partial.max-interims} (closed at the N-th INTERIM
 * since it opened). Both off by default: a session then has one record, closed at STOP. Either trigger closes with
 * causeForRecordClosing timeLimit (IMS: 3): INTERIMs come at a fixed interval, so a count of them is a time limit.
 * A media change (serviceChange) cannot trigger today: the B2BUA does not relay re-INVITEs, so media never change
 * within a call.
 *
 * @param timeLimit   null: no time limit
 * @param maxInterims 0: no count limit
 */
public record PartialRecordPolicy(Duration timeLimit, int maxInterims) {

    public static final PartialRecordPolicy NONE = new PartialRecordPolicy(null, 0);

    public PartialRecordPolicy {
        if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
            throw new IllegalArgumentException("sipcharge.cdf.partial.time-limit must be positive: " + timeLimit);
        }
        if (maxInterims < 0) {
            throw new IllegalArgumentException("sipcharge.cdf.partial.max-interims must be >= 0: " + maxInterims);
        }
    }

    public boolean enabled() {
        return timeLimit != null || maxInterims > 0;
    }

    /**
     * @param openedAt          when the open record began
     * @param interimsInRecord  INTERIMs received since then, this one included
     * @param interimTime       this INTERIM's time
     */
    public boolean closesAt(Instant openedAt, int interimsInRecord, Instant interimTime) {
        if (maxInterims > 0 && interimsInRecord >= maxInterims) {
            return true;
        }
        return timeLimit != null && openedAt != null && !Duration.between(openedAt, interimTime).minus(timeLimit).isNegative();
    }
}

package org.sipcharge.billing.cff;

import java.time.Instant;

/**
 * What the charging filtering function decided for one CDR and one billing system.
 *
 * @param action      IMMEDIATE, HOLD or NEVER
 * @param releaseAt   when the CDR may go: now for IMMEDIATE and for HOLD inside the window, the next opening of the
 *                    window for HOLD outside it; null for NEVER
 * @param ruleId      the deciding rule, or null when no rule matched (the default)
 * @param explanation one line: which rule (or the default) and why
 */
public record FilterDecision(FilterRule.Action action, Instant releaseAt, Long ruleId, String explanation) {
}

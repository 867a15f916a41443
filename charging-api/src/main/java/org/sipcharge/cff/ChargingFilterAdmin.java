package org.sipcharge.cff;

import jakarta.ejb.ApplicationException;
import jakarta.ejb.Local;

import java.util.List;

/** Managing the charging filtering function's rules (docs/charging-filter.md). */
@Local
public interface ChargingFilterAdmin {

    List<Rule> list();

    /** The rule, or null. */
    Rule get(long id);

    /** Stores a new rule (its id and version are assigned; those given are ignored). */
    Rule create(Rule rule);

    /**
     * Replaces a rule.
     *
     * @param version the version the caller read; another means someone changed the rule since
     */
    Rule update(long id, Rule rule, long version);

    /** Deletes a rule; false when there is none with that id. */
    boolean delete(long id);

    /** What the rules decide now for a billing system and a user's identities (any may be null). */
    Decision explain(String billingSystem, String sipUri, String msisdn, String imsi);

    /**
     * A rule as the API shows it: enums and times as text (HH:MM), validated by the service.
     *
     * @param identityType IMSI, MSISDN or SIP_URI
     * @param matchKind    EXACT, PREFIX or WILDCARD
     * @param action       IMMEDIATE, HOLD or NEVER
     * @param zone         an IANA time zone for HOLD windows (default UTC)
     */
    record Rule(Long id, String billingSystem, String identityType, String matchKind, String pattern, String action,
                String windowStart, String windowEnd, String zone, String description, Long version) {
    }

    /** @param releaseAt ISO-8601 instant, or null for NEVER */
    record Decision(String action, String releaseAt, Long ruleId, String explanation) {
    }

    /** The rule is not valid: {@code field} names what is wrong. */
    @ApplicationException(rollback = true)
    class InvalidRuleException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String field;

        public InvalidRuleException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    @ApplicationException(rollback = true)
    class RuleNotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RuleNotFoundException(String message) {
            super(message);
        }
    }

    /** The rule changed since the caller read it (optimistic locking). */
    @ApplicationException(rollback = true)
    class StaleRuleException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StaleRuleException(String message) {
            super(message);
        }
    }
}

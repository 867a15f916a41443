package org.sipcharge.billing.cff;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One rule of the charging filtering function: for the CDRs of the user equipments whose identity matches, whether
 * and when they go to one billing system. Valid by construction: the constructor names the field that is wrong.
 *
 * @param id            the rule's id (0 before it is stored)
 * @param billingSystem the billing system the rule is about
 * @param identityType  which identity it matches
 * @param matchKind     exact, prefix, or wildcard ({@code *} any run of characters, {@code ?} one character)
 * @param pattern       what is matched, normalised (SIP URIs lower-case scheme and host; MSISDNs without '+')
 * @param action        IMMEDIATE, HOLD (until the daily window opens) or NEVER
 * @param windowStart   for HOLD: when the daily window opens, in {@code zone}
 * @param windowEnd     for HOLD: when it closes (before the start: the window wraps midnight)
 * @param zone          for HOLD: the time zone of the window (UTC when not given)
 * @param description   free text for operators, may be null
 */
public record FilterRule(long id, String billingSystem, IdentityType identityType, MatchKind matchKind, String pattern,
                         Action action, LocalTime windowStart, LocalTime windowEnd, ZoneId zone, String description) {

    public enum IdentityType { IMSI, MSISDN, SIP_URI }

    public enum MatchKind { EXACT, PREFIX, WILDCARD }

    public enum Action { IMMEDIATE, HOLD, NEVER }

    static final Pattern SYSTEM = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    static final int MAX_PATTERN = 256;
    static final int MAX_DESCRIPTION = 512;

    public FilterRule {
        if (billingSystem == null || !SYSTEM.matcher(billingSystem).matches()) {
            throw new InvalidRuleException("billingSystem", "must be 1-32 of a-z, 0-9 and '-', not starting with '-': " + billingSystem);
        }
        if (identityType == null) {
            throw new InvalidRuleException("identityType", "is required (IMSI, MSISDN or SIP_URI)");
        }
        if (matchKind == null) {
            throw new InvalidRuleException("matchKind", "is required (EXACT, PREFIX or WILDCARD)");
        }
        if (action == null) {
            throw new InvalidRuleException("action", "is required (IMMEDIATE, HOLD or NEVER)");
        }
        pattern = normalisePattern(identityType, matchKind, pattern);
        if (action == Action.HOLD) {
            if (windowStart == null || windowEnd == null) {
                throw new InvalidRuleException(windowStart == null ? "windowStart" : "windowEnd", "is required for HOLD (HH:MM)");
            }
            if (windowStart.equals(windowEnd)) {
                throw new InvalidRuleException("windowEnd", "equals windowStart: the window would be empty");
            }
            if (zone == null) {
                zone = ZoneId.of("UTC");
            }
        } else if (windowStart != null || windowEnd != null) {
            throw new InvalidRuleException(windowStart != null ? "windowStart" : "windowEnd", "is only for HOLD rules");
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw new InvalidRuleException("description", "longer than " + MAX_DESCRIPTION + " characters");
        }
    }

    private static String normalisePattern(IdentityType type, MatchKind kind, String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new InvalidRuleException("pattern", "is required");
        }
        String p = pattern.trim();
        if (p.length() > MAX_PATTERN) {
            throw new InvalidRuleException("pattern", "longer than " + MAX_PATTERN + " characters");
        }
        if (kind != MatchKind.WILDCARD && (p.indexOf('*') >= 0 || p.indexOf('?') >= 0)) {
            throw new InvalidRuleException("pattern", "'*' and '?' need matchKind WILDCARD: " + p);
        }
        String literal = p.replace("*", "").replace("?", "");
        switch (type) {
            case IMSI -> {
                // TS 23.003 2.2: an IMSI is at most 15 digits (MCC 3, MNC 2-3, MSIN).
                if (!literal.chars().allMatch(Character::isDigit) || (kind == MatchKind.EXACT && (p.length() < 6 || p.length() > 15))
                        || p.length() > 15) {
                    throw new InvalidRuleException("pattern", "an IMSI is 6 to 15 digits (a prefix or wildcard: digits, at most 15): " + p);
                }
            }
            case MSISDN -> {
                if (p.startsWith("+")) {
                    p = p.substring(1);
                    literal = literal.substring(1);
                }
                // ITU-T E.164: at most 15 digits.
                if (literal.isEmpty() && kind != MatchKind.WILDCARD || !literal.chars().allMatch(Character::isDigit) || p.length() > 15) {
                    throw new InvalidRuleException("pattern", "an MSISDN is at most 15 digits, an optional '+' first: " + pattern.trim());
                }
            }
            case SIP_URI -> {
                String lower = p.toLowerCase(Locale.ROOT);
                if (!(lower.startsWith("sip:") || lower.startsWith("sips:") || lower.startsWith("tel:") || (kind == MatchKind.WILDCARD && lower.startsWith("*")))) {
                    throw new InvalidRuleException("pattern", "a SIP URI pattern starts with sip:, sips: or tel: " + p);
                }
                if (p.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                    throw new InvalidRuleException("pattern", "contains spaces or control characters");
                }
                if (kind == MatchKind.EXACT) {
                    String n = SubscriberIds.normaliseSipUri(p);
                    if (n == null) {
                        throw new InvalidRuleException("pattern", "is not a SIP URI: " + p);
                    }
                    p = n.toLowerCase(Locale.ROOT);
                } else {
                    p = lower;
                }
            }
        }
        return p;
    }

    /** The same rule with another id (once stored). */
    public FilterRule withId(long newId) {
        return new FilterRule(newId, billingSystem, identityType, matchKind, pattern, action, windowStart, windowEnd, zone, description);
    }

    /** A rule that cannot be: which field, and why. */
    public static final class InvalidRuleException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String field;

        public InvalidRuleException(String field, String reason) {
            super(field + " " + reason);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}

package org.sipcharge.billing.cff;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The charging filtering function over an immutable set of rules. For one CDR and one billing system, among the
 * rules of that billing system whose pattern matches one of the user's identities, the most specific decides:
 * <ol>
 *   <li>EXACT beats PREFIX beats WILDCARD;</li>
 *   <li>of the same kind, IMSI beats MSISDN beats SIP_URI (the identity closest to the subscription; lengths of
 *       different identities are not comparable);</li>
 *   <li>of the same kind and identity: the longest prefix, or the wildcard with most literal characters;</li>
 *   <li>then the lowest rule id (the oldest rule).</li>
 * </ol>
 * No rule matching: the billing system's default action (IMMEDIATE unless configured otherwise). SIP URIs are
 * compared without regard to case.
 */
public final class ChargingFilter {

    private static final Comparator<FilterRule> PRECEDENCE = Comparator
            .comparingInt((FilterRule r) -> r.matchKind().ordinal())
            .thenComparingInt(r -> r.identityType().ordinal())
            .thenComparing(Comparator.comparingInt(ChargingFilter::literalLength).reversed())
            .thenComparingLong(FilterRule::id);

    private final List<FilterRule> rules;
    private final Map<String, FilterRule.Action> defaults;

    /**
     * @param defaults per billing system, the action when no rule matches (absent: IMMEDIATE); HOLD cannot be a default
     */
    public ChargingFilter(List<FilterRule> rules, Map<String, FilterRule.Action> defaults) {
        this.rules = rules.stream().sorted(PRECEDENCE).toList();
        this.defaults = Map.copyOf(defaults);
        if (this.defaults.containsValue(FilterRule.Action.HOLD)) {
            throw new IllegalArgumentException("a default action is IMMEDIATE or NEVER (a HOLD needs a window, which only a rule has)");
        }
    }

    public FilterDecision decide(String billingSystem, SubscriberIds ids, Instant now) {
        Objects.requireNonNull(billingSystem, "billingSystem");
        Objects.requireNonNull(ids, "ids");
        for (FilterRule r : rules) {
            if (r.billingSystem().equals(billingSystem) && matches(r, ids)) {
                return decision(r, now);
            }
        }
        FilterRule.Action d = defaults.getOrDefault(billingSystem, FilterRule.Action.IMMEDIATE);
        return new FilterDecision(d, d == FilterRule.Action.NEVER ? null : now, null, "default for " + billingSystem + ": " + d);
    }

    public List<FilterRule> rules() {
        return rules;
    }

    static boolean matches(FilterRule r, SubscriberIds ids) {
        String value = switch (r.identityType()) {
            case IMSI -> ids.imsi();
            case MSISDN -> ids.msisdn();
            case SIP_URI -> ids.sipUri() == null ? null : ids.sipUri().toLowerCase(Locale.ROOT);
        };
        if (value == null) {
            return false;
        }
        return switch (r.matchKind()) {
            case EXACT -> value.equals(r.pattern());
            case PREFIX -> value.startsWith(r.pattern());
            case WILDCARD -> wildcard(r.pattern(), 0, value, 0);
        };
    }

    /** '*' any run (possibly empty), '?' exactly one character; iterative with backtracking on the last '*'. */
    static boolean wildcard(String p, int pi, String s, int si) {
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    static int literalLength(FilterRule r) {
        return r.pattern().replace("*", "").replace("?", "").length();
    }

    private static FilterDecision decision(FilterRule r, Instant now) {
        String why = "rule " + r.id() + " (" + r.identityType() + " " + r.matchKind() + " " + r.pattern() + "): " + r.action();
        return switch (r.action()) {
            case IMMEDIATE -> new FilterDecision(r.action(), now, r.id(), why);
            case NEVER -> new FilterDecision(r.action(), null, r.id(), why);
            case HOLD -> {
                Instant release = nextOpening(r.windowStart(), r.windowEnd(), r.zone(), now);
                yield new FilterDecision(r.action(), release, r.id(), why + " until " + release);
            }
        };
    }

    /**
     * Now when {@code now} is inside the daily window [start, end) in the zone (a window with end before start wraps
     * midnight), else the next time the window opens. Across a DST change the opening is the wall-clock start on that
     * day as the zone resolves it (a start in a gap moves forward by the gap).
     */
    static Instant nextOpening(LocalTime start, LocalTime end, java.time.ZoneId zone, Instant now) {
        ZonedDateTime t = now.atZone(zone);
        LocalTime time = t.toLocalTime();
        boolean inside = start.isBefore(end)
                ? !time.isBefore(start) && time.isBefore(end)
                : !time.isBefore(start) || time.isBefore(end);
        if (inside) {
            return now;
        }
        LocalDate day = t.toLocalDate();
        ZonedDateTime opening = ZonedDateTime.of(day, start, zone);
        if (!opening.toInstant().isAfter(now)) {
            opening = ZonedDateTime.of(day.plusDays(1), start, zone);
        }
        return opening.toInstant();
    }
}

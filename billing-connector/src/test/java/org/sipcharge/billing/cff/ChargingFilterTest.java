package org.sipcharge.billing.cff;

import org.junit.jupiter.api.Test;
import org.sipcharge.billing.cff.FilterRule.Action;
import org.sipcharge.billing.cff.FilterRule.IdentityType;
import org.sipcharge.billing.cff.FilterRule.MatchKind;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChargingFilterTest {

    static final Instant NOON = Instant.parse("2026-11-24T12:00:00Z");
    static final SubscriberIds ALICE = new SubscriberIds("sip:+4915112345678@ims.example.net", "4915112345678", "262011234567890");

    static FilterRule rule(long id, IdentityType type, MatchKind kind, String pattern, Action action) {
        return new FilterRule(id, "bill", type, kind, pattern, action, null, null, null, null);
    }

    static FilterRule hold(long id, String pattern, String from, String to, String zone) {
        return new FilterRule(id, "bill", IdentityType.MSISDN, MatchKind.PREFIX, pattern, Action.HOLD,
                LocalTime.parse(from), LocalTime.parse(to), zone == null ? null : ZoneId.of(zone), null);
    }

    static FilterDecision decide(SubscriberIds ids, FilterRule... rules) {
        return new ChargingFilter(List.of(rules), Map.of()).decide("bill", ids, NOON);
    }

    @Test
    void noMatchingRuleGivesTheDefaultImmediateOrTheConfiguredOne() {
        FilterDecision d = decide(ALICE, rule(1, IdentityType.MSISDN, MatchKind.PREFIX, "33", Action.NEVER));
        assertEquals(Action.IMMEDIATE, d.action());
        assertNull(d.ruleId());
        assertEquals(NOON, d.releaseAt());
        FilterDecision never = new ChargingFilter(List.of(), Map.of("bill", Action.NEVER)).decide("bill", ALICE, NOON);
        assertEquals(Action.NEVER, never.action());
        assertThrows(IllegalArgumentException.class, () -> new ChargingFilter(List.of(), Map.of("bill", Action.HOLD)));
    }

    @Test
    void rulesOfAnotherBillingSystemDoNotApply() {
        FilterRule other = new FilterRule(1, "other", IdentityType.MSISDN, MatchKind.EXACT, "4915112345678", Action.NEVER, null, null, null, null);
        assertEquals(Action.IMMEDIATE, decide(ALICE, other).action());
    }

    @Test
    void exactBeatsPrefixBeatsWildcard() {
        FilterRule wildcard = rule(1, IdentityType.MSISDN, MatchKind.WILDCARD, "49151*", Action.NEVER);
        FilterRule prefix = rule(2, IdentityType.MSISDN, MatchKind.PREFIX, "4915", Action.IMMEDIATE);
        FilterRule exact = rule(3, IdentityType.MSISDN, MatchKind.EXACT, "+4915112345678", Action.NEVER);
        assertEquals(3L, decide(ALICE, wildcard, prefix, exact).ruleId());
        assertEquals(2L, decide(ALICE, wildcard, prefix).ruleId());
        assertEquals(1L, decide(ALICE, wildcard).ruleId());
    }

    @Test
    void theLongestPrefixAndTheMostLiteralWildcardWin() {
        assertEquals(2L, decide(ALICE, rule(1, IdentityType.MSISDN, MatchKind.PREFIX, "49", Action.NEVER),
                rule(2, IdentityType.MSISDN, MatchKind.PREFIX, "491511", Action.IMMEDIATE)).ruleId());
        assertEquals(2L, decide(ALICE, rule(1, IdentityType.MSISDN, MatchKind.WILDCARD, "49*", Action.NEVER),
                rule(2, IdentityType.MSISDN, MatchKind.WILDCARD, "4915?12*", Action.IMMEDIATE)).ruleId());
    }

    @Test
    void ofTheSameKindImsiBeatsMsisdnBeatsSipUriWhateverTheLengthsThenTheOldestRule() {
        FilterRule sip = rule(1, IdentityType.SIP_URI, MatchKind.EXACT, "sip:+4915112345678@ims.example.net", Action.NEVER);
        FilterRule msisdn = rule(2, IdentityType.MSISDN, MatchKind.EXACT, "4915112345678", Action.IMMEDIATE);
        FilterRule imsi = rule(3, IdentityType.IMSI, MatchKind.EXACT, "262011234567890", Action.NEVER);
        assertEquals(3L, decide(ALICE, sip, msisdn, imsi).ruleId());
        assertEquals(2L, decide(ALICE, sip, msisdn).ruleId());
        assertEquals(6L, decide(ALICE, rule(7, IdentityType.MSISDN, MatchKind.PREFIX, "491511234567", Action.NEVER),
                rule(6, IdentityType.IMSI, MatchKind.PREFIX, "262", Action.IMMEDIATE)).ruleId(), "a short IMSI prefix beats a long MSISDN prefix");
        assertEquals(4L, decide(ALICE, rule(5, IdentityType.MSISDN, MatchKind.PREFIX, "4915", Action.NEVER),
                rule(4, IdentityType.MSISDN, MatchKind.PREFIX, "4915", Action.IMMEDIATE)).ruleId());
    }

    @Test
    void sipUrisMatchWithoutRegardToCaseAndWithoutParameters() {
        SubscriberIds ids = SubscriberIds.of(new org.sipcharge.cdr.ChargingDataRecord("n-1", "s", "c", "<sip:Bob@Example.COM:5060;transport=udp>",
                "sip:x@y", NOON, NOON, NOON, 1, 0, false, "n"));
        assertEquals("sip:Bob@example.com", ids.sipUri());
        assertNull(ids.msisdn());
        assertEquals(1L, decide(ids, rule(1, IdentityType.SIP_URI, MatchKind.EXACT, "SIP:bob@EXAMPLE.com", Action.NEVER)).ruleId());
        assertEquals(2L, decide(ids, rule(2, IdentityType.SIP_URI, MatchKind.WILDCARD, "sip:*@example.com", Action.NEVER)).ruleId());
        assertEquals("4915112345678", SubscriberIds.msisdnOf("tel:+49-151-12345678"));
        assertEquals("4915112345678", SubscriberIds.msisdnOf("sip:+4915112345678@ims.example.net;user=phone"));
    }

    @Test
    void holdReleasesNowInsideTheWindowAndAtTheNextOpeningOutsideIt() {
        assertEquals(NOON, decide(ALICE, hold(1, "49", "11:00", "13:00", null)).releaseAt());
        assertEquals(Instant.parse("2026-11-24T22:00:00Z"), decide(ALICE, hold(1, "49", "22:00", "06:00", null)).releaseAt());
        assertEquals(Instant.parse("2026-11-25T09:00:00Z"), decide(ALICE, hold(1, "49", "09:00", "10:00", "UTC")).releaseAt());
        // Wrapping midnight: 23:00-02:00, at 01:00 inside.
        assertEquals(Instant.parse("2026-11-24T01:00:00Z"), ChargingFilter.nextOpening(LocalTime.parse("23:00"),
                LocalTime.parse("02:00"), ZoneId.of("UTC"), Instant.parse("2026-11-24T01:00:00Z")));
        // In a zone: 02:00 Berlin is 01:00 UTC in winter.
        assertEquals(Instant.parse("2026-11-25T01:00:00Z"), decide(ALICE, hold(1, "49", "02:00", "04:00", "Europe/Berlin")).releaseAt());
    }

    @Test
    void aWindowOpeningInTheSpringForwardGapOpensAfterTheGap() {
        // Europe/Berlin, 2026-03-29: 02:00 local does not exist (clocks go from 02:00 to 03:00 CEST = 01:00 UTC).
        Instant before = Instant.parse("2026-03-28T23:00:00Z");
        Instant opening = ChargingFilter.nextOpening(LocalTime.parse("02:30"), LocalTime.parse("04:00"), ZoneId.of("Europe/Berlin"), before);
        assertEquals(Instant.parse("2026-03-29T01:30:00Z"), opening, "02:30 in the gap resolves to 03:30 CEST");
    }

    @Test
    void wildcardMatching() {
        assertTrue(ChargingFilter.wildcard("a*c", 0, "abbbc", 0));
        assertTrue(ChargingFilter.wildcard("a?c", 0, "abc", 0));
        assertTrue(ChargingFilter.wildcard("*", 0, "", 0));
        assertFalse(ChargingFilter.wildcard("a?c", 0, "ac", 0));
        assertFalse(ChargingFilter.wildcard("a*d", 0, "abc", 0));
    }

    @Test
    void invalidRulesNameTheirField() {
        assertField("billingSystem", () -> new FilterRule(0, "Bad Name", IdentityType.MSISDN, MatchKind.EXACT, "49", Action.NEVER, null, null, null, null));
        assertField("identityType", () -> new FilterRule(0, "bill", null, MatchKind.EXACT, "49", Action.NEVER, null, null, null, null));
        assertField("pattern", () -> rule(0, IdentityType.MSISDN, MatchKind.EXACT, "49a", Action.NEVER));
        assertField("pattern", () -> rule(0, IdentityType.IMSI, MatchKind.EXACT, "1234567890123456", Action.NEVER));
        assertField("pattern", () -> rule(0, IdentityType.MSISDN, MatchKind.PREFIX, "49*", Action.NEVER));
        assertField("pattern", () -> rule(0, IdentityType.SIP_URI, MatchKind.EXACT, "bob@example.com", Action.NEVER));
        assertField("pattern", () -> rule(0, IdentityType.SIP_URI, MatchKind.PREFIX, " ", Action.NEVER));
        assertField("windowStart", () -> new FilterRule(0, "bill", IdentityType.MSISDN, MatchKind.PREFIX, "49", Action.HOLD, null, LocalTime.NOON, null, null));
        assertField("windowEnd", () -> new FilterRule(0, "bill", IdentityType.MSISDN, MatchKind.PREFIX, "49", Action.HOLD, LocalTime.NOON, LocalTime.NOON, null, null));
        assertField("windowStart", () -> new FilterRule(0, "bill", IdentityType.MSISDN, MatchKind.PREFIX, "49", Action.NEVER, LocalTime.NOON, null, null, null));
    }

    static void assertField(String field, org.junit.jupiter.api.function.Executable e) {
        FilterRule.InvalidRuleException ex = assertThrows(FilterRule.InvalidRuleException.class, e);
        assertEquals(field, ex.field(), ex.getMessage());
    }
}

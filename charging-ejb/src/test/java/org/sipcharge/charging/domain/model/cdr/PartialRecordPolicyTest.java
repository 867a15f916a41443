package org.sipcharge.charging.domain.model.cdr;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartialRecordPolicyTest {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void offByDefault() {
        assertFalse(PartialRecordPolicy.NONE.enabled());
        assertFalse(PartialRecordPolicy.NONE.closesAt(T0, 1000, T0.plus(Duration.ofDays(3))));
    }

    @Test
    void theCountTriggerClosesAtTheNthInterim() {
        PartialRecordPolicy p = new PartialRecordPolicy(null, 3);
        assertFalse(p.closesAt(T0, 2, T0.plusSeconds(600)));
        assertTrue(p.closesAt(T0, 3, T0.plusSeconds(1)));
    }

    @Test
    void theTimeTriggerClosesAtTheFirstInterimAtOrAfterTheLimit() {
        PartialRecordPolicy p = new PartialRecordPolicy(Duration.ofMinutes(30), 0);
        assertFalse(p.closesAt(T0, 50, T0.plus(Duration.ofMinutes(30)).minusMillis(1)));
        assertTrue(p.closesAt(T0, 1, T0.plus(Duration.ofMinutes(30))));
    }

    @Test
    void eitherTriggerCloses() {
        PartialRecordPolicy p = new PartialRecordPolicy(Duration.ofMinutes(30), 4);
        assertTrue(p.closesAt(T0, 4, T0.plusSeconds(10)));
        assertTrue(p.closesAt(T0, 1, T0.plus(Duration.ofHours(1))));
        assertFalse(p.closesAt(T0, 3, T0.plusSeconds(10)));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PartialRecordPolicy(Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class, () -> new PartialRecordPolicy(null, -1));
    }
}

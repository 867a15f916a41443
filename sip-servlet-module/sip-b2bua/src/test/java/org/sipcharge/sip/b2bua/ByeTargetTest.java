package org.sipcharge.sip.b2bua;

import org.junit.jupiter.api.Test;
import org.sipcharge.sip.b2bua.domain.CallPhase;
import org.sipcharge.sip.b2bua.domain.CallState;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which call a BYE ends, also when the tier is invoked twice for one call (the B leg of call X routed back to the tier
 * by an S-CSCF, as the A leg of a second call "b2b-X").
 */
class ByeTargetTest {

    private static final String X = "42-1@10.0.0.9";
    private static final String SECOND = B2bua.B_LEG_PREFIX + X;

    /** A map, with the memory of ended calls that the replicated store keeps. */
    private static final class MapCallStore implements CallStore {
        final Map<String, CallState> calls = new HashMap<>();
        final Set<String> ended = new HashSet<>();

        @Override
        public CallState get(String key) {
            return calls.get(key);
        }

        @Override
        public CallState update(String key, Function<CallState, CallState> change) {
            CallState next = change.apply(calls.get(key));
            if (next == null) {
                calls.remove(key);
            } else {
                calls.put(key, next);
            }
            return next;
        }

        @Override
        public int size() {
            return calls.size();
        }

        @Override
        public void rememberEndedBy(String key, String byeFromTag, long byeCseq) {
            ended.add(key + "|" + byeFromTag + "|" + byeCseq);
        }

        @Override
        public boolean wasEndedBy(String key, String byeFromTag, long byeCseq) {
            return ended.contains(key + "|" + byeFromTag + "|" + byeCseq);
        }
    }

    private static CallState call(String aCallId, String callerTag, String ourALegTag, String ourBLegTag, String calleeTag) {
        CallState s = new CallState();
        s.phase = CallPhase.CONFIRMED;
        s.aCallId = aCallId;
        s.aRemoteTag = callerTag;
        s.aLocalTag = ourALegTag;
        s.bCallId = B2bua.B_LEG_PREFIX + aCallId;
        s.bLocalTag = ourBLegTag;
        s.bRemoteTag = calleeTag;
        return s;
    }

    /** Call X (phone tag "p1") whose B leg came back as call b2b-X; that one's B leg reached the callee (tag "c1"). */
    private static MapCallStore invokedTwice() {
        MapCallStore store = new MapCallStore();
        store.calls.put(X, call(X, "p1", "xa", "xb", "sa"));
        store.calls.put(SECOND, call(SECOND, "xb", "sa", "sb", "c1"));
        return store;
    }

    @Test
    void onceInvokedCallIsEndedByItsCallerOnTheALegAndByItsCalleeOnTheBLeg() {
        MapCallStore store = new MapCallStore();
        store.calls.put(X, call(X, "p1", "xa", "xb", "c1"));
        assertEquals(new B2bua.ByeTarget(X, false), B2bua.byeTarget(X, "p1", 2, store));
        assertEquals(new B2bua.ByeTarget(X, true), B2bua.byeTarget(SECOND, "c1", 1, store));
    }

    @Test
    void callersByeForwardedOnTheBLegEndsTheSecondCallNotTheFirstAgain() {
        MapCallStore store = invokedTwice();
        // The phone hangs up: call X ends here, and our BYE on its B leg (From tag xb) reaches the tier again.
        assertEquals(new B2bua.ByeTarget(X, false), B2bua.byeTarget(X, "p1", 2, store));
        store.calls.remove(X);
        assertEquals(new B2bua.ByeTarget(SECOND, false), B2bua.byeTarget(SECOND, "xb", 2, store),
                "the second call's caller hangs up; reading it as the callee of call X would leave the second call open");
    }

    @Test
    void calleesByeEndsTheSecondCallThenTheFirst() {
        MapCallStore store = invokedTwice();
        // The callee hangs up on the second call's B leg; the second call's BYE on its A leg (From tag sa) ends X.
        assertEquals(new B2bua.ByeTarget(SECOND, true), B2bua.byeTarget(B2bua.B_LEG_PREFIX + SECOND, "c1", 1, store));
        store.calls.remove(SECOND);
        assertEquals(new B2bua.ByeTarget(X, true), B2bua.byeTarget(SECOND, "sa", 3, store));
    }

    @Test
    void retriedCallersByeOfTheSecondCallIsStillRecognisedAfterItEnded() {
        MapCallStore store = invokedTwice();
        store.calls.remove(X);
        store.update(SECOND, s -> {
            store.rememberEndedBy(SECOND, "xb", 2);
            return null;
        });
        assertEquals(new B2bua.ByeTarget(SECOND, false), B2bua.byeTarget(SECOND, "xb", 2, store));
    }
}

package org.sipcharge.systemtests;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: tests never sleep a fixed time to wait for something. */
final class Wait {

    private Wait() {
    }

    static <T> T until(Duration deadline, Supplier<T> probe, java.util.function.Predicate<T> done, String what) throws InterruptedException {
        return until(deadline, Duration.ofMillis(200), probe, done, what);
    }

    /** As above, polling every {@code every}: for a measured time that must not be off by a whole 200 ms. */
    static <T> T until(Duration deadline, Duration every, Supplier<T> probe, java.util.function.Predicate<T> done, String what)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        T last = null;
        while (true) {
            try {
                last = probe.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                // the thing polled is not there yet; try again until the deadline
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + deadline + " waiting for " + what + "; last value: " + last);
            }
            // The pause between two probes, never past the deadline: the last probe is made at the deadline itself.
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.min(every.toNanos(), left));
        }
    }
}

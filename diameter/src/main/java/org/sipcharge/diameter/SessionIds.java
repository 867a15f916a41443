package org.sipcharge.diameter;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Session-Id values (RFC 6733 8.8): {@code <DiameterIdentity>;<high 32 bits>;<low 32 bits>;<optional value>}.
 * The high part is this JVM's start time in seconds and the low part a counter, as 8.8 suggests; the optional
 * part is a random per-JVM token, because several instances of one cluster may share an Origin-Host and start
 * in the same second.
 */
public final class SessionIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long HIGH = System.currentTimeMillis() / 1000 & 0xFFFFFFFFL;
    private static final String TOKEN = Long.toHexString(RANDOM.nextLong() >>> 1);
    private static final AtomicLong LOW = new AtomicLong();

    private SessionIds() {
    }

    public static String next(String originHost) {
        long low = LOW.incrementAndGet() & 0xFFFFFFFFL;
        return originHost + ";" + HIGH + ";" + low + ";" + TOKEN;
    }
}

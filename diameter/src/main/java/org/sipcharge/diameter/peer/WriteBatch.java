package org.sipcharge.diameter.peer;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets one thread write many messages to its peers and push them to the network once at the end, instead of one
 * TCP segment (and one system call on each side) per message. Inside {@link #run}, a message written on this thread
 * to any connection is buffered; when the action returns (or throws), every connection written to is flushed. Writes
 * of other threads are not affected, and a flush by another thread sends the buffered messages too.
 *
 * <p>Used where many answers are produced together: the CDF completes a whole group commit's answers inside one
 * batch, and a connection's reader batches what it writes while more input is already waiting.
 */
public final class WriteBatch {

    /** The connections written to without a flush by the current thread; null when the thread is not batching. */
    private static final ThreadLocal<List<PeerConnection>> DEFERRED = new ThreadLocal<>();

    private WriteBatch() {
    }

    /** Runs the action with this thread's writes buffered, then flushes every connection it wrote to. */
    public static void run(Runnable action) {
        if (DEFERRED.get() != null) {
            action.run(); // nested: the outermost batch flushes
            return;
        }
        List<PeerConnection> deferred = new ArrayList<>(2);
        DEFERRED.set(deferred);
        try {
            action.run();
        } finally {
            DEFERRED.remove();
            flush(deferred);
        }
    }

    /** Starts batching on this thread until {@link #end}; for loops that cannot be written as one action. */
    static void begin() {
        if (DEFERRED.get() == null) {
            DEFERRED.set(new ArrayList<>(2));
        }
    }

    /** Flushes what this thread deferred so far and keeps batching (call before blocking). */
    static void flushNow() {
        List<PeerConnection> deferred = DEFERRED.get();
        if (deferred != null && !deferred.isEmpty()) {
            flush(deferred);
        }
    }

    static void end() {
        List<PeerConnection> deferred = DEFERRED.get();
        DEFERRED.remove();
        if (deferred != null) {
            flush(deferred);
        }
    }

    /** @return true when the caller may leave its write unflushed: this thread batches and will flush {@code c} */
    static boolean defer(PeerConnection c) {
        List<PeerConnection> deferred = DEFERRED.get();
        if (deferred == null) {
            return false;
        }
        // A handful of connections at most: a list beats a set here.
        if (!deferred.contains(c)) {
            deferred.add(c);
        }
        return true;
    }

    private static void flush(List<PeerConnection> deferred) {
        for (PeerConnection c : deferred) {
            c.flushQuietly();
        }
        deferred.clear();
    }
}

package org.sipcharge.sip.ra;

/**
 * Whether the SIP stack listens, and if not why. Read by the admin status, health check and metrics of the
 * application (which sees this class through the RAR).
 */
public final class SipStackStatus {

    private static volatile String listenAddress;
    private static volatile String error;
    private static volatile boolean listening;

    private SipStackStatus() {
    }

    static void listening(String address) {
        listenAddress = address;
        error = null;
        listening = true;
    }

    static void stopped(String why) {
        listening = false;
        error = why;
    }

    public static boolean isListening() {
        return listening;
    }

    /** host:port/transports, or null before the first start. */
    public static String listenAddress() {
        return listenAddress;
    }

    /** Why the stack is not listening, or null. */
    public static String error() {
        return error;
    }
}

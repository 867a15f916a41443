package org.sipcharge.diameter.peer;

/** Connection states, after RFC 6733 5.6 (simplified to one connection per peer) and RFC 3539 (SUSPECT). */
public enum PeerState {
    /** No transport connection. */
    CLOSED,
    /** Connected, CER sent or expected, no CEA yet. */
    WAIT_CEA,
    /** Capabilities exchanged; application traffic flows. */
    OPEN,
    /**
     * RFC 3539 3.4.1: a DWR (or, here, a request) is unanswered; new requests go to another peer when one is OPEN
     * (RFC 6733 5.5.4), and here only when none is.
     */
    SUSPECT,
    /** DPR sent or received; closing. */
    CLOSING
}

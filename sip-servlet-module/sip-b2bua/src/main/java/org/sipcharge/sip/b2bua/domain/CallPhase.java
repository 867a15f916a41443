package org.sipcharge.sip.b2bua.domain;

/** Where a call stands. */
public enum CallPhase {
    /** INVITE relayed to the callee, no final answer yet. */
    INVITING,
    /** The callee answered 2xx; waiting for the caller's ACK. */
    ANSWERED,
    /** ACK relayed: the call is up. */
    CONFIRMED,
    /** CANCEL received from the caller before an answer. */
    CANCELLED,
    /** BYE seen from either side. */
    ENDED
}

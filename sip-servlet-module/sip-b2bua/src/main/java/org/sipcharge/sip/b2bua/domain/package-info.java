/**
 * The call as the B2BUA keeps it: plain values, no SIP stack or grid types, encoded compactly so that a call
 * costs a few hundred bytes per copy in the replicated store.
 */
package org.sipcharge.sip.b2bua.domain;

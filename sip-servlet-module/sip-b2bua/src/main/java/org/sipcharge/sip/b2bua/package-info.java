/**
 * The B2BUA of the SIP tier: a message-driven bean of the SIP resource adapter relays each call between the
 * caller's dialog (A leg) and a new dialog towards the callee (B leg), and tells the offline charging application
 * when the call is answered and when it ends. There is no transaction boundary here (SIP is not transacted);
 * every change of a call's state is one locked read-modify-write of its entry in the replicated store.
 */
package org.sipcharge.sip.b2bua;

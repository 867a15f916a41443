/**
 * A Jakarta Connectors (JCA 2.0) resource adapter that hosts the JAIN SIP RI stack inside Payara and delivers
 * every SIP request, response and transaction timeout to message-driven beans through {@link
 * org.sipcharge.sip.ra.SipMessageListener}, on the stack's own threads (PLATFORM.md measured this as the cheapest
 * way: the container adds tens of microseconds per message, the WorkManager adds retransmissions under load).
 *
 * <p>The stack is created when the first endpoint activates and stopped when the last one deactivates, so a
 * failed deployment never keeps the SIP port bound. No transactions: SIP delivery is not transacted.
 */
package org.sipcharge.sip.ra;

package org.sipcharge.sip.ra;

import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;

/**
 * The message-listener type of the SIP resource adapter: a message-driven bean that implements it receives
 * what the JAIN SIP stack receives. Methods are called on the stack's threads; they must not block for long.
 */
public interface SipMessageListener {

    void onRequest(RequestEvent event, SipContext sip);

    void onResponse(ResponseEvent event, SipContext sip);

    void onTimeout(TimeoutEvent event, SipContext sip);
}

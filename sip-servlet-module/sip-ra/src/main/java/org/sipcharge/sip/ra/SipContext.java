package org.sipcharge.sip.ra;

import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import java.util.Objects;

/**
 * What a listener needs to answer and to send: the provider of the stack, its factories and where it listens.
 *
 * @param provider       the one SIP provider of the stack (all listening points are attached to it)
 * @param messages       factory for requests and responses
 * @param headers        factory for headers
 * @param addresses      factory for URIs and addresses
 * @param host           the address the stack listens on (used in Via and Contact)
 * @param port           the port it listens on
 */
public record SipContext(SipProvider provider, MessageFactory messages, HeaderFactory headers,
                         AddressFactory addresses, String host, int port) {

    public SipContext {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(host, "host");
    }

    /** The listening point for a transport ("udp", "tcp"), or null when the stack does not listen on it. */
    public ListeningPoint listeningPoint(String transport) {
        return provider.getListeningPoint(transport);
    }
}

package org.sipcharge.diameter.peer;

import java.net.InetSocketAddress;

/** The remote peer of a connection, as learnt in the capabilities exchange. */
public record PeerInfo(String originHost, String originRealm, InetSocketAddress remoteAddress) {
}

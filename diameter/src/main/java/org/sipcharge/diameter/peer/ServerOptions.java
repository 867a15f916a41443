package org.sipcharge.diameter.peer;

import java.time.Duration;
import java.util.Set;

/**
 * @param allowedPeers       Origin-Host values allowed to connect; empty allows any (RFC 6733 5.3: others get 3010)
 * @param watchdogInterval   RFC 3539 Tw: idle time before a DWR (default 30 s, as RFC 3539 3.4.1 recommends)
 * @param capabilitiesTimeout how long a new connection may take to send its CER
 * @param maxConnections     connections served at once; more are closed at accept
 * @param tls                TLS from the first byte (RFC 6733 13 and 2.1: "diameters", TLS/TCP, mutual authentication:
 *                           the peer must present a certificate the context trusts), or null for plain TCP
 */
public record ServerOptions(Set<String> allowedPeers, Duration watchdogInterval, Duration capabilitiesTimeout,
                            int maxConnections, javax.net.ssl.SSLContext tls) {

    public ServerOptions {
        allowedPeers = Set.copyOf(allowedPeers);
    }

    public ServerOptions(Set<String> allowedPeers, Duration watchdogInterval, Duration capabilitiesTimeout, int maxConnections) {
        this(allowedPeers, watchdogInterval, capabilitiesTimeout, maxConnections, null);
    }

    public static ServerOptions defaults() {
        return new ServerOptions(Set.of(), Duration.ofSeconds(30), Duration.ofSeconds(10), 64, null);
    }

    public ServerOptions withTls(javax.net.ssl.SSLContext context) {
        return new ServerOptions(allowedPeers, watchdogInterval, capabilitiesTimeout, maxConnections, context);
    }

    public ServerOptions withAllowedPeers(Set<String> peers) {
        return new ServerOptions(peers, watchdogInterval, capabilitiesTimeout, maxConnections, tls);
    }

    public ServerOptions withWatchdogInterval(Duration tw) {
        return new ServerOptions(allowedPeers, tw, capabilitiesTimeout, maxConnections, tls);
    }
}

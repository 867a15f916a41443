package org.sipcharge.diameter.peer;

import java.time.Duration;
import java.util.Set;

/**
 * @param allowedPeers       Origin-Host values allowed to connect; empty allows any (RFC 6733 5.3: others get 3010)
 * @param watchdogInterval   RFC 3539 Tw: idle time before a DWR (default 30 s, as RFC 3539 3.4.1 recommends)
 * @param capabilitiesTimeout how long a new connection may take to send its CER
 * @param maxConnections     connections served at once; more are closed at accept
 */
public record ServerOptions(Set<String> allowedPeers, Duration watchdogInterval, Duration capabilitiesTimeout,
                            int maxConnections) {

    public ServerOptions {
        allowedPeers = Set.copyOf(allowedPeers);
    }

    public static ServerOptions defaults() {
        return new ServerOptions(Set.of(), Duration.ofSeconds(30), Duration.ofSeconds(10), 64);
    }

    public ServerOptions withAllowedPeers(Set<String> peers) {
        return new ServerOptions(peers, watchdogInterval, capabilitiesTimeout, maxConnections);
    }

    public ServerOptions withWatchdogInterval(Duration tw) {
        return new ServerOptions(allowedPeers, tw, capabilitiesTimeout, maxConnections);
    }
}

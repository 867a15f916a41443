package org.sipcharge.diameter.peer;

import java.time.Duration;

/**
 * @param requestTimeout   how long an answer is awaited before the request fails (the caller decides on retransmission)
 * @param watchdogInterval RFC 3539 Tw (default 30 s)
 * @param connectTimeout   TCP connect and CEA wait
 * @param reconnectMin     first reconnect delay; doubles up to reconnectMax
 * @param reconnectMax     longest reconnect delay
 * @param tls              TLS from the first byte towards this peer (RFC 6733 13), presenting the context's key and
 *                         checking the peer's certificate and host name; null for plain TCP
 */
public record ClientOptions(Duration requestTimeout, Duration watchdogInterval, Duration connectTimeout,
                            Duration reconnectMin, Duration reconnectMax, javax.net.ssl.SSLContext tls) {

    public ClientOptions(Duration requestTimeout, Duration watchdogInterval, Duration connectTimeout,
                         Duration reconnectMin, Duration reconnectMax) {
        this(requestTimeout, watchdogInterval, connectTimeout, reconnectMin, reconnectMax, null);
    }

    public ClientOptions withTls(javax.net.ssl.SSLContext context) {
        return new ClientOptions(requestTimeout, watchdogInterval, connectTimeout, reconnectMin, reconnectMax, context);
    }


    public static ClientOptions defaults() {
        return new ClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5),
                Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    public ClientOptions withRequestTimeout(Duration t) {
        return new ClientOptions(t, watchdogInterval, connectTimeout, reconnectMin, reconnectMax, tls);
    }

    public ClientOptions withWatchdogInterval(Duration tw) {
        return new ClientOptions(requestTimeout, tw, connectTimeout, reconnectMin, reconnectMax, tls);
    }

    public ClientOptions withReconnect(Duration min, Duration max) {
        return new ClientOptions(requestTimeout, watchdogInterval, connectTimeout, min, max, tls);
    }
}

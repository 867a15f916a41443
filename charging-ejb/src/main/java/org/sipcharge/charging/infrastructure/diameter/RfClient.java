package org.sipcharge.charging.infrastructure.diameter;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.SessionIds;
import org.sipcharge.diameter.peer.ClientOptions;
import org.sipcharge.diameter.peer.DiameterClient;
import org.sipcharge.diameter.peer.LocalIdentity;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.sipcharge.diameter.peer.TlsContexts;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Rf client's Diameter connection to its CDF (TS 32.299 CTF side): one peer connection with CER/CEA and
 * watchdog, kept open and reconnected by {@link DiameterClient}. Speaks the domain's {@link AccountingRequest}.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class RfClient {

    private static final Logger LOG = Logger.getLogger(RfClient.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    private ManagedThreadFactory threadFactory;

    private DiameterClient client;
    /** Optional second CDF: used when the primary is down, and for the retransmissions of a timed-out ACR. */
    private DiameterClient secondary;
    private String originHost;
    private String realm;
    private String peerAddress = "";
    private final java.util.concurrent.atomic.AtomicInteger endToEndCounter =
            new java.util.concurrent.atomic.AtomicInteger(new java.security.SecureRandom().nextInt());

    @PostConstruct
    void start() {
        ChargingConfig config = ChargingConfig.load();
        if (!config.getBoolean("sipcharge.ctf.enabled", true)) {
            LOG.info("RF-001 Rf client disabled (sipcharge.ctf.enabled=false)");
            return;
        }
        originHost = config.get("sipcharge.ctf.origin-host", "ctf.sipcharge.local");
        realm = config.get("sipcharge.diameter.realm", "sipcharge.local");
        String host = config.get("sipcharge.ctf.cdf-host", "127.0.0.1");
        int port = config.getInt("sipcharge.ctf.cdf-port", 3868);
        Duration timeout = config.getMillis("sipcharge.ctf.request-timeout-ms", 5000);
        peerAddress = (config.getBoolean("sipcharge.ctf.cdf-tls", false) ? "tls " : "") + host + ":" + port;
        try {
            LocalIdentity identity = new LocalIdentity(originHost, realm, InetAddress.getByName("127.0.0.1"),
                    DiameterConstants.VENDOR_3GPP, "sipcharge-ctf", 1, (int) (System.currentTimeMillis() / 1000),
                    Set.of((long) DiameterConstants.APP_BASE_ACCOUNTING));
            ClientOptions options = ClientOptions.defaults().withRequestTimeout(timeout);
            // TLS per CDF (RFC 6733 13): each peer is reached over TLS or plain TCP as configured for it.
            ClientOptions primaryOptions = config.getBoolean("sipcharge.ctf.cdf-tls", false) ? options.withTls(tls(config)) : options;
            client = new DiameterClient(identity, new InetSocketAddress(host, port), realm, threadFactory, primaryOptions);
            client.start();
            LOG.log(Level.INFO, "RF-002 Rf client {0} connecting to CDF {1}", new Object[]{originHost, peerAddress});
            String secondaryHost = config.get("sipcharge.ctf.cdf-secondary-host", "");
            if (!secondaryHost.isBlank()) {
                int secondaryPort = config.getInt("sipcharge.ctf.cdf-secondary-port", 3868);
                ClientOptions secondaryOptions = config.getBoolean("sipcharge.ctf.cdf-secondary-tls", false)
                        ? options.withTls(tls(config)) : options;
                secondary = new DiameterClient(identity, new InetSocketAddress(secondaryHost, secondaryPort), realm, threadFactory,
                        secondaryOptions);
                secondary.start();
                peerAddress += "," + (config.getBoolean("sipcharge.ctf.cdf-secondary-tls", false) ? "tls " : "")
                        + secondaryHost + ":" + secondaryPort;
                LOG.log(Level.INFO, "RF-004 Rf client {0} also connecting to secondary CDF {1}:{2}",
                        new Object[]{originHost, secondaryHost, String.valueOf(secondaryPort)});
            }
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "RF-003 Rf client could not start towards " + peerAddress + ": " + e.getMessage(), e);
        }
    }

    /** This CTF's certificate and the CDF certificates it trusts (sipcharge.ctf.tls.*). */
    private static SSLContext tls(ChargingConfig config) {
        return TlsContexts.fromKeyStores(Path.of(config.get("sipcharge.ctf.tls.keystore", "")),
                config.get("sipcharge.ctf.tls.keystore-password", "").toCharArray(),
                Path.of(config.get("sipcharge.ctf.tls.truststore", "")),
                config.get("sipcharge.ctf.tls.truststore-password", "").toCharArray());
    }

    @PreDestroy
    void stop() {
        if (client != null) {
            client.stop();
        }
        if (secondary != null) {
            secondary.stop();
        }
    }

    /**
     * A new End-to-End Identifier (RFC 6733 section 3): the low 12 bits of the time in seconds in the high 12 bits
     * and a counter in the low 20, so that it stays unique for more than the 4 minutes the RFC asks, even across a
     * restart. Retransmissions of an ACR reuse the identifier of its first copy.
     */
    public int newEndToEnd() {
        int seconds = (int) (System.currentTimeMillis() / 1000) & 0xFFF;
        return (seconds << 20) | (endToEndCounter.incrementAndGet() & 0xFFFFF);
    }

    public String newSessionId() {
        return SessionIds.next(originHost);
    }

    public String originHost() {
        return originHost;
    }

    /**
     * Sends one ACR; completes with the ACA's outcome, or exceptionally on timeout or when no CDF is connected.
     * The first copy goes to the primary CDF when its connection is open; a retransmission ({@code attempt} > 0)
     * prefers the other CDF (RFC 6733 5.5.4 failover), falling back to whichever is open.
     */
    public CompletionStage<AccountingAnswer> send(AccountingRequest request, int endToEnd, int attempt) {
        DiameterClient peer = pick(attempt);
        if (peer == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("RF-005 no CDF connection is open (" + peerAddress + ")"));
        }
        return peer.send(RfMessageMapper.toAcr(request, realm).endToEnd(endToEnd)).thenApply(RfMessageMapper::fromAca);
    }

    private DiameterClient pick(int attempt) {
        DiameterClient first = attempt % 2 == 0 || secondary == null ? client : secondary;
        DiameterClient other = first == client ? secondary : client;
        // An OPEN one first; else a SUSPECT one (a request timed out, its DWR not answered yet), still connected.
        for (java.util.function.Predicate<DiameterClient> usable : List.<java.util.function.Predicate<DiameterClient>>of(
                DiameterClient::isOpen, DiameterClient::isConnected)) {
            for (DiameterClient c : new DiameterClient[]{first, other}) {
                if (c != null && usable.test(c)) {
                    return c;
                }
            }
        }
        return first; // none connected: the send fails at once with the peer's last error
    }

    /** At least one CDF connection is open. */
    public boolean peerOpen() {
        return (client != null && client.isOpen()) || (secondary != null && secondary.isOpen());
    }

    public String peerState() {
        if (client == null) {
            return "DISABLED";
        }
        return secondary == null ? String.valueOf(client.state()) : client.state() + "," + secondary.state();
    }

    public String peerAddress() {
        return peerAddress;
    }
}

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
import java.time.Duration;
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
    private String originHost;
    private String realm;
    private String peerAddress = "";

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
        peerAddress = host + ":" + port;
        try {
            LocalIdentity identity = new LocalIdentity(originHost, realm, InetAddress.getByName("127.0.0.1"),
                    DiameterConstants.VENDOR_3GPP, "sipcharge-ctf", 1, (int) (System.currentTimeMillis() / 1000),
                    Set.of((long) DiameterConstants.APP_BASE_ACCOUNTING));
            client = new DiameterClient(identity, new InetSocketAddress(host, port), realm, threadFactory,
                    ClientOptions.defaults().withRequestTimeout(timeout));
            client.start();
            LOG.log(Level.INFO, "RF-002 Rf client {0} connecting to CDF {1}", new Object[]{originHost, peerAddress});
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "RF-003 Rf client could not start towards " + peerAddress + ": " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void stop() {
        if (client != null) {
            client.stop();
        }
    }

    public String newSessionId() {
        return SessionIds.next(originHost);
    }

    public String originHost() {
        return originHost;
    }

    /** Sends one ACR; completes with the ACA's outcome, or exceptionally on timeout or when no CDF is connected. */
    public CompletionStage<AccountingAnswer> send(AccountingRequest request) {
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("Rf client is not running"));
        }
        return client.send(RfMessageMapper.toAcr(request, realm)).thenApply(RfMessageMapper::fromAca);
    }

    public boolean peerOpen() {
        return client != null && client.isOpen();
    }

    public String peerState() {
        return client == null ? "DISABLED" : String.valueOf(client.state());
    }

    public String peerAddress() {
        return peerAddress;
    }
}

package org.sipcharge.charging.infrastructure.diameter;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import org.sipcharge.charging.application.internal.CdfAccountingService;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;
import org.sipcharge.charging.infrastructure.jms.CdrOutboxScheduler;
import org.sipcharge.diameter.Answers;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.DiameterProtocolException;
import org.sipcharge.diameter.MessageValidator;
import org.sipcharge.diameter.peer.DiameterServer;
import org.sipcharge.diameter.peer.LocalIdentity;
import org.sipcharge.diameter.peer.PeerInfo;
import org.sipcharge.diameter.peer.ServerOptions;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The CDF's Diameter Rf listener (TS 32.299 CDF role). Each ACR is validated, recorded by
 * {@link CdfAccountingService} in its own transaction, and answered 2001 only after that transaction has
 * committed; a failed commit is answered 4002 (RFC 6733 7.1.4 DIAMETER_OUT_OF_SPACE), so the CTF retries.
 *
 * <p>Walking-skeleton note: the listener runs on threads from the container's ManagedThreadFactory, started by
 * this startup singleton, rather than through a JCA resource adapter as ARCHITECTURE.md intends; the Diameter
 * resource adapter is part of the Diameter conformance work.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class CdfEndpoint {

    private static final Logger LOG = Logger.getLogger(CdfEndpoint.class.getName());

    /** RFC 6733 9.7.1: the ACR's mandatory top-level AVPs. */
    static final int[] ACR_REQUIRED_AVPS = {
            DiameterConstants.AVP_SESSION_ID, DiameterConstants.AVP_ORIGIN_HOST, DiameterConstants.AVP_ORIGIN_REALM,
            DiameterConstants.AVP_DESTINATION_REALM, DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE,
            DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER};

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    private ManagedThreadFactory threadFactory;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    private ManagedExecutorService executor;

    @EJB
    private CdfAccountingService accounting;

    @EJB
    private CdrOutboxScheduler outbox;

    private DiameterServer server;
    private String originHost;
    private String realm;
    private String nodeId;
    private long interimSeconds;
    private volatile String listenAddress = "";
    private volatile String startError;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final ConcurrentHashMap<Long, AtomicLong> answersByResult = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        ChargingConfig config = ChargingConfig.load();
        if (!config.getBoolean("sipcharge.cdf.enabled", true)) {
            LOG.info("CDF-001 CDF listener disabled (sipcharge.cdf.enabled=false)");
            return;
        }
        originHost = config.get("sipcharge.cdf.origin-host", "cdf.sipcharge.local");
        realm = config.get("sipcharge.diameter.realm", "sipcharge.local");
        nodeId = config.get("sipcharge.cdf.node-id", "cdf1");
        interimSeconds = config.getInt("sipcharge.cdf.interim-interval-seconds", 300);
        String host = config.get("sipcharge.cdf.listen-host", "127.0.0.1");
        int port = config.getInt("sipcharge.cdf.listen-port", 3868);
        Set<String> allowed = Arrays.stream(config.get("sipcharge.cdf.allowed-peers", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        try {
            LocalIdentity identity = new LocalIdentity(originHost, realm, InetAddress.getByName(host),
                    DiameterConstants.VENDOR_3GPP, "sipcharge-cdf", 1, (int) (System.currentTimeMillis() / 1000),
                    Set.of((long) DiameterConstants.APP_BASE_ACCOUNTING));
            ServerOptions options = ServerOptions.defaults().withAllowedPeers(allowed);
            server = new DiameterServer(identity, new InetSocketAddress(host, port), threadFactory, this::handle, options);
            server.start();
            listenAddress = host + ":" + server.localPort();
            LOG.log(Level.INFO, "CDF-002 CDF listening for Diameter Rf on {0} as {1} (realm {2}), Acct-Interim-Interval {3} s",
                    new Object[]{listenAddress, originHost, realm, interimSeconds});
        } catch (Exception e) {
            startError = e.toString();
            LOG.log(Level.SEVERE, "CDF-003 CDF listener could not start on " + host + ":" + port
                    + " (port in use? set sipcharge.cdf.listen-port): " + e.getMessage(), e);
            stop();
        }
    }

    @PreDestroy
    void stop() {
        DiameterServer s = server;
        server = null;
        if (s != null) {
            s.stop();
            LOG.info("CDF-004 CDF listener stopped");
        }
    }

    CompletionStage<DiameterMessage> handle(DiameterMessage request, PeerInfo peer) {
        received.incrementAndGet();
        if (request.commandCode() != DiameterConstants.CMD_ACCOUNTING) {
            return CompletableFuture.completedFuture(count(Answers.error(request, DiameterConstants.RESULT_COMMAND_UNSUPPORTED,
                    null, "only ACR is served here", originHost, realm)));
        }
        // Commits block: run them off the connection's reader thread so that many ACRs are in flight.
        return CompletableFuture.supplyAsync(() -> count(process(request)), executor);
    }

    private DiameterMessage process(DiameterMessage acr) {
        AccountingRequest request;
        try {
            MessageValidator.requireAvps(acr, ACR_REQUIRED_AVPS);
            request = RfMessageMapper.fromAcr(acr);
        } catch (DiameterProtocolException e) {
            return Answers.error(acr, e.resultCode(), e.failedAvp(), e.getMessage(), originHost, realm);
        }
        AccountingOutcome outcome;
        try {
            outcome = accounting.record(request, nodeId);
        } catch (EJBException e) {
            // A racing copy of the same record loses on the unique key; it was stored once, so it is a success.
            if (isRecordedQuietly(request)) {
                outcome = AccountingOutcome.DUPLICATE;
            } else {
                LOG.log(Level.SEVERE, "CDF-010 could not commit " + request.type() + " record " + request.recordNumber()
                        + " of session " + request.sessionId() + ", answering 4002", e);
                return Answers.error(acr, DiameterConstants.RESULT_OUT_OF_SPACE, null, "CDR storage failed", originHost, realm);
            }
        }
        if (outcome == AccountingOutcome.DUPLICATE) {
            duplicates.incrementAndGet();
        } else if (request.type() == AccountingRecordType.STOP || request.type() == AccountingRecordType.EVENT) {
            outbox.kick();
        }
        return RfMessageMapper.answer(acr, originHost, realm, interimSeconds);
    }

    private boolean isRecordedQuietly(AccountingRequest r) {
        try {
            return accounting.isRecorded(r.sessionId(), r.recordNumber());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private DiameterMessage count(DiameterMessage answer) {
        long result = RfMessageMapper.fromAca(answer).resultCode();
        answersByResult.computeIfAbsent(result, k -> new AtomicLong()).incrementAndGet();
        return answer;
    }

    public boolean listening() {
        return server != null;
    }

    public String listenAddress() {
        return listenAddress;
    }

    public String startError() {
        return startError;
    }

    public long received() {
        return received.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long answered(long resultCode) {
        AtomicLong n = answersByResult.get(resultCode);
        return n == null ? 0 : n.get();
    }

    public long answeredTotal() {
        return answersByResult.values().stream().mapToLong(AtomicLong::get).sum();
    }
}

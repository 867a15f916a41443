package org.sipcharge.charging.infrastructure.diameter;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import org.sipcharge.charging.application.internal.CdfAccountingService;
import org.sipcharge.charging.application.internal.CdfRecordWriter;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;
import org.sipcharge.charging.infrastructure.jms.CdrOutboxScheduler;
import org.sipcharge.charging.infrastructure.persistence.DedicatedInvocation;
import org.sipcharge.charging.infrastructure.persistence.LocalTransaction;
import org.sipcharge.diameter.Answers;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.DiameterProtocolException;
import org.sipcharge.diameter.DictionaryValidator;
import org.sipcharge.diameter.peer.DiameterServer;
import org.sipcharge.diameter.peer.LocalIdentity;
import org.sipcharge.diameter.peer.PeerInfo;
import org.sipcharge.diameter.peer.ServerOptions;
import org.sipcharge.diameter.peer.WriteBatch;

import java.net.InetAddress;
import java.sql.SQLException;
import javax.sql.DataSource;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.sipcharge.diameter.peer.TlsContexts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The CDF's Diameter Rf listener (TS 32.299 CDF role). Each ACR is validated, recorded with others in one local
 * database transaction by a committer thread ({@link CdfRecordWriter}; {@link CdfAccountingService} when a group has to
 * be committed one by one), and answered 2001 only after that transaction has committed; a failed commit is answered 4002 (RFC 6733 7.1.4 DIAMETER_OUT_OF_SPACE), so the CTF retries.
 *
 * <p>Walking-skeleton note: the listener runs on threads from the container's ManagedThreadFactory, started by
 * this startup singleton, rather than through a JCA resource adapter as ARCHITECTURE.md intends; the Diameter
 * resource adapter is part of the Diameter conformance work.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class CdfEndpoint {

    private static final Logger LOG = Logger.getLogger(CdfEndpoint.class.getName());

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    private ManagedThreadFactory threadFactory;

    @EJB
    private CdfAccountingService accounting;

    /**
     * The CDF's database (the persistence unit's). The committers write their groups on local transactions of this
     * pool (no JTA: nothing else takes part in an ACR's commit), through {@link CdfRecordWriter}.
     */
    @Resource(lookup = "jdbc/sipcharge")
    private DataSource dataSource;

    private CdfRecordWriter writer;

    @EJB
    private DedicatedInvocation dedicated;
    private int sessionCacheSize;

    @EJB
    private CdrOutboxScheduler outbox;

    private DiameterServer server;
    /** The TLS listener (RFC 6733 13, "diameters"), when configured. */
    private DiameterServer tlsServer;
    private String originHost;
    private String realm;
    private String nodeId;
    private long interimSeconds;
    private volatile String listenAddress = "";
    private volatile String startError;

    /**
     * ACRs validated and waiting for a group commit, one queue per committer thread; bounded so that overload is
     * answered 3004, not queued forever. An ACR goes to the queue its Session-Id hashes to, so the records of one
     * session are committed by one thread in arrival order and two committers never update the same session row.
     */
    private BlockingQueue<Pending>[] queues;
    private volatile boolean running;
    private int maxBatch;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong busyAnswers = new AtomicLong();
    private final AtomicLong groupsReadAgain = new AtomicLong();
    private final AtomicLong groupsOneByOne = new AtomicLong();

    private record Pending(DiameterMessage acr, AccountingRequest request, CompletableFuture<DiameterMessage> answer) {
    }

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    /** Duplicates without the T flag: the CTF sent a number twice as new (RFC 6733 9.4 wants the T flag on copies). */
    private final AtomicLong duplicatesUnflagged = new AtomicLong();
    private final AtomicLong outOfSequence = new AtomicLong();
    /** New (not duplicate) records stored, by Accounting-Record-Type. */
    private final java.util.EnumMap<AccountingRecordType, AtomicLong> recordedByType = new java.util.EnumMap<>(AccountingRecordType.class);

    {
        for (AccountingRecordType t : AccountingRecordType.values()) {
            recordedByType.put(t, new AtomicLong());
        }
    }
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
        int committers = config.getInt("sipcharge.cdf.committer-threads", 2);
        maxBatch = config.getInt("sipcharge.cdf.max-batch", 256);
        int maxQueued = config.getInt("sipcharge.cdf.max-queued-acrs", 10_000);
        sessionCacheSize = config.getInt("sipcharge.cdf.session-cache", 20_000);
        writer = accounting.writer();
        @SuppressWarnings("unchecked")
        BlockingQueue<Pending>[] q = new BlockingQueue[Math.max(1, committers)];
        for (int i = 0; i < q.length; i++) {
            q[i] = new ArrayBlockingQueue<>(Math.max(1, maxQueued / q.length));
        }
        queues = q;
        running = true;
        for (int i = 0; i < q.length; i++) {
            BlockingQueue<Pending> mine = q[i];
            // In an invocation of its own: the committer's connections must not join this singleton's resources.
            Thread t = threadFactory.newThread(() -> {
                try {
                    dedicated.run(() -> commitLoop(mine));
                } catch (RuntimeException e) {
                    // Its ACRs go unanswered; the CTFs time out and retransmit them to their other CDF.
                    LOG.log(Level.SEVERE, "CDF-014 committer " + Thread.currentThread().getName() + " stopped: " + e, e);
                }
            });
            t.setName("sipcharge-cdf-committer-" + i);
            t.start();
        }
        Set<String> allowed = peers(config.get("sipcharge.cdf.allowed-peers", ""));
        try {
            LocalIdentity identity = new LocalIdentity(originHost, realm, InetAddress.getByName(host),
                    DiameterConstants.VENDOR_3GPP, "sipcharge-cdf", 1, (int) (System.currentTimeMillis() / 1000),
                    Set.of((long) DiameterConstants.APP_BASE_ACCOUNTING));
            List<String> addresses = new ArrayList<>();
            if (config.getBoolean("sipcharge.cdf.plain-tcp", true)) {
                server = new DiameterServer(identity, new InetSocketAddress(host, port), threadFactory, this::handle,
                        ServerOptions.defaults().withAllowedPeers(allowed));
                server.start();
                addresses.add(host + ":" + server.localPort());
            }
            int tlsPort = config.getInt("sipcharge.cdf.tls.listen-port", 0);
            if (tlsPort > 0) {
                // Per peer: a peer listed only in tls.allowed-peers can connect over TLS and not over plain TCP.
                Set<String> tlsAllowed = peers(config.get("sipcharge.cdf.tls.allowed-peers", ""));
                SSLContext tls = TlsContexts.fromKeyStores(Path.of(config.get("sipcharge.cdf.tls.keystore", "")),
                        config.get("sipcharge.cdf.tls.keystore-password", "").toCharArray(),
                        Path.of(config.get("sipcharge.cdf.tls.truststore", "")),
                        config.get("sipcharge.cdf.tls.truststore-password", "").toCharArray());
                tlsServer = new DiameterServer(identity, new InetSocketAddress(host, tlsPort), threadFactory, this::handle,
                        ServerOptions.defaults().withAllowedPeers(tlsAllowed).withTls(tls));
                tlsServer.start();
                addresses.add("tls " + host + ":" + tlsServer.localPort());
            }
            if (addresses.isEmpty()) {
                throw new IllegalStateException("no listener configured: sipcharge.cdf.plain-tcp=false and no sipcharge.cdf.tls.listen-port");
            }
            listenAddress = String.join(", ", addresses);
            LOG.log(Level.INFO, "CDF-002 CDF listening for Diameter Rf on {0} as {1} (realm {2}), Acct-Interim-Interval {3} s",
                    new Object[]{listenAddress, originHost, realm, interimSeconds});
        } catch (Exception e) {
            startError = e.toString();
            LOG.log(Level.SEVERE, "CDF-003 CDF listener could not start on " + host + ":" + port
                    + " (port in use? set sipcharge.cdf.listen-port; TLS key stores readable?): " + e.getMessage(), e);
            stop();
        }
    }

    private static Set<String> peers(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(p -> !p.isEmpty()).collect(Collectors.toSet());
    }

    @PreDestroy
    void stop() {
        running = false;
        for (DiameterServer s : new DiameterServer[]{server, tlsServer}) {
            if (s != null) {
                s.stop();
            }
        }
        if (server != null || tlsServer != null) {
            LOG.info("CDF-004 CDF listener stopped");
        }
        server = null;
        tlsServer = null;
    }

    CompletionStage<DiameterMessage> handle(DiameterMessage request, PeerInfo peer) {
        received.incrementAndGet();
        if (request.commandCode() != DiameterConstants.CMD_ACCOUNTING) {
            return CompletableFuture.completedFuture(count(Answers.error(request, DiameterConstants.RESULT_COMMAND_UNSUPPORTED,
                    null, "only ACR is served here", originHost, realm)));
        }
        // Validation is cheap and runs here; commits block, so validated ACRs go to the committer threads, which
        // commit many at once (group commit) and answer each only after its batch committed.
        AccountingRequest parsed;
        try {
            // The base, accounting and TS 32.299 Rf dictionary: 5001 for an unknown AVP with the M bit, 3009 for bad
            // flag bits, 5004 / 5014 for bad values and lengths, 5005 for a missing AVP (the ACR's required AVPs of
            // RFC 6733 9.7.1 are in the dictionary's command definition), each with Failed-AVP.
            DictionaryValidator.validate(request);
            parsed = RfMessageMapper.fromAcr(request);
        } catch (DiameterProtocolException e) {
            return CompletableFuture.completedFuture(count(Answers.error(request, e.resultCode(), e.failedAvp(), e.getMessage(), originHost, realm)));
        }
        Pending p = new Pending(request, parsed, new CompletableFuture<>());
        if (!queues[Math.floorMod(parsed.sessionId().hashCode(), queues.length)].offer(p)) {
            // RFC 6733 7.1.3 DIAMETER_TOO_BUSY: the CTF retries, possibly at another CDF.
            busyAnswers.incrementAndGet();
            return CompletableFuture.completedFuture(count(Answers.error(request, DiameterConstants.RESULT_TOO_BUSY, null,
                    "CDF queue full", originHost, realm)));
        }
        return p.answer().thenApply(this::count);
    }

    private void commitLoop(BlockingQueue<Pending> queue) {
        List<Pending> batch = new ArrayList<>(maxBatch);
        // The open sessions this committer wrote (all of a session's ACRs come here): their next records need no query.
        CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(Math.max(0, sessionCacheSize / queues.length));
        while (running) {
            try {
                Pending first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                commit(batch, cache);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "CDF-011 committer failed; its ACRs are answered 3004 so that the CTF retries", e);
                for (Pending p : batch) {
                    p.answer().complete(Answers.error(p.acr(), DiameterConstants.RESULT_TOO_BUSY, null, "CDF error", originHost, realm));
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch, CdfRecordWriter.SessionCache cache) {
        List<AccountingRequest> requests = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            requests.add(p.request());
        }
        List<AccountingOutcome> outcomes;
        try {
            try {
                outcomes = writeGroup(requests, cache);
            } catch (CdfRecordWriter.StaleGroupException stale) {
                // A session of the group changed elsewhere (another CDF on the database, the supervision) or a first
                // record was a copy of one stored before: read everything fresh and write the group again.
                cache.forget(requests);
                groupsReadAgain.incrementAndGet();
                LOG.log(Level.FINE, "CDF-013 group of " + batch.size() + " ACRs written again with its sessions read fresh: "
                        + stale.getMessage());
                outcomes = writeGroup(requests, null);
            }
            batches.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
            cache.forget(requests);
            groupsOneByOne.incrementAndGet();
            // One bad record (or a racing duplicate on the unique key) fails the whole group: commit one by one so
            // that only the guilty one is refused.
            LOG.log(Level.FINE, "CDF-012 group commit of " + batch.size() + " ACRs failed, committing them one by one", e);
            for (Pending p : batch) {
                DiameterMessage answer = processOne(p.acr(), p.request());
                WriteBatch.run(() -> p.answer().complete(answer));
            }
            return;
        }
        boolean kick = false;
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            AccountingOutcome outcome = outcomes.get(i);
            counted(p.request(), outcome);
            if (outcome != AccountingOutcome.DUPLICATE && writer.mayCloseRecord(p.request())) {
                kick = true;
            }
        }
        // All answers of the group leave together: one write per connection, not one TCP segment per ACA.
        WriteBatch.run(() -> {
            for (Pending p : batch) {
                p.answer().complete(RfMessageMapper.answer(p.acr(), originHost, realm, interimSeconds));
            }
        });
        if (kick) {
            outbox.kick();
        }
    }

    /** One group on one local transaction: committed when this returns, rolled back when it throws. */
    private List<AccountingOutcome> writeGroup(List<AccountingRequest> requests, CdfRecordWriter.SessionCache cache)
            throws SQLException {
        return LocalTransaction.run(dataSource, c -> writer.write(c, requests, nodeId, cache));
    }

    /** Records one ACR in its own transaction; 2001 only after the commit, 4002 when the commit fails. */
    private DiameterMessage processOne(DiameterMessage acr, AccountingRequest request) {
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
        counted(request, outcome);
        if (outcome != AccountingOutcome.DUPLICATE && writer.mayCloseRecord(request)) {
            outbox.kick();
        }
        return RfMessageMapper.answer(acr, originHost, realm, interimSeconds);
    }

    private void counted(AccountingRequest request, AccountingOutcome outcome) {
        if (outcome == AccountingOutcome.DUPLICATE) {
            duplicates.incrementAndGet();
            if (!request.retransmission()) {
                duplicatesUnflagged.incrementAndGet();
                LOG.log(Level.WARNING, "CDF-023 {0} record {1} of session {2} from {3} was recorded before and came again without "
                        + "the T flag: the CTF assigned the number twice, or this is the original arriving after its own retransmission was "
                        + "recorded (a CDF that answered later than the CTF's timeout) (answered 2001, nothing stored again)",
                        new Object[]{request.type(), request.recordNumber(), request.sessionId(), request.originHost()});
            }
            return;
        }
        recordedByType.get(request.type()).incrementAndGet();
        if (outcome == AccountingOutcome.RECORDED_OUT_OF_SEQUENCE) {
            outOfSequence.incrementAndGet();
            LOG.log(Level.WARNING, "CDF-022 {0} record {1} of session {2} from {3} does not follow the last record of the session: "
                    + "a record before it is missing or late", new Object[]{request.type(), request.recordNumber(),
                    request.sessionId(), request.originHost()});
        }
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
        return server != null || tlsServer != null;
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

    /** Group commits done since start (received / batches = ACRs per commit). */
    public long batches() {
        return batches.get();
    }

    /** Groups written a second time with their sessions read fresh (CDF-013). */
    public long groupsReadAgain() {
        return groupsReadAgain.get();
    }

    /** Groups that failed as a whole and were committed one by one (CDF-012). */
    public long groupsOneByOne() {
        return groupsOneByOne.get();
    }

    public long busyAnswers() {
        return busyAnswers.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long duplicatesWithoutRetransmissionFlag() {
        return duplicatesUnflagged.get();
    }

    /** New records whose number did not follow the session's last one (CDF-022). */
    public long outOfSequence() {
        return outOfSequence.get();
    }

    /** New records stored since start, of one Accounting-Record-Type (duplicates not counted). */
    public long recorded(AccountingRecordType type) {
        return recordedByType.get(type).get();
    }

    public long answered(long resultCode) {
        AtomicLong n = answersByResult.get(resultCode);
        return n == null ? 0 : n.get();
    }

    public long answeredTotal() {
        return answersByResult.values().stream().mapToLong(AtomicLong::get).sum();
    }
}

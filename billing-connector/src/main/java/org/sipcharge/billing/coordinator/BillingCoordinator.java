package org.sipcharge.billing.coordinator;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.sipcharge.billing.files.CdrFileExport;
import org.sipcharge.billing.files.CdrFileSettings;
import org.sipcharge.billing.files.CdrFileSink;
import org.sipcharge.billing.link.BillingLink;
import org.sipcharge.cdr.file.CdrFileWriter;
import org.sipcharge.billing.routing.BillingSystems;
import org.sipcharge.billing.routing.CdrRouter;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes exactly one billing-connector instance the coordinator, the only one that holds the legacy billing link,
 * and runs its delivery while it is. Every instance heartbeats every {@value #HEARTBEAT_KEY}; the coordinator's
 * heartbeat renews its lease in the database ({@link CoordinatorElection}, {@link JdbcLeaseStore}); when the
 * coordinator's heartbeats stop for {@value #LEASE_KEY}, another instance takes over with the next epoch, and every
 * CDR it sends carries that epoch, which the billing system checks (fencing).
 *
 * <p>Difficulty: a coordinator that gets no good answer from the billing system (ACK, NAK or PONG) for
 * {@value #DIFFICULTY_KEY} while it tries, or a FENCED answer, resigns; it stands again only after two leases, so
 * another instance gets the link first (it may be this instance's network that is at fault).
 *
 * <p>{@code @LocalBean}: it implements the election's listener interface, which must not become its business view.
 */
@Singleton
@Startup
@LocalBean
@DependsOn("sipcharge-charging-ejb.jar#SchemaMigrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class BillingCoordinator implements CoordinatorElection.Listener {

    public static final String ENABLED_KEY = "sipcharge.billing.coordinator.enabled";
    public static final String INSTANCE_KEY = "sipcharge.billing.instance-name";
    public static final String HEARTBEAT_KEY = "sipcharge.billing.heartbeat-interval";
    public static final String LEASE_KEY = "sipcharge.billing.lease";
    public static final String DIFFICULTY_KEY = "sipcharge.billing.difficulty-timeout";
    public static final String PING_KEY = "sipcharge.billing.ping-interval";
    static final Duration DEFAULT_HEARTBEAT = Duration.ofMillis(500);
    static final Duration DEFAULT_LEASE = Duration.ofMillis(2500);
    static final Duration DEFAULT_DIFFICULTY = Duration.ofSeconds(15);
    static final Duration DEFAULT_PING = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 250;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    private static final Logger LOG = Logger.getLogger(BillingCoordinator.class.getName());

    @Resource(lookup = "jdbc/sipcharge")
    private DataSource dataSource;


    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    private ManagedThreadFactory threads;

    @EJB
    private DedicatedInvocation invocation;

    @EJB
    private LegacyBillingForwarder forwarder;

    @EJB
    private BillingLink link;

    @EJB
    private CdrRouter router;

    @EJB
    private CdrFileExport fileExport;

    private String self;
    private JdbcLeaseStore store;
    private CoordinatorElection election;
    /** Renews the lease; a thread of its own, so that no other work on a shared executor can make it late. */
    private Thread heartbeat;
    private String queue;
    private String fileQueue;
    private CdrFileWriter.Settings fileSettings;
    private volatile String fileState = "not writing (not coordinator)";
    private Duration difficulty;
    private Duration ping;
    private volatile boolean stopping;
    private volatile Thread worker;
    private volatile Thread fileWorker;
    private volatile String linkState = "idle (not coordinator)";
    private final AtomicLong elections = new AtomicLong();
    private final AtomicLong resignations = new AtomicLong();
    private final Object pacing = new Object();

    @PostConstruct
    void start() {
        Config config = ConfigProvider.getConfig(BillingCoordinator.class.getClassLoader());
        self = config.getOptionalValue(INSTANCE_KEY, String.class).map(String::trim).filter(s -> !s.isEmpty())
                .orElseGet(BillingCoordinator::defaultInstanceName);
        BillingSystems systems = router.systems();
        String fileSystem = CdrFileSettings.system(config);
        if (fileSystem != null && !systems.names().contains(fileSystem)) {
            throw new IllegalStateException("BIL-070 " + CdrFileSettings.SYSTEM_KEY + "=" + fileSystem + " is not one of "
                    + BillingSystems.SYSTEMS_KEY + "=" + systems.names());
        }
        if (fileSystem != null && fileSystem.equals(systems.legacy())) {
            throw new IllegalStateException("BIL-070 " + CdrFileSettings.SYSTEM_KEY + "=" + fileSystem
                    + " is the legacy link's system; give the files a billing system of their own");
        }
        if (!config.getOptionalValue(ENABLED_KEY, Boolean.class).orElse(true) || (systems.legacy() == null && fileSystem == null)) {
            LOG.info(() -> "BIL-040 " + self + " takes no part in the billing coordinator election ("
                    + (systems.legacy() == null ? "no legacy billing system and no CDR files" : ENABLED_KEY + "=false") + ")");
            return;
        }
        queue = systems.legacy() == null ? null : BillingSystems.queueOf(systems.legacy());
        if (fileSystem != null) {
            fileQueue = BillingSystems.queueOf(fileSystem);
            fileSettings = CdrFileSettings.writerSettings(config);
            LOG.info(() -> "BIL-076 CDRs of " + fileSystem + " go to TS 32.297 files in " + fileSettings.directory()
                    + " (written by the coordinator)");
        }
        Duration hb = duration(config, HEARTBEAT_KEY, DEFAULT_HEARTBEAT);
        Duration lease = duration(config, LEASE_KEY, DEFAULT_LEASE);
        difficulty = duration(config, DIFFICULTY_KEY, DEFAULT_DIFFICULTY);
        ping = duration(config, PING_KEY, DEFAULT_PING);
        store = new JdbcLeaseStore(dataSource);
        election = new CoordinatorElection(self, store, lease.toNanos(), hb.toNanos(), this);
        long beatMillis = hb.toMillis();
        heartbeat = threads.newThread(() -> dedicated("heartbeat", () -> {
            while (!stopping) {
                long t0 = System.nanoTime();
                beat();
                pauseHeartbeat(beatMillis - (System.nanoTime() - t0) / 1_000_000);
            }
        }));
        heartbeat.setName("sipcharge-billing-heartbeat");
        heartbeat.start();
        LOG.info(() -> "BIL-040 " + self + " stands for billing coordinator (heartbeat " + hb.toMillis() + " ms, lease "
                + lease.toMillis() + " ms; " + (queue == null ? "no legacy link" : "legacy link " + link.address() + " fed from " + queue)
                + (fileQueue == null ? "" : "; CDR files fed from " + fileQueue) + ")");
    }

    static String defaultInstanceName() {
        String instance = System.getProperty("com.sun.aas.instanceName", "server");
        try {
            return instance + "@" + InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return instance;
        }
    }

    private static Duration duration(Config config, String key, Duration dflt) {
        String v = config.getOptionalValue(key, String.class).map(String::trim).orElse(dflt.toString());
        try {
            Duration d = Duration.parse(v);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalStateException("BIL-040 configuration " + key + "=" + v + " must be positive");
            }
            return d;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalStateException("BIL-040 configuration " + key + "=" + v + " is not an ISO-8601 duration such as PT0.5S", e);
        }
    }

    /** Runs a thread's loop in an invocation of its own ({@link DedicatedInvocation}: its connections stay out of this singleton's). */
    private void dedicated(String what, Runnable loop) {
        try {
            invocation.run(loop);
        } catch (RuntimeException e) {
            // While the application stops, the container may refuse the call: the loop had nothing left to do.
            LOG.log(stopping ? Level.FINE : Level.SEVERE, "BIL-053 billing coordinator " + what + " stopped: " + e, e);
        }
    }

    private void beat() {
        try {
            election.tick(System.nanoTime());
            long e = election.epoch();
            store.memberBeat(self, e > 0 ? "coordinator" : "standby", e);
        } catch (LeaseStore.LeaseStoreException e) {
            LOG.log(Level.FINE, "member heartbeat not recorded", e);
        } catch (RuntimeException e) {
            // Never let an exception cancel the periodic heartbeat.
            LOG.log(Level.WARNING, "BIL-049 heartbeat failed: {0}", e.toString());
        }
    }

    @Override
    public void elected(long epoch) {
        elections.incrementAndGet();
        if (queue != null) {
            Thread t = threads.newThread(() -> dedicated("link worker", () -> work(epoch)));
            t.setName("sipcharge-billing-coordinator-epoch-" + epoch);
            worker = t;
            t.start();
        }
        if (fileQueue != null) {
            Thread f = threads.newThread(() -> dedicated("file worker", () -> exportFiles(epoch)));
            f.setName("sipcharge-cdr-files-epoch-" + epoch);
            fileWorker = f;
            f.start();
        }
    }

    /** The coordinator's CDR file loop for one epoch: the queue of the file system into TS 32.297 files. */
    private void exportFiles(long epoch) {
        CdrFileSink sink = null;
        long backoff = 100;
        try {
            while (!stopping && election.epoch() == epoch) {
                if (election.deliveryEpoch(System.nanoTime()) != epoch) {
                    pause(POLL_MILLIS); // a late renewal: the epoch is still ours, writing waits for the next one
                    continue;
                }
                try {
                    if (sink == null) {
                        sink = new CdrFileSink(fileSettings, java.time.Clock.systemUTC());
                        LOG.info("BIL-077 writing CDR files in " + fileSettings.directory() + " under epoch " + epoch);
                    }
                    CdrFileExport.Result r = fileExport.exportOne(fileQueue, sink,
                            () -> election.deliveryEpoch(System.nanoTime()) == epoch ? epoch : 0, POLL_MILLIS);
                    if (r == CdrFileExport.Result.IDLE) {
                        sink.tick();
                    }
                    backoff = 100;
                    fileState = "writing to " + sink.directory() + " (" + sink.written() + " CDRs this epoch, "
                            + sink.filesClosed() + " files closed)";
                } catch (IOException e) {
                    fileState = "error: " + e.getMessage();
                    LOG.log(Level.WARNING, "BIL-078 CDR file export failed, retrying: {0}", e.toString());
                    sink = closeQuietly(sink);
                    pause(backoff);
                    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                } catch (RuntimeException e) {
                    fileState = "error: " + e.getMessage();
                    LOG.log(Level.WARNING, "BIL-078 CDR file export failed, retrying: {0}", e.toString());
                    pause(backoff);
                    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                }
            }
        } finally {
            closeQuietly(sink);
            fileState = "not writing (not coordinator)";
        }
    }

    private static CdrFileSink closeQuietly(CdrFileSink sink) {
        if (sink != null) {
            try {
                sink.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "BIL-078 closing the CDR file failed (the next writer recovers it): {0}", e.toString());
            }
        }
        return null;
    }

    @Override
    public void deposed(long epoch, String why) {
        linkState = "idle (not coordinator: " + why + ")";
        synchronized (pacing) {
            pacing.notifyAll();
        }
    }

    /** The coordinator's delivery loop for one epoch; ends when the epoch is no longer this instance's. */
    private void work(long epoch) {
        LOG.info(() -> "BIL-060 delivering from " + queue + " to the billing system at " + link.address() + " under epoch " + epoch);
        long lastGood = System.nanoTime();
        long lastTraffic = lastGood;
        long backoff = 100;
        linkState = "connecting";
        try {
            // The loop lasts as long as the epoch is this instance's; while a renewal is late (the delivery window
            // closed but the lease not lost), it waits instead of ending: a renewal that comes back does not elect
            // anew, so an ended loop would leave the coordinator holding the role without delivering.
            while (!stopping && election.epoch() == epoch) {
                if (election.deliveryEpoch(System.nanoTime()) != epoch) {
                    linkState = "waiting (lease renewal late)";
                    pause(POLL_MILLIS);
                    continue;
                }
                try {
                    LegacyBillingForwarder.Result r = forwarder.forwardBatch(queue,
                            () -> election.deliveryEpoch(System.nanoTime()) == epoch ? epoch : 0, POLL_MILLIS);
                    long now = System.nanoTime();
                    switch (r) {
                        case DELIVERED -> {
                            lastGood = now;
                            lastTraffic = now;
                            backoff = 100;
                            linkState = "up";
                        }
                        case IDLE -> {
                            if (now - lastTraffic >= ping.toNanos()) {
                                link.ping();
                                lastGood = now;
                                lastTraffic = now;
                                linkState = "up";
                            }
                        }
                        case FENCED -> {
                            resignations.incrementAndGet();
                            election.resign(now, "the billing system refused epoch " + epoch + " (a newer coordinator exists)");
                        }
                        case NOT_COORDINATOR -> {
                            // The window closed during the attempt: the loop waits or ends on its condition.
                        }
                    }
                } catch (IOException e) {
                    long now = System.nanoTime();
                    linkState = "down: " + e.getMessage();
                    if (now - lastGood >= difficulty.toNanos()) {
                        resignations.incrementAndGet();
                        election.resign(now, "no answer from the billing system for " + (now - lastGood) / 1_000_000
                                + " ms (" + DIFFICULTY_KEY + "): " + e.getMessage());
                        break;
                    }
                    pause(backoff);
                    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                } catch (RuntimeException e) {
                    // The broker or a transaction, not the link: retry without resigning (another instance would fare no better).
                    LOG.log(Level.WARNING, "BIL-061 coordinator delivery attempt failed, retrying: {0}", e.toString());
                    pause(backoff);
                    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                }
            }
        } finally {
            link.disconnect();
            LOG.info(() -> "BIL-062 delivery under epoch " + epoch + " ended; the link is closed");
        }
    }

    private final Object heartbeatPacing = new Object();

    private void pauseHeartbeat(long millis) {
        waitOn(heartbeatPacing, millis);
    }

    private void pause(long millis) {
        waitOn(pacing, millis);
    }

    /** Waits on a pacing monitor (stop() wakes it); an interrupt means the loop is to end. Nothing to wait: returns. */
    private void waitOn(Object monitor, long millis) {
        if (millis <= 0) {
            return; // Object.wait(0) would wait for ever
        }
        synchronized (monitor) {
            try {
                monitor.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        synchronized (heartbeatPacing) {
            heartbeatPacing.notifyAll();
        }
        if (election != null) {
            election.shutdown();
        }
        synchronized (pacing) {
            pacing.notifyAll();
        }
        for (Thread t : new Thread[]{worker, fileWorker, heartbeat}) {
            if (t != null) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        link.disconnect();
    }

    /** The coordinator as this instance sees it. */
    public record View(String self, boolean participating, boolean coordinator, long epoch, String holder, long holderEpoch,
                       String linkState, long elections, long resignations, String storeError,
                       List<JdbcLeaseStore.Member> members, String fileState) {
    }

    private record StoreView(LeaseStore.Lease lease, List<JdbcLeaseStore.Member> members) {
    }

    public View view() {
        if (election == null) {
            return new View(self, false, false, 0, null, 0, "not participating", 0, 0, null, List.of(), "not participating");
        }
        long e = election.epoch();
        String holder;
        long holderEpoch;
        String storeError = election.lastStoreError();
        List<JdbcLeaseStore.Member> members = List.of();
        try {
            // In an invocation of its own: concurrent status requests would otherwise add and remove their connections
            // on the singleton's one resource list (see DedicatedInvocation).
            StoreView read = invocation.call(() -> new StoreView(store.read(), store.members()));
            holder = read.lease().holder();
            holderEpoch = read.lease().epoch();
            members = read.members();
        } catch (LeaseStore.LeaseStoreException ex) {
            LeaseStore.Lease last = election.lastRead();
            holder = e > 0 ? self : last == null ? null : last.holder();
            holderEpoch = e > 0 ? e : last == null ? 0 : last.epoch();
            storeError = ex.getMessage();
        }
        return new View(self, true, e > 0, e, holder, holderEpoch, e > 0 ? linkState : "idle (not coordinator)",
                elections.get(), resignations.get(), storeError, members, fileQueue == null ? "no CDR files configured" : fileState);
    }
}

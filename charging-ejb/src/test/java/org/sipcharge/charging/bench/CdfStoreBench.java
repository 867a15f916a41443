package org.sipcharge.charging.bench;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.sipcharge.charging.application.internal.CdfRecordWriter;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.cdr.Cdr;
import org.sipcharge.charging.domain.model.cdr.PartialRecordPolicy;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CDF's store without Payara, Diameter or JMS around it: the product's {@link CdfRecordWriter} on committer threads
 * (groups of START and STOP, one commit each, as the CDF's committers write them) and the outbox relay's read and
 * marking ({@link Cdr#lockUnpublished}, {@link Cdr#markPublished}) on a thread of its own, against an H2 file migrated
 * by the product's Flyway scripts with the product's URL settings ({@code WRITE_DELAY=0}). Prints, per round, ACRs per
 * second, CPU per ACR (the committers' threads and the whole JVM) and the database file's size; then how fast the relay
 * drains a backlog left while it was stopped (as after a broker outage).
 *
 * <pre>bench/cdf-store.sh [rounds 4] [sessions per round 60000] [committers 2] [ACRs per commit 100] [backlog 40000]
 *     [H2 URL settings WRITE_DELAY=0]</pre>
 *
 * Limits: no broker send (the relay's JMS part), no Diameter, no JIT or GC pressure from the application server: the
 * figures are the store's share of the CDF's cost, its floor, not the product's throughput (bench/cdf-load.sh).
 */
public final class CdfStoreBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int RELAY_BATCH = 200;
    /** Flyway logs every migration at INFO; held here so that the level stays set. */
    private static final java.util.logging.Logger FLYWAY = java.util.logging.Logger.getLogger("org.flywaydb");

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 60_000;
        int committers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int group = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int backlog = args.length > 4 ? Integer.parseInt(args[4]) : 40_000;
        String settings = args.length > 5 ? args[5] : "WRITE_DELAY=0";
        Path dir = Files.createTempDirectory(Path.of("target"), "cdf-store-bench");
        File file = dir.resolve("sipcharge.mv.db").toFile();
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:" + dir.toAbsolutePath().resolve("sipcharge") + ";" + settings);
        FLYWAY.setLevel(java.util.logging.Level.WARNING);
        Flyway.configure().dataSource(db).locations("classpath:db/migration/h2").load().migrate();
        try (Connection keepOpen = db.getConnection()) {
            System.out.printf("%d committers, %d ACRs per commit, relay batches of %d, H2 file %s (%s), %d cores%n",
                    committers, group, RELAY_BATCH, file, settings, Runtime.getRuntime().availableProcessors());
            Relay relay = new Relay(db);
            relay.start();
            for (int round = 0; round < rounds; round++) {
                long cpu0 = processCpu();
                long t0 = System.nanoTime();
                long[] result = commit(db, "r" + round, sessions, committers, group, relay::kick);
                double seconds = (System.nanoTime() - t0) / 1e9;
                relay.waitEmpty();
                long acrs = result[0];
                System.out.printf("round %d: %,d ACRs in %.2f s = %,.0f ACR/s; CPU per ACR: committers %.1f us, whole JVM "
                                + "(relay, GC, JIT included) %.1f us; %.1f ACRs per commit; file %,d MB%n", round, acrs,
                        seconds, acrs / seconds, result[1] / 1e3 / acrs, (processCpu() - cpu0) / 1e3 / acrs,
                        (double) acrs / result[2], file.length() >> 20);
            }
            relay.stop();
            commit(db, "backlog", backlog, committers, group, () -> { });
            long t0 = System.nanoTime();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long drained = Relay.drain(db);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("relay draining a backlog of %,d CDRs (no broker): %,.0f CDR/s, %.1f us of CPU per CDR%n",
                    drained, drained / seconds, (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / drained);
        }
    }

    /** @return ACRs written, committer CPU (ns), commits */
    private static long[] commit(JdbcDataSource db, String run, int sessions, int committers, int group,
                                 Runnable afterCommit)
            throws InterruptedException {
        AtomicLong acrs = new AtomicLong(), cpu = new AtomicLong(), commits = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < committers; t++) {
            String prefix = "bench;" + run + "-" + t + ";";
            int mine = sessions / committers;
            Thread thread = new Thread(() -> {
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                try (Connection c = db.getConnection()) {
                    c.setAutoCommit(false);
                    CdfRecordWriter writer = new CdfRecordWriter(PartialRecordPolicy.NONE);
                    CdfRecordWriter.SessionCache cache = new CdfRecordWriter.SessionCache(10_000);
                    // Each group: the STOPs of the sessions the previous group started, and new STARTs (steady state).
                    List<String> open = List.of();
                    int next = 0;
                    while (next < mine || !open.isEmpty()) {
                        Instant now = Instant.now();
                        List<AccountingRequest> requests = new ArrayList<>(group);
                        for (String s : open) {
                            requests.add(request(s, AccountingRecordType.STOP, 1, now));
                        }
                        List<String> started = new ArrayList<>();
                        for (; started.size() < group / 2 && next < mine; next++) {
                            String s = prefix + next;
                            requests.add(request(s, AccountingRecordType.START, 0, now));
                            started.add(s);
                        }
                        writer.write(c, requests, "cdf-bench", cache);
                        c.commit();
                        afterCommit.run();
                        acrs.addAndGet(requests.size());
                        commits.incrementAndGet();
                        open = started;
                    }
                } catch (SQLException | RuntimeException e) {
                    failed.set(true);
                    e.printStackTrace();
                }
                cpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
            }, "committer-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failed.get()) {
            throw new IllegalStateException("a committer failed (above)");
        }
        return new long[]{acrs.get(), cpu.get(), commits.get()};
    }

    private static AccountingRequest request(String session, AccountingRecordType type, int number, Instant now) {
        return new AccountingRequest(session, "ctf.bench.test", type, number, false, session + "@bench",
                "sip:alice@bench.test", "sip:bob@bench.test", now, now, now, 0);
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The outbox relay's database part, woken after each commit as the product's relay is ({@link #kick}); each wake-up
     * drains until a batch comes back empty.
     */
    private static final class Relay {
        private static final long CATCH_UP_DEADLINE_NANOS = 600_000_000_000L;

        private final JdbcDataSource db;
        private final Object lock = new Object();
        private boolean kicked;
        private boolean stopping;
        /** Drains begun so far, and the number of the last one that ended with the outbox empty. */
        private long drainsBegun;
        private long emptyAfterDrain;
        private Exception failure;
        private Thread thread;

        Relay(JdbcDataSource db) {
            this.db = db;
        }

        void start() {
            thread = new Thread(this::run, "relay");
            thread.start();
        }

        void kick() {
            synchronized (lock) {
                kicked = true;
                lock.notifyAll();
            }
        }

        private void run() {
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                while (true) {
                    long drain;
                    synchronized (lock) {
                        while (!kicked && !stopping) {
                            lock.wait();
                        }
                        if (stopping) {
                            return;
                        }
                        kicked = false;
                        drain = ++drainsBegun;
                    }
                    drainAll(c);
                    synchronized (lock) {
                        emptyAfterDrain = drain;
                        lock.notifyAll();
                    }
                }
            } catch (SQLException | InterruptedException e) {
                synchronized (lock) {
                    failure = e;
                    lock.notifyAll();
                }
            }
        }

        /**
         * Returns when a drain begun after this call (so after every commit made before it) found the outbox empty;
         * throws when the relay failed or did not get there within the deadline.
         */
        void waitEmpty() throws InterruptedException {
            long deadline = System.nanoTime() + CATCH_UP_DEADLINE_NANOS;
            synchronized (lock) {
                kicked = true;
                lock.notifyAll();
                long target = drainsBegun + 1;
                while (emptyAfterDrain < target) {
                    if (failure != null) {
                        throw new IllegalStateException("the relay failed", failure);
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("the relay did not catch up within 10 minutes");
                    }
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        void stop() throws InterruptedException {
            synchronized (lock) {
                stopping = true;
                lock.notifyAll();
            }
            thread.join();
        }

        static long drain(JdbcDataSource db) throws SQLException {
            try (Connection c = db.getConnection()) {
                c.setAutoCommit(false);
                return drainAll(c);
            }
        }

        /** Batches until one comes back empty; @return CDRs marked */
        private static long drainAll(Connection c) throws SQLException {
            long total = 0;
            for (int n; (n = drainOnce(c)) > 0; ) {
                total += n;
            }
            return total;
        }

        private static int drainOnce(Connection c) throws SQLException {
            List<Cdr> batch = Cdr.lockUnpublished(c, RELAY_BATCH);
            if (!batch.isEmpty()) {
                Cdr.markPublished(c, batch, Instant.now());
            }
            c.commit();
            return batch.size();
        }
    }
}

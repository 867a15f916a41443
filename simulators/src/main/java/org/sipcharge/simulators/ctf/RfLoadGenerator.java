package org.sipcharge.simulators.ctf;

import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.peer.ClientOptions;
import org.sipcharge.diameter.peer.DiameterClient;
import org.sipcharge.diameter.peer.LocalIdentity;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load on a CDF: many accounting sessions (START then STOP, IMS ACRs as the product's CTF builds them) with a fixed
 * number of ACRs in flight; prints ACRs per second and answer latency. A tool for benchmarks, not a test.
 *
 * <p>{@code --records event}: each "session" is one EVENT ACR instead (a session-less SIP MESSAGE, TS 32.299 5.2.2.3:
 * Accounting-Record-Type EVENT_RECORD, number 0), so each ACR closes a CDR of its own, where START and STOP give one
 * CDR per two ACRs.
 *
 * <pre>java -cp sipcharge-simulators.jar org.sipcharge.simulators.ctf.RfLoadGenerator --port N [--host H]
 *      [--sessions 20000] [--in-flight 256] [--connections 1] [--records session|event]</pre>
 */
public final class RfLoadGenerator {

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 3868;
        int sessions = 20_000;
        int inFlight = 256;
        int connections = 1;
        boolean events = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--host" -> host = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                case "--in-flight" -> inFlight = Integer.parseInt(args[i + 1]);
                case "--connections" -> connections = Integer.parseInt(args[i + 1]);
                case "--records" -> events = switch (args[i + 1]) {
                    case "session" -> false;
                    case "event" -> true;
                    default -> throw new IllegalArgumentException("--records is session or event, not " + args[i + 1]);
                };
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<DiameterClient> clients = new ArrayList<>();
        List<Origin> origins = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            LocalIdentity id = new LocalIdentity("load-" + c + ".sipcharge.test", "sipcharge.test", InetAddress.getLoopbackAddress(),
                    0, "sipcharge-rf-load", 1, (int) (System.currentTimeMillis() / 1000), Set.of(DiameterConstants.APP_BASE_ACCOUNTING));
            DiameterClient client = new DiameterClient(id, new InetSocketAddress(host, port), "sipcharge.local", Thread::new,
                    ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(30)));
            client.start();
            clients.add(client);
            origins.add(Origin.of(id));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (clients.stream().anyMatch(c -> !c.isOpen())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no CER/CEA with " + host + ":" + port);
            }
            Thread.onSpinWait();
        }
        int total = events ? sessions : sessions * 2;
        Load load = new Load(clients, origins, sessions, events, total);
        long start = System.nanoTime();
        long cpuAtStart = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        // A closed loop of inFlight lanes: each lane starts its next session from the answer that ends its last one,
        // on the connection's reader thread, so the requests it sends there leave with the answers' write batch
        // instead of one write and one thread hand-over per request from a sending thread.
        for (int lane = 0; lane < Math.min(inFlight, sessions); lane++) {
            load.startNext(lane);
        }
        load.done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        long ok = load.ok.get();
        long failed = load.failed.get();
        long[] l = Arrays.copyOf(load.latencies, (int) Math.min(load.index.get(), total));
        Arrays.sort(l);
        System.out.printf("ACRs: %d answered 2001, %d failed, in %.1f s = %.0f ACR/s (%d in flight, %d connection(s))%n",
                ok, failed, seconds, (ok + failed) / seconds, inFlight, connections);
        System.out.printf("answer latency ms: p50 %.2f  p95 %.2f  p99 %.2f  max %.2f%n",
                pct(l, 50), pct(l, 95), pct(l, 99), l.length == 0 ? 0 : l[l.length - 1] / 1e6);
        // The generator shares the cores with the CDF: say how much of them it took.
        long cpuNanos = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L) - cpuAtStart;
        System.out.printf("generator CPU: %.1f s in %.1f s (%.0f %% of one core)%n", cpuNanos / 1e9, seconds, 100 * cpuNanos / 1e9 / seconds);
        clients.forEach(DiameterClient::stop);
        System.exit(failed == 0 ? 0 : 1);
    }

    /** The sessions still to start, and what their answers said. */
    private static final class Load {
        private final List<DiameterClient> clients;
        private final List<Origin> origins;
        private final int sessions;
        private final boolean events;
        private final long run = System.nanoTime() + (long) (Math.random() * 1e6);
        private final AtomicInteger next = new AtomicInteger();
        final CountDownLatch done;
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong index = new AtomicLong();
        final long[] latencies;

        Load(List<DiameterClient> clients, List<Origin> origins, int sessions, boolean events, int total) {
            this.clients = clients;
            this.origins = origins;
            this.sessions = sessions;
            this.events = events;
            this.done = new CountDownLatch(sessions);
            this.latencies = new long[total];
        }

        /** Starts the next session on the lane's connection, if any is left; its last answer starts the one after. */
        void startNext(int lane) {
            int s = next.getAndIncrement();
            if (s >= sessions) {
                return;
            }
            String sessionId = "load;" + run + ";" + s;
            DiameterClient client = clients.get(lane % clients.size());
            Origin origin = origins.get(lane % clients.size());
            long t0 = System.nanoTime();
            if (events) {
                client.send(acr(origin, sessionId, 1, 0)).whenComplete((a, e) -> finish(lane, record(a, e, t0)));
                return;
            }
            // START, and STOP only after START's answer (TS 32.299: ACR n+1 never before ACA n).
            client.send(acr(origin, sessionId, 2, 0)).whenComplete((a, e) -> {
                record(a, e, t0);
                long t1 = System.nanoTime();
                client.send(acr(origin, sessionId, 4, 1)).whenComplete((a2, e2) -> finish(lane, record(a2, e2, t1)));
            });
        }

        private void finish(int lane, boolean answered) {
            done.countDown();
            if (answered) {
                startNext(lane);
            } else {
                // A request that failed at once (no connection) completes on this thread: go on from another one, or a
                // lane of failures would recurse through the whole run.
                ForkJoinPool.commonPool().execute(() -> startNext(lane));
            }
        }

        /** @return whether an answer arrived (of any result code) */
        private boolean record(DiameterMessage answer, Throwable error, long t0) {
            long i = index.getAndIncrement();
            if (i < latencies.length) {
                latencies[(int) i] = System.nanoTime() - t0;
            }
            if (error == null && answer.resultCode() == 2001) {
                ok.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
            return error == null;
        }
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    /**
     * An IMS ACR as the product's CTF sends it (TS 32.299 6.3.2 and 7.2; RfMessageMapper in charging-ejb), with the
     * connection's Origin-Host and Origin-Realm (so the client need not rebuild it to add them). The AVPs that are the
     * same in every ACR are built once and the time stamps once a second: the generator shares the cores with the CDF
     * it measures, and building every AVP of every ACR afresh was a third of its CPU.
     */
    static DiameterMessage.Builder acr(Origin origin, String sessionId, int recordType, int recordNumber) {
        Instant now = Instant.now();
        Stamps stamps = Stamps.at(now);
        long v = DiameterConstants.VENDOR_3GPP;
        List<Avp> ims = new ArrayList<>(7);
        ims.add(recordType == 1 ? Fixed.EVENT_TYPE_MESSAGE : Fixed.EVENT_TYPE_INVITE);
        ims.add(Fixed.ROLE_OF_NODE);
        ims.add(Fixed.NODE_FUNCTIONALITY);
        ims.add(Avp.utf8(DiameterConstants.AVP_USER_SESSION_ID, v, true, sessionId + "@load"));
        ims.add(Fixed.CALLING);
        ims.add(Fixed.CALLED);
        ims.add(stamps.timeStamps);
        return DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, sessionId))
                .add(origin.host)
                .add(origin.realm)
                .add(Fixed.DESTINATION_REALM)
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, recordType))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, recordNumber))
                .add(Fixed.ACCT_APPLICATION_ID)
                .add(Fixed.SERVICE_CONTEXT_ID)
                .add(stamps.eventTimestamp)
                .add(Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, v, true,
                        List.of(Avp.grouped(DiameterConstants.AVP_IMS_INFORMATION, v, true, ims))));
    }

    /** Origin-Host and Origin-Realm of one connection (RFC 6733 6.3, 6.4). */
    record Origin(Avp host, Avp realm) {
        static Origin of(LocalIdentity id) {
            return new Origin(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, id.originHost()),
                    Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, id.originRealm()));
        }
    }

    /** The AVPs every ACR of the load carries unchanged. */
    private static final class Fixed {
        private static final long V = DiameterConstants.VENDOR_3GPP;
        static final Avp DESTINATION_REALM = Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "sipcharge.local");
        static final Avp ACCT_APPLICATION_ID = Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true,
                DiameterConstants.APP_BASE_ACCOUNTING);
        static final Avp SERVICE_CONTEXT_ID = Avp.utf8(DiameterConstants.AVP_SERVICE_CONTEXT_ID, 0, true,
                DiameterConstants.SERVICE_CONTEXT_ID_IMS);
        static final Avp EVENT_TYPE_MESSAGE = eventType("MESSAGE");
        static final Avp EVENT_TYPE_INVITE = eventType("INVITE");
        static final Avp ROLE_OF_NODE = Avp.unsigned32(DiameterConstants.AVP_ROLE_OF_NODE, V, true, 0);
        static final Avp NODE_FUNCTIONALITY = Avp.unsigned32(DiameterConstants.AVP_NODE_FUNCTIONALITY, V, true, 6);
        static final Avp CALLING = Avp.utf8(DiameterConstants.AVP_CALLING_PARTY_ADDRESS, V, true, "sip:alice@load.test");
        static final Avp CALLED = Avp.utf8(DiameterConstants.AVP_CALLED_PARTY_ADDRESS, V, true, "sip:bob@load.test");

        private static Avp eventType(String method) {
            return Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, V, true,
                    List.of(Avp.utf8(DiameterConstants.AVP_SIP_METHOD, V, true, method)));
        }
    }

    /** Event-Timestamp and Time-Stamps of one second (the Diameter Time type counts whole seconds, RFC 6733 4.3.1). */
    private record Stamps(long second, Avp eventTimestamp, Avp timeStamps) {
        private static volatile Stamps current = of(Instant.now());

        static Stamps at(Instant now) {
            Stamps s = current;
            if (s.second != now.getEpochSecond()) {
                s = of(now);
                current = s;
            }
            return s;
        }

        private static Stamps of(Instant now) {
            long v = DiameterConstants.VENDOR_3GPP;
            return new Stamps(now.getEpochSecond(), Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, now),
                    Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, v, true, List.of(
                            Avp.time(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, v, true, now),
                            Avp.time(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP, v, true, now))));
        }
    }
}

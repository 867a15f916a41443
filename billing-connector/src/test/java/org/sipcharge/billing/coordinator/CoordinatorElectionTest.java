package org.sipcharge.billing.coordinator;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoordinatorElectionTest {

    static final long MS = 1_000_000L;
    static final long HEARTBEAT = 500 * MS;
    static final long LEASE = 2_500 * MS;

    /** The database row, with compare-and-set writes; it can be made to fail. */
    static final class MemoryStore implements LeaseStore {
        long epoch;
        String holder;
        long beat;
        boolean down;

        void check() throws LeaseStoreException {
            if (down) {
                throw new LeaseStoreException("database unreachable", null);
            }
        }

        @Override
        public synchronized Lease read() throws LeaseStoreException {
            check();
            return new Lease(epoch, holder, beat);
        }

        @Override
        public synchronized boolean renew(String h, long e) throws LeaseStoreException {
            check();
            if (h.equals(holder) && e == epoch) {
                beat++;
                return true;
            }
            return false;
        }

        @Override
        public synchronized boolean takeOver(Lease expected, String candidate) throws LeaseStoreException {
            check();
            if (expected.equals(new Lease(epoch, holder, beat))) {
                epoch++;
                holder = candidate;
                beat = 0;
                return true;
            }
            return false;
        }

        @Override
        public synchronized boolean resign(String h, long e) throws LeaseStoreException {
            check();
            if (h.equals(holder) && e == epoch) {
                holder = null;
                return true;
            }
            return false;
        }
    }

    static final class Node implements CoordinatorElection.Listener {
        final CoordinatorElection election;
        final List<String> events = new ArrayList<>();
        boolean alive = true;
        /** Cut off from the database (a network partition between this node and the store). */
        boolean cut;
        long offset;

        Node(String name, LeaseStore store) {
            LeaseStore mine = new LeaseStore() {
                void check() throws LeaseStoreException {
                    if (cut) {
                        throw new LeaseStoreException("partitioned", null);
                    }
                }

                @Override
                public Lease read() throws LeaseStoreException {
                    check();
                    return store.read();
                }

                @Override
                public boolean renew(String holder, long epoch) throws LeaseStoreException {
                    check();
                    return store.renew(holder, epoch);
                }

                @Override
                public boolean takeOver(Lease expected, String candidate) throws LeaseStoreException {
                    check();
                    return store.takeOver(expected, candidate);
                }

                @Override
                public boolean resign(String holder, long epoch) throws LeaseStoreException {
                    check();
                    return store.resign(holder, epoch);
                }
            };
            election = new CoordinatorElection(name, mine, LEASE, HEARTBEAT, this);
        }

        @Override
        public void elected(long epoch) {
            events.add("elected " + epoch);
        }

        @Override
        public void deposed(long epoch, String why) {
            events.add("deposed " + epoch);
        }
    }

    final MemoryStore store = new MemoryStore();

    List<Node> nodes(int n) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Node node = new Node("i" + i, store);
            node.offset = i * 97 * MS; // their heartbeats do not tick in step
            nodes.add(node);
        }
        return nodes;
    }

    /** Runs the nodes from {@code from} to {@code to} in 1 ms steps; checks at every step that at most one may deliver. */
    static long run(List<Node> nodes, long from, long to) {
        for (long t = from; t < to; t += MS) {
            int delivering = 0;
            for (Node n : nodes) {
                if (n.alive && (t - n.offset) % HEARTBEAT == 0) {
                    n.election.tick(t);
                }
                if (n.alive && n.election.deliveryEpoch(t) > 0) {
                    delivering++;
                }
            }
            assertTrue(delivering <= 1, "two coordinators may deliver at " + t / MS + " ms");
        }
        return to;
    }

    static Node coordinator(List<Node> nodes, long now) {
        Node found = null;
        for (Node n : nodes) {
            if (n.alive && n.election.deliveryEpoch(now) > 0) {
                found = n;
            }
        }
        return found;
    }

    @Test
    void exactlyOneOfThreeIsElectedAndKeepsTheRole() {
        List<Node> nodes = nodes(3);
        long t = run(nodes, 0, 10_000 * MS);
        Node c = coordinator(nodes, t);
        assertTrue(c != null, "someone coordinates");
        assertEquals(1, c.election.epoch());
        assertEquals(List.of("elected 1"), c.events);
    }

    @Test
    void aKilledCoordinatorIsReplacedWithinLeasePlusTwoHeartbeatsWithAHigherEpoch() {
        List<Node> nodes = nodes(3);
        long t = run(nodes, 0, 5_000 * MS);
        Node first = coordinator(nodes, t);
        first.alive = false; // kill -9: no resignation, no more heartbeats
        long killed = t;
        long successorAt = -1;
        for (; t < killed + 10_000 * MS; t += MS) {
            run(nodes, t, t + MS);
            if (coordinator(nodes, t) != null) {
                successorAt = t;
                break;
            }
        }
        assertTrue(successorAt > 0, "a successor was elected");
        long takeover = successorAt - killed;
        assertTrue(takeover <= LEASE + 2 * HEARTBEAT, "takeover after " + takeover / MS + " ms");
        assertEquals(2, coordinator(nodes, successorAt).election.epoch());
    }

    @Test
    void aResigningCoordinatorLetsAnotherTakeOverAndDoesNotStandAgainAtOnce() {
        List<Node> nodes = nodes(3);
        long t = run(nodes, 0, 5_000 * MS);
        Node first = coordinator(nodes, t);
        first.election.resign(t, "link errors");
        assertEquals(0, first.election.deliveryEpoch(t));
        t = run(nodes, t, t + 2 * HEARTBEAT);
        Node second = coordinator(nodes, t);
        assertTrue(second != null && second != first, "another instance took over");
        assertEquals(2, second.election.epoch());
        assertEquals(List.of("elected 1", "deposed 1"), first.events);
    }

    @Test
    void aCoordinatorCutOffFromTheDatabaseStopsBeforeAnotherIsElected() {
        // A partition between the coordinator and the database only: the others still reach it and take over;
        // run() checks at every millisecond that the cut-off coordinator no longer delivers by then.
        List<Node> nodes = nodes(3);
        long t = run(nodes, 0, 5_000 * MS);
        Node first = coordinator(nodes, t);
        first.cut = true;
        long cutAt = t;
        t = run(nodes, t, t + 10_000 * MS);
        Node next = coordinator(nodes, t);
        assertTrue(next != null && next != first, "another instance coordinates");
        assertEquals(2, next.election.epoch());
        assertEquals(0, first.election.epoch(), "the cut-off coordinator gave the role up");
        assertTrue(first.events.contains("deposed 1"));
        // Healed: it sees the new holder and stays a follower.
        first.cut = false;
        t = run(nodes, t, t + 10_000 * MS);
        assertEquals(next, coordinator(nodes, t));
        assertTrue(t > cutAt);
    }

    @Test
    void aDatabaseOutageDeposesTheCoordinatorWhenItsLeaseRunsOutAndNobodyElseIsElectedMeanwhile() {
        List<Node> nodes = nodes(3);
        long t = run(nodes, 0, 5_000 * MS);
        Node first = coordinator(nodes, t);
        store.down = true;
        t = run(nodes, t, t + LEASE + HEARTBEAT);
        assertEquals(null, coordinator(nodes, t), "nobody may deliver without a lease");
        assertTrue(first.events.contains("deposed 1"), first.events.toString());
        store.down = false;
        t = run(nodes, t, t + 3 * LEASE + 2 * HEARTBEAT);
        Node next = coordinator(nodes, t);
        assertTrue(next != null, "elected again once the database is back");
        assertEquals(2, next.election.epoch());
    }

    @Test
    void randomKillsAndRestartsNeverGiveTwoCoordinatorsAndEpochsOnlyGrow() {
        Random random = new Random(42);
        List<Node> nodes = nodes(3);
        long t = 0;
        long lastEpoch = 0;
        for (int round = 0; round < 30; round++) {
            t = run(nodes, t, t + (1_000 + random.nextInt(4_000)) * MS);
            Node c = coordinator(nodes, t);
            if (c != null) {
                assertTrue(c.election.epoch() >= lastEpoch);
                lastEpoch = c.election.epoch();
                if (random.nextBoolean()) {
                    c.alive = false;
                    int i = nodes.indexOf(c);
                    Node fresh = new Node("i" + (i + 1) + "r" + round, store);
                    fresh.offset = c.offset + 13 * MS;
                    nodes.set(i, fresh);
                } else {
                    c.election.resign(t, "test");
                }
            }
        }
        assertTrue(lastEpoch >= 10, "the role moved many times: " + lastEpoch);
    }
}

package org.sipcharge.charging.infrastructure.grid;

import org.sipcharge.charging.domain.model.accounting.AccountingSessionStore;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store of a node without a grid (Payara's Hazelcast disabled): the same semantics in this JVM only. Sessions
 * do not survive the node; used so that a single server still charges, with a warning at start.
 */
public final class LocalAccountingSessionStore implements AccountingSessionStore {

    private final Map<String, ChargingSessionState> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> timers = new ConcurrentHashMap<>();
    private final String memberId = UUID.randomUUID().toString();

    @Override
    public ChargingSessionState get(String key) {
        return sessions.get(key);
    }

    @Override
    public boolean putIfAbsent(String key, ChargingSessionState state) {
        return sessions.putIfAbsent(key, ChargingSessionStateCodec.canonical(state)) == null;
    }

    @Override
    public boolean replace(String key, ChargingSessionState expected, ChargingSessionState update) {
        return sessions.replace(key, expected, ChargingSessionStateCodec.canonical(update));
    }

    @Override
    public boolean remove(String key, ChargingSessionState expected) {
        if (sessions.remove(key, expected)) {
            timers.remove(key);
            return true;
        }
        return false;
    }

    @Override
    public void schedule(String key, long dueMillis) {
        timers.put(key, dueMillis);
    }

    @Override
    public void cancel(String key) {
        timers.remove(key);
    }

    @Override
    public Collection<String> dueHere(long nowMillis) {
        Collection<String> due = new ArrayList<>();
        timers.forEach((k, v) -> {
            if (v <= nowMillis) {
                due.add(k);
            }
        });
        return due;
    }

    @Override
    public String localMemberId() {
        return memberId;
    }

    @Override
    public boolean memberAlive(String id) {
        return memberId.equals(id);
    }

    @Override
    public String ownerOf(String key) {
        return sessions.containsKey(key) ? "local" : "";
    }

    @Override
    public int size() {
        return sessions.size();
    }

    @Override
    public int ownedHereCount() {
        return sessions.size();
    }

    @Override
    public int timersArmed() {
        return timers.size();
    }

    @Override
    public String describe() {
        return "this JVM only (no grid)";
    }
}

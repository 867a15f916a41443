package org.sipcharge.sip.b2bua.infrastructure;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.listener.EntryExpiredListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipcharge.charging.application.SipTierQuorum;
import org.sipcharge.sip.b2bua.domain.CallState;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The call store on one real Hazelcast member: calls and the memory of calls ended by a BYE. */
class HazelcastCallStoreTest {

    static HazelcastInstance hz;

    @BeforeAll
    static void startMember() {
        Config c = new Config().setClusterName("callstore-" + UUID.randomUUID());
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "none");
        c.getNetworkConfig().setPort(0).setPortAutoIncrement(false);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        c.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        c.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        hz = Hazelcast.newHazelcastInstance(c);
    }

    @AfterAll
    static void stopMember() {
        if (hz != null) {
            hz.shutdown();
        }
    }

    @Test
    void aCallEndedByAByeIsRememberedForThatByeOnlyAndForgottenAfterItsTime() throws Exception {
        HazelcastCallStore store = new HazelcastCallStore(HazelcastCallStore.configuredMap(hz, 1), hz, SipTierQuorum.NONE, 1_000);
        String key = "call-" + UUID.randomUUID();
        CountDownLatch expired = new CountDownLatch(1);
        hz.<String, String>getMap(HazelcastCallStore.ENDED_MAP_NAME).addEntryListener(
                (EntryExpiredListener<String, String>) e -> {
                    if (key.equals(e.getKey())) {
                        expired.countDown();
                    }
                }, key, false);
        store.update(key, s -> new CallState());
        assertNotNull(store.get(key));
        assertFalse(store.wasEndedBy(key, "tagA", 2), "a live call was not ended");

        store.update(key, s -> {
            store.rememberEndedBy(key, "tagA", 2);
            return null;
        });
        assertNull(store.get(key), "the call is gone");
        assertTrue(store.wasEndedBy(key, "tagA", 2), "the same BYE (From tag and CSeq) is known");
        assertFalse(store.wasEndedBy(key, "tagA", 3), "another CSeq is another request");
        assertFalse(store.wasEndedBy(key, "tagB", 2), "another From tag is another dialog side");
        assertFalse(store.wasEndedBy("call-other", "tagA", 2), "another call");

        // Hazelcast's expiry task removes the entry within seconds of its time to live and says so with an event.
        assertTrue(expired.await(15, TimeUnit.SECONDS), "the memory of the ended call expires (time to live 1 s)");
        assertFalse(store.wasEndedBy(key, "tagA", 2), "forgotten after its time");
    }
}

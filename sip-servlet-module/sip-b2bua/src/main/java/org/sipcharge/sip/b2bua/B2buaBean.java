package org.sipcharge.sip.b2bua;

import org.sipcharge.charging.application.SipTierQuorum;
import com.hazelcast.core.HazelcastInstance;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import org.sipcharge.charging.application.OfflineChargingService;
import org.sipcharge.sip.b2bua.infrastructure.HazelcastCallStore;
import org.sipcharge.sip.ra.SipContext;
import org.sipcharge.sip.ra.SipMessageListener;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import java.util.logging.Logger;

/**
 * The SIP tier's message-driven bean: the SIP resource adapter delivers every message here, on the SIP stack's
 * threads. Bean-managed transactions and no transaction at all: SIP is not transacted, and a JTA transaction
 * per message would only cost time.
 */
@MessageDriven(name = "SipB2bua", messageListenerInterface = SipMessageListener.class, activationConfig = {
        // EAR name # RAR module name (PLATFORM.md): without this binding the bean would not get SIP messages.
        @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "sipcharge#sipcharge-sip-rar")
})
@TransactionManagement(TransactionManagementType.BEAN)
public class B2buaBean implements SipMessageListener {

    private static final Logger LOG = Logger.getLogger(B2buaBean.class.getName());
    static final String CHARGING_JNDI =
            "java:app/sipcharge-charging-ejb/DefaultOfflineChargingService!org.sipcharge.charging.application.OfflineChargingService";
    static final String HAZELCAST_JNDI = "payara/Hazelcast";

    private static volatile CallStore store;
    private static volatile OfflineChargingService chargingService;
    private static long lastFailedLookup;

    private B2bua b2bua;

    private B2bua b2bua(SipContext sip) {
        if (b2bua == null || b2bua.context() != sip) {
            b2bua = new B2bua(sip, callStore(), B2buaBean::charging,
                    System.getProperty("sipcharge.b2bua.next-hop", "127.0.0.1:5070"),
                    System.getProperty("sipcharge.b2bua.next-hop-transport", "udp"),
                    System.getProperty("com.sun.aas.instanceName", "server"))
                    .withOutboundProxy(System.getProperty("sipcharge.b2bua.outbound-proxy", ""));
        }
        return b2bua;
    }

    /** The replicated call store of this application (one per JVM). */
    static CallStore callStore() {
        CallStore s = store;
        if (s == null) {
            synchronized (B2buaBean.class) {
                if (store == null) {
                    try {
                        HazelcastInstance hz = (HazelcastInstance) new InitialContext().lookup(HAZELCAST_JNDI);
                        store = new HazelcastCallStore(HazelcastCallStore.configuredMap(hz,
                                Integer.getInteger("sipcharge.grid.backup-count", 1)), hz,
                                new SipTierQuorum(Integer.getInteger("sipcharge.grid.expected-members", 0),
                                        Integer.getInteger("sipcharge.grid.das-member-port", 0)));
                    } catch (NamingException e) {
                        throw new IllegalStateException("SIP-010 Hazelcast is not available at " + HAZELCAST_JNDI
                                + " (is the Payara data grid enabled?): " + e, e);
                    }
                }
                s = store;
            }
        }
        return s;
    }

    /** The charging application, or null when it is not deployed or not started (looked up again at most once a second). */
    static OfflineChargingService charging() {
        OfflineChargingService c = chargingService;
        if (c != null) {
            return c;
        }
        // Concurrent first calls wait for one lookup instead of each seeing "not yet" (which answered 503).
        synchronized (B2buaBean.class) {
            if (chargingService != null) {
                return chargingService;
            }
            long now = System.nanoTime();
            if (lastFailedLookup != 0 && now - lastFailedLookup < 1_000_000_000L) {
                return null;
            }
            try {
                chargingService = (OfflineChargingService) new InitialContext().lookup(CHARGING_JNDI);
                return chargingService;
            } catch (NamingException e) {
                lastFailedLookup = now;
                LOG.warning("SIP-011 charging application not available at " + CHARGING_JNDI + ": " + e);
                return null;
            }
        }
    }

    @Override
    public void onRequest(RequestEvent event, SipContext sip) {
        b2bua(sip).onRequest(event);
    }

    @Override
    public void onResponse(ResponseEvent event, SipContext sip) {
        b2bua(sip).onResponse(event);
    }

    @Override
    public void onTimeout(TimeoutEvent event, SipContext sip) {
        b2bua(sip).onTimeout(event);
    }
}

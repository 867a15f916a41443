package org.sipcharge.billing.routing;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import org.sipcharge.billing.jms.CdrMessages;
import org.sipcharge.cdr.CdrJmsContract;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Takes each CDR off the inbound queue {@code sipcharge.cdr} and puts a copy on the queue of every billing system
 * the charging filtering function lets it go to. No transaction: each copy is a durable send (it returns once the
 * broker has stored the copy), and the inbound message is acknowledged only after {@code onMessage} returned, that is
 * after every copy is stored; any failure before that makes the resource adapter roll the session back, and Artemis
 * redelivers the CDR. The forward is idempotent: a copy keeps the CDF's duplicate id, so when a CDR is routed again
 * (redelivered after a failure or a crash between the copies and the acknowledgement) the broker drops the copies it
 * already has within its duplicate-id cache; beyond it, billing systems de-duplicate on the CDR id (docs/billing-jms.md,
 * "Duplicates"). It used to be one container-managed XA transaction per CDR: the inbound session and the outbound
 * one are two resources of the transaction manager, so every CDR cost a two-phase commit with Payara's transaction
 * log, and the router stayed under some 300 CDRs per second on two cores (BENCHMARKS.md).
 * <ul>
 *   <li>poison (not a CDR, undecodable, ids that disagree) goes to the dead-letter queue at once with
 *       {@code failureReason=invalid-cdr: ...}: it would fail the same way on every redelivery;</li>
 *   <li>a CDR held until a time window goes to its queue now, as a scheduled delivery for the window's opening;</li>
 *   <li>any other failure (the broker, the rules' database) rolls back: Artemis redelivers, and after its
 *       max-delivery-attempts dead-letters it (BIL-052 in the log names the cause).</li>
 * </ul>
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = CdrJmsContract.RESOURCE_ADAPTER),
        @ActivationConfigProperty(propertyName = "destination", propertyValue = CdrJmsContract.CDR_QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "useJNDI", propertyValue = "false"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "4"),
})
@TransactionManagement(TransactionManagementType.CONTAINER)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class CdrRoutingBean implements MessageListener {

    private static final Logger LOG = Logger.getLogger(CdrRoutingBean.class.getName());
    private static final String ROUTER_JNDI = "java:module/CdrRouter";

    @Resource(lookup = CdrJmsContract.CONNECTION_FACTORY_JNDI)
    private ConnectionFactory connectionFactory;

    @EJB
    private CdrRouter router;

    @PostConstruct
    void started() {
        // With CDI enabled in an EJB jar, Payara has been seen to leave @Resource fields of an MDB null
        // (PLATFORM.md, SIP trap 3): look them up then instead of failing on the first message.
        try {
            InitialContext jndi = new InitialContext();
            if (connectionFactory == null) {
                connectionFactory = (ConnectionFactory) jndi.lookup(CdrJmsContract.CONNECTION_FACTORY_JNDI);
            }
            if (router == null) {
                router = (CdrRouter) jndi.lookup(ROUTER_JNDI);
            }
        } catch (NamingException e) {
            throw new IllegalStateException("BIL-003 resources of the CDR router not found: " + e.getMessage(), e);
        }
        router.consumerStarted();
    }

    @Override
    public void onMessage(Message message) {
        CdrMessages.Checked checked;
        try {
            checked = CdrMessages.check(message);
        } catch (JMSException e) {
            router.recordError("BIL-030 cannot read a message: " + e.getMessage());
            throw new IllegalStateException("BIL-030 cannot read message from " + CdrJmsContract.CDR_QUEUE + ": " + e, e);
        }
        Instant now = Instant.now();
        try (JMSContext context = connectionFactory.createContext()) {
            if (checked.invalid() != null) {
                LOG.warning(() -> "BIL-020 invalid message on " + CdrJmsContract.CDR_QUEUE + " (cdrId " + checked.cdrId()
                        + ") moved to " + CdrJmsContract.DEAD_LETTER_QUEUE + ": " + checked.invalid());
                CdrMessages.deadLetter(context, message, checked.body(), CdrMessages.INVALID + checked.invalid());
                router.deadLettered(CdrMessages.INVALID + checked.invalid());
                return;
            }
            // Counted as each copy is stored: a CDR redelivered after a later failure is counted again (CdrRouter).
            for (String system : router.systems().names()) {
                RoutingFilter.Decision d = router.decide(system, checked, now);
                switch (d.action()) {
                    case NEVER -> router.filtered(system);
                    case IMMEDIATE -> {
                        CdrMessages.sendCopy(context, message, checked.body(), BillingSystems.queueOf(system), 0,
                                CdrJmsContract.PROP_BILLING_SYSTEM, system, CdrJmsContract.PROP_CFF_DECISION, d.why());
                        router.routed(system);
                    }
                    case HOLD -> {
                        long delay = Math.max(1, Duration.between(now, d.releaseAt()).toMillis());
                        CdrMessages.sendCopy(context, message, checked.body(), BillingSystems.queueOf(system), delay,
                                CdrJmsContract.PROP_BILLING_SYSTEM, system, CdrJmsContract.PROP_CFF_DECISION, d.why());
                        router.held(system);
                    }
                }
            }
        } catch (JMSException | JMSRuntimeException e) {
            router.recordError("BIL-052 routing of CDR " + checked.cdrId() + " failed: " + e.getMessage());
            LOG.warning(() -> "BIL-052 CDR " + checked.cdrId() + " not routed, rolled back for redelivery: " + e);
            throw new IllegalStateException("BIL-052 CDR " + checked.cdrId() + " not routed: " + e.getMessage(), e);
        }
    }
}

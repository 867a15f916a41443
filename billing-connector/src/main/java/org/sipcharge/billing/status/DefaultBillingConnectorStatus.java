package org.sipcharge.billing.status;

import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.QueueBrowser;
import org.sipcharge.billing.coordinator.BillingCoordinator;
import org.sipcharge.billing.link.BillingLink;
import org.sipcharge.billing.routing.BillingSystems;
import org.sipcharge.billing.routing.CdrRouter;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.status.BillingConnectorStatus;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

/** The billing connector's figures: counters of the link and the router, the election's view, queue backlogs. */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DefaultBillingConnectorStatus implements BillingConnectorStatus {

    /** Backlog counting stops here: beyond it the figure says "at least". */
    static final int BACKLOG_CAP = 100_000;

    @EJB
    private BillingLink link;

    @EJB
    private CdrRouter router;

    @EJB
    private BillingCoordinator coordinator;

    @Resource(lookup = CdrJmsContract.CONNECTION_FACTORY_JNDI)
    private ConnectionFactory connectionFactory;

    @Override
    public Report report() {
        BillingCoordinator.View v = coordinator.view();
        List<Member> members = new ArrayList<>();
        v.members().forEach(m -> members.add(new Member(m.instance(), m.role(), m.epoch(), m.millisSinceBeat())));
        Coordinator c = new Coordinator(v.self(), v.participating(), v.coordinator(), v.epoch(), v.holder(), v.holderEpoch(),
                v.linkState(), link.fencedCount(), v.elections(), v.resignations(), v.storeError(), members, v.fileState());
        List<BillingSystem> systems = new ArrayList<>();
        String legacy = router.systems().legacy();
        for (Map.Entry<String, CdrRouter.Figures> e : router.figures().entrySet()) {
            String queue = BillingSystems.queueOf(e.getKey());
            CdrRouter.Figures f = e.getValue();
            systems.add(new BillingSystem(e.getKey(), queue, e.getKey().equals(legacy), f.routed(), f.held(), f.filtered(), backlog(queue)));
        }
        String lastError = link.lastError() != null ? link.lastError() : router.lastError();
        return new Report(link.address(), link.isConnected(), link.delivered(), link.rejected(),
                link.deadLetteredCount() + router.deadLetteredCount(), router.isConsuming(), lastError, c, systems);
    }

    private long backlog(String queue) {
        try (JMSContext context = connectionFactory.createContext();
             QueueBrowser browser = context.createBrowser(context.createQueue(queue))) {
            Enumeration<?> e = browser.getEnumeration();
            long n = 0;
            while (e.hasMoreElements() && n < BACKLOG_CAP) {
                e.nextElement();
                n++;
            }
            return n;
        } catch (JMSException | JMSRuntimeException e) {
            return -1;
        }
    }
}

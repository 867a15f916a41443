package org.sipcharge.billing.status;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.sipcharge.billing.link.BillingLink;
import org.sipcharge.status.BillingConnectorStatus;

/** The billing connector's figures, read from the billing link's counters (no locking, no transaction). */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DefaultBillingConnectorStatus implements BillingConnectorStatus {

    @EJB
    private BillingLink link;

    @Override
    public Report report() {
        return new Report(link.address(), link.isConnected(), link.delivered(), link.rejected(),
                link.deadLetteredCount(), link.isConsuming(), link.lastError());
    }
}

package org.sipcharge.sip.b2bua;

import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import org.sipcharge.sip.ra.SipStackStatus;
import org.sipcharge.status.SipTierStatus;

/** The SIP tier's figures for the admin API, health checks and metrics. */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class DefaultSipTierStatus implements SipTierStatus {

    @Override
    public Report report() {
        SipCounters c = SipCounters.INSTANCE;
        int active;
        try {
            active = B2buaBean.callStore().size();
        } catch (RuntimeException e) {
            active = -1;
        }
        return new Report(SipStackStatus.isListening(), SipStackStatus.listenAddress(), SipStackStatus.error(),
                c.invitesReceived.get(), c.callsAnswered.get(), c.callsCompleted.get(), c.callsFailed.get(),
                c.callsCancelled.get(), c.malformedRejected.get(), active);
    }
}

package org.sipcharge.charging.application.internal;

import jakarta.ejb.EJB;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.sipcharge.charging.application.ChargingStatus;
import org.sipcharge.charging.infrastructure.diameter.CdfEndpoint;
import org.sipcharge.charging.infrastructure.diameter.RfClient;
import org.sipcharge.charging.infrastructure.jms.CdrOutboxRelay;
import org.sipcharge.charging.infrastructure.jms.CdrOutboxScheduler;

/** Collects the figures of the charging beans; reads the database outside any transaction. */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DefaultChargingStatus implements ChargingStatus {

    @EJB
    private CdfEndpoint cdf;
    @EJB
    private CdrOutboxRelay relay;
    @EJB
    private CdrOutboxScheduler outbox;
    @EJB
    private RfClient rf;
    @EJB
    private DefaultOfflineChargingService ctf;
    @EJB
    private AcrBuffer buffer;
    @EJB
    private CdfSessionSupervisor supervisor;
    @EJB
    private CdfAccountingService accounting;

    @Override
    public Report report() {
        long committed = -1;
        long backlog = -1;
        long records = -1;
        String dbError = null;
        try {
            committed = relay.committed();
            backlog = relay.backlog();
            records = accounting.recordsStored();
        } catch (RuntimeException e) {
            dbError = e.toString();
        }
        long ok = cdf.answered(2001);
        return new Report(cdf.listening(), cdf.listenAddress(), cdf.startError(), cdf.received(), ok,
                cdf.answeredTotal() - ok, cdf.duplicates(), committed, backlog, outbox.published(), outbox.healthy(),
                outbox.lastError(), dbError, rf.peerOpen(), rf.peerState(), rf.peerAddress(), ctf.acrsSent(),
                ctf.acasSuccess(), ctf.failures(), ctf.activeSessions(),
                ctf.buffered(), buffer.backlog(), ctf.retransmissions(), records, ctf.sessionFigures(),
                new CdfRecords(cdf.recorded(AccountingRecordType.START), cdf.recorded(AccountingRecordType.INTERIM),
                        cdf.recorded(AccountingRecordType.STOP), cdf.recorded(AccountingRecordType.EVENT), cdf.outOfSequence(),
                        supervisor.closed(), cdf.duplicatesWithoutRetransmissionFlag(), cdf.batches(), cdf.groupsReadAgain(),
                        cdf.groupsOneByOne()));
    }

    @Override
    public SessionView session(String sessionKey) {
        return ctf.view(sessionKey);
    }
}

package org.sipcharge.billing.coordinator;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

/**
 * Runs a loop of one of the coordinator's threads (heartbeat, link worker, file worker) in an EJB invocation of its own,
 * without a transaction.
 *
 * <p>Why: a thread made by the ManagedThreadFactory in a singleton's {@code @PostConstruct} runs with a copy of that
 * invocation, and Payara adds every connection the thread takes from a container pool (JDBC, the JMS resource adapter)
 * to the resource list it keeps for the invocation's component (JavaEETransactionManagerSimplified
 * registerComponentResource; removed again at close), a plain list without synchronisation, which a transaction begun
 * in that component's invocation iterates to enlist what it holds. Seen on an instance that then never started: DTX5001,
 * a ConcurrentModificationException in enlistComponentResources, the coordinator's @PostConstruct creating the
 * BillingLink singleton (a transaction) while the heartbeat it had just started wrote its first beat. Inside this bean's
 * invocation a loop's connections go to this stateless instance's own list, which no other thread uses while it runs.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DedicatedInvocation {

    /** Runs {@code loop} on the calling thread, in this invocation; returns when the loop does. */
    public void run(Runnable loop) {
        loop.run();
    }

    /**
     * Calls {@code work} on the calling thread, in this invocation, and returns its result: for the coordinator's
     * business methods, which many requests call at once (status), so that their connections do not share the
     * singleton's list either.
     */
    public <T, E extends Exception> T call(Work<T, E> work) throws E {
        return work.get();
    }

    /** A piece of work with a result, which may fail with a checked exception (passed on as it is). */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T get() throws E;
    }
}

package org.sipcharge.charging.infrastructure.persistence;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

/**
 * Runs a long-lived loop of a thread from the ManagedThreadFactory inside an EJB invocation of its own, without a
 * transaction.
 *
 * <p>Why: a thread made by the ManagedThreadFactory in a singleton's {@code @PostConstruct} runs with a copy of that
 * invocation, and Payara adds every connection the thread takes from a container pool to the resource list it keeps for
 * the invocation's component (JavaEETransactionManagerSimplified registerComponentResource; removed again at close),
 * a plain list without synchronisation, which a transaction begun in that component's invocation iterates to enlist
 * what it holds. Seen on an instance that then never started: DTX5001, a ConcurrentModificationException in
 * enlistComponentResources while the singleton's @PostConstruct was still running and the thread it had started was
 * taking connections. Inside this bean's invocation the loop's connections go to this stateless instance's own list,
 * which no other thread uses while the loop runs.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class DedicatedInvocation {

    /** Runs {@code loop} on the calling thread, in this invocation; returns when the loop does. */
    public void run(Runnable loop) {
        loop.run();
    }
}

package org.sipcharge.sip.ra;

import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** One running JAIN SIP stack and the endpoints it delivers to. */
final class SipStackHost implements SipListener {

    private static final Logger LOG = Logger.getLogger(SipStackHost.class.getName());
    /** JAIN SIP RI bounds the size of a message it accepts on a stream transport; beyond it the connection is closed. */
    static final int MAX_MESSAGE_SIZE = 65_536;

    private final SipStack stack;
    private final SipContext context;
    private final List<MessageEndpointFactory> endpoints = new CopyOnWriteArrayList<>();
    private final AtomicLong undelivered = new AtomicLong();
    private final ClassLoader ownLoader = SipStackHost.class.getClassLoader();

    private SipStackHost(SipStack stack, SipContext context) {
        this.stack = stack;
        this.context = context;
    }

    static SipStackHost start(SipActivationSpec spec) throws Exception {
        String host = spec.effectiveHost();
        int port = spec.effectivePort();
        String[] transports = spec.effectiveTransports();
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "sipcharge-" + host + "-" + port);
        // The B2BUA keeps dialog state itself, in the replicated store, so that any node can continue a call.
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(spec.effectiveThreads()));
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(MAX_MESSAGE_SIZE));
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        SipStack stack = factory.createSipStack(p);
        SipProvider provider = null;
        try {
            for (String t : transports) {
                ListeningPoint lp = stack.createListeningPoint(host, port, t);
                if (provider == null) {
                    provider = stack.createSipProvider(lp);
                } else {
                    provider.addListeningPoint(lp);
                }
            }
            SipContext ctx = new SipContext(provider, factory.createMessageFactory(), factory.createHeaderFactory(),
                    factory.createAddressFactory(), host, port);
            SipStackHost h = new SipStackHost(stack, ctx);
            provider.addSipListener(h);
            stack.start();
            String address = host + ":" + port + "/" + String.join(",", transports);
            SipStackStatus.listening(address);
            LOG.info("SIP-110 SIP stack listening on " + address);
            return h;
        } catch (Exception e) {
            stopStack(stack);
            throw e;
        }
    }

    void addEndpoint(MessageEndpointFactory f) {
        endpoints.add(f);
    }

    /** @return true when no endpoint is left */
    boolean removeEndpoint(MessageEndpointFactory f) {
        endpoints.remove(f);
        return endpoints.isEmpty();
    }

    void close() {
        endpoints.clear();
        stopStack(stack);
        SipStackStatus.stopped("stopped");
        LOG.info("SIP-111 SIP stack stopped");
    }

    private static void stopStack(SipStack stack) {
        try {
            stack.stop();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SIP-112 error while stopping the SIP stack", e);
        }
        // JAIN SIP's EventScannerThread (and timer threads) survive stop() and would pin the RAR's class loader
        // on every undeploy (PLATFORM.md, SIP trap 1): end them.
        ClassLoader own = SipStackHost.class.getClassLoader();
        for (Thread t : new ArrayList<>(Thread.getAllStackTraces().keySet())) {
            if (t != Thread.currentThread() && t.isAlive()
                    && (t.getName().startsWith("EventScannerThread") || t.getContextClassLoader() == own)) {
                t.interrupt();
            }
        }
    }

    private void deliver(BiConsumer<SipMessageListener, SipContext> call, Object what) {
        if (endpoints.isEmpty()) {
            undelivered.incrementAndGet();
            return;
        }
        MessageEndpointFactory f = endpoints.get(0);
        MessageEndpoint ep;
        try {
            ep = f.createEndpoint(null);
        } catch (UnavailableException e) {
            // The stack retransmits (UDP) or the peer does: dropping here is the SIP way of saying "busy".
            if (undelivered.incrementAndGet() % 100 == 1) {
                LOG.warning("SIP-120 no message-driven bean available, dropped " + what + " (" + undelivered.get() + " so far)");
            }
            return;
        }
        try {
            call.accept((SipMessageListener) ep, context);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SIP-121 the SIP message-driven bean failed on " + what, e);
        } finally {
            ep.release();
        }
    }

    @Override
    public void processRequest(RequestEvent e) {
        deliver((l, c) -> l.onRequest(e, c), e.getRequest().getMethod());
    }

    @Override
    public void processResponse(ResponseEvent e) {
        deliver((l, c) -> l.onResponse(e, c), "response " + e.getResponse().getStatusCode());
    }

    @Override
    public void processTimeout(TimeoutEvent e) {
        deliver((l, c) -> l.onTimeout(e, c), "timeout");
    }

    @Override
    public void processIOException(IOExceptionEvent e) {
        LOG.fine(() -> "SIP-130 I/O error towards " + e.getHost() + ":" + e.getPort() + "/" + e.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent e) {
        // Nothing to clean: call state lives in the replicated store, not in transactions.
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent e) {
        // Dialogs are not used (AUTOMATIC_DIALOG_SUPPORT off).
    }
}

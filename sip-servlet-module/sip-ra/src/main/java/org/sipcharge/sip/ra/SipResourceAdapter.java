package org.sipcharge.sip.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.NotSupportedException;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;

import javax.transaction.xa.XAResource;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SIP resource adapter. One JAIN SIP stack per adapter, created at the first endpoint activation (its
 * listening address comes from the activation spec) and stopped at the last deactivation.
 */
public class SipResourceAdapter implements ResourceAdapter {

    private static final Logger LOG = Logger.getLogger(SipResourceAdapter.class.getName());

    private SipStackHost host;

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        LOG.info("SIP-100 SIP resource adapter started; the stack starts with the first SIP message-driven bean");
    }

    @Override
    public synchronized void stop() {
        if (host != null) {
            SipStackHost h = host;
            host = null;
            h.close();
        }
        LOG.info("SIP-101 SIP resource adapter stopped");
    }

    @Override
    public synchronized void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        if (!(spec instanceof SipActivationSpec sipSpec)) {
            throw new NotSupportedException("SIP-003 not a SIP activation spec: " + spec);
        }
        if (host == null) {
            try {
                host = SipStackHost.start(sipSpec);
            } catch (Exception e) {
                SipStackStatus.stopped(e.getMessage());
                LOG.log(Level.SEVERE, "SIP-004 could not start the SIP stack: " + e.getMessage(), e);
                throw new ResourceAdapterInternalException("SIP-004 could not start the SIP stack: " + e.getMessage(), e);
            }
        }
        host.addEndpoint(factory);
    }

    @Override
    public synchronized void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        if (host != null && host.removeEndpoint(factory)) {
            SipStackHost h = host;
            host = null;
            h.close();
        }
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    // A resource adapter is a JavaBean compared by its configuration (JCA 2.0, 5.3.1); it has none.
    @Override
    public boolean equals(Object o) {
        return o instanceof SipResourceAdapter;
    }

    @Override
    public int hashCode() {
        return SipResourceAdapter.class.hashCode();
    }
}

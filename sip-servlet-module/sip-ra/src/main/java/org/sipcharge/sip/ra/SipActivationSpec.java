package org.sipcharge.sip.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;

import java.util.Locale;

/**
 * Activation of a SIP message-driven bean. Each property falls back to a server system property (set by
 * server-config/bin/resources.sh with asadmin create-system-properties) and then to a default, so one EAR
 * runs unchanged on every node: {@code sipcharge.sip.host} (127.0.0.1), {@code sipcharge.sip.port} (5060),
 * {@code sipcharge.sip.transports} (udp,tcp), {@code sipcharge.sip.threads} (8).
 */
public class SipActivationSpec implements ActivationSpec {

    private ResourceAdapter resourceAdapter;
    private String host;
    private String port;
    private String transports;
    private String threads;

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public String getPort() {
        return port;
    }

    public void setPort(String port) {
        this.port = port;
    }

    public String getTransports() {
        return transports;
    }

    public void setTransports(String transports) {
        this.transports = transports;
    }

    public String getThreads() {
        return threads;
    }

    public void setThreads(String threads) {
        this.threads = threads;
    }

    String effectiveHost() {
        return pick(host, "sipcharge.sip.host", "127.0.0.1");
    }

    int effectivePort() {
        return parse("port", pick(port, "sipcharge.sip.port", "5060"), 1, 65535);
    }

    int effectiveThreads() {
        return parse("threads", pick(threads, "sipcharge.sip.threads", "8"), 1, 256);
    }

    String[] effectiveTransports() {
        String[] t = pick(transports, "sipcharge.sip.transports", "udp,tcp").toLowerCase(Locale.ROOT).split("\\s*,\\s*");
        for (String s : t) {
            if (!s.equals("udp") && !s.equals("tcp")) {
                throw new IllegalArgumentException("SIP-002 unsupported SIP transport '" + s + "' (udp, tcp)");
            }
        }
        return t;
    }

    private static String pick(String explicit, String systemProperty, String dflt) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit.trim();
        }
        String p = System.getProperty(systemProperty);
        return p == null || p.isBlank() ? dflt : p.trim();
    }

    private static int parse(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value);
            if (v < min || v > max) {
                throw new IllegalArgumentException("SIP-001 " + name + " " + v + " out of range " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SIP-001 " + name + " is not a number: '" + value + "'", e);
        }
    }

    @Override
    public void validate() throws InvalidPropertyException {
        try {
            effectivePort();
            effectiveThreads();
            effectiveTransports();
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException(e.getMessage());
        }
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        this.resourceAdapter = ra;
    }
}

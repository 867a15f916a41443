package org.sipcharge.billing.link;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one TCP connection of this node to the billing system. Connected on first use and again after any error;
 * one request at a time (the protocol has no request ids beyond the CDR id, so answers are matched by order).
 * The message-driven beans share it, so the billing system sees at most one CDR in flight from this node.
 *
 * <p>Configuration (MicroProfile Config): {@value #HOST_KEY} (default {@value #DEFAULT_HOST}) and
 * {@value #PORT_KEY} (default {@value #DEFAULT_PORT}).
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class BillingLink {

    public static final String HOST_KEY = "sipcharge.billing.host";
    public static final String PORT_KEY = "sipcharge.billing.port";
    /** Local address the link binds to (optional): gives each instance its own source address towards the terminal server. */
    public static final String LOCAL_ADDRESS_KEY = "sipcharge.billing.local-address";
    /** How long to wait for the answer to one CDR or PING (ISO-8601 duration); silence beyond it is a link failure. */
    public static final String READ_TIMEOUT_KEY = "sipcharge.billing.read-timeout";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7070;
    /** How long to wait for the billing system's answer to one CDR before giving up on the connection. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Longest answer line accepted: answers are {@code ACK <id>} or {@code NAK <id> <reason>}. */
    static final int MAX_ANSWER_BYTES = 8 * 1024;

    private static final Logger LOG = Logger.getLogger(BillingLink.class.getName());

    private volatile String host;
    private volatile int port;
    private volatile String localAddress;
    private Duration readTimeout = READ_TIMEOUT;

    // Guarded by this.
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private volatile boolean connected;
    private volatile boolean consuming;
    private volatile String lastError;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong fenced = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();

    /** For the container; the address is read from MicroProfile Config at {@link #configure()}. */
    public BillingLink() {
    }

    /** For tests and tools outside the container. */
    public BillingLink(String host, int port, Duration readTimeout) {
        this.host = host;
        this.port = port;
        this.readTimeout = readTimeout;
    }

    @PostConstruct
    void configure() {
        if (host != null) {
            return;
        }
        Config config = ConfigProvider.getConfig(BillingLink.class.getClassLoader());
        host = config.getOptionalValue(HOST_KEY, String.class).map(String::trim).orElse(DEFAULT_HOST);
        String p = config.getOptionalValue(PORT_KEY, String.class).map(String::trim).orElse(Integer.toString(DEFAULT_PORT));
        try {
            port = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("BIL-002 configuration " + PORT_KEY + "=" + p + " is not a port number", e);
        }
        localAddress = config.getOptionalValue(LOCAL_ADDRESS_KEY, String.class).map(String::trim).filter(a -> !a.isEmpty()).orElse(null);
        String t = config.getOptionalValue(READ_TIMEOUT_KEY, String.class).map(String::trim).orElse(READ_TIMEOUT.toString());
        try {
            readTimeout = Duration.parse(t);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalStateException("BIL-002 configuration " + READ_TIMEOUT_KEY + "=" + t + " is not an ISO-8601 duration such as PT5S", e);
        }
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalStateException("BIL-002 configuration " + READ_TIMEOUT_KEY + "=" + t + " must be positive");
        }
        LOG.info(() -> "BIL-002 billing system at " + address() + " (" + HOST_KEY + ", " + PORT_KEY + "), answers awaited "
                + readTimeout.toMillis() + " ms (" + READ_TIMEOUT_KEY + ")");
    }

    /**
     * Sends one CDR and waits for its answer.
     *
     * @return the billing system's ACK or NAK for this CDR
     * @throws IOException when the billing system cannot be reached, does not answer in time or answers outside
     *                     the protocol; the connection has then been closed and the next call reconnects
     */
    public synchronized BillingWireProtocol.Answer deliver(String cdrId, long epoch, byte[] body) throws IOException {
        String request = BillingWireProtocol.cdrRequest(cdrId, epoch, body);
        try {
            ensureConnected();
            out.write(BillingWireProtocol.frame(request));
            out.flush();
            BillingWireProtocol.Answer answer = BillingWireProtocol.parseAnswer(readAnswer(), cdrId);
            if (answer.acknowledged()) {
                delivered.incrementAndGet();
            } else if (answer.fenced()) {
                fenced.incrementAndGet();
                lastError = "FENCED " + cdrId + ": epoch " + epoch + " is stale, the billing system has seen " + answer.highestEpoch();
            } else {
                rejected.incrementAndGet();
                lastError = "NAK " + cdrId + " " + answer.reason();
            }
            return answer;
        } catch (SocketTimeoutException e) {
            throw failed(cdrId, new SocketTimeoutException("no answer from the billing system at " + address()
                    + " within " + readTimeout.toMillis() + " ms"));
        } catch (IOException e) {
            throw failed(cdrId, e);
        } catch (RuntimeException e) {
            // Do not leave half a request on the connection.
            closeQuietly();
            throw e;
        }
    }

    /**
     * Checks the link end to end with {@code PING}/{@code PONG} (connecting first if needed): the coordinator's
     * probe while no CDR flows.
     *
     * @throws IOException when the billing system cannot be reached or does not answer {@code PONG} in time; the
     *                     connection has then been closed
     */
    public synchronized void ping() throws IOException {
        try {
            ensureConnected();
            out.write(BillingWireProtocol.frame(BillingWireProtocol.PING));
            out.flush();
            String answer = readAnswer();
            if (!BillingWireProtocol.PONG.equals(answer.endsWith("\r") ? answer.substring(0, answer.length() - 1) : answer)) {
                throw new BillingProtocolException("answer to PING: " + BillingWireProtocol.shorten(answer));
            }
        } catch (SocketTimeoutException e) {
            throw failed("(ping)", new SocketTimeoutException("no PONG from the billing system at " + address()
                    + " within " + readTimeout.toMillis() + " ms"));
        } catch (IOException e) {
            throw failed("(ping)", e);
        }
    }

    /** Closes the connection (the coordinator gave up its role, or shuts down); the next use reconnects. */
    public synchronized void disconnect() {
        if (socket != null) {
            LOG.info(() -> "BIL-013 billing link to " + address() + " closed by this node");
        }
        closeQuietly();
    }

    private IOException failed(String cdrId, IOException e) {
        closeQuietly();
        lastError = "CDR " + cdrId + ": " + e.getMessage();
        LOG.log(Level.WARNING, "BIL-012 billing link to {0} closed after an error on CDR {1}: {2}",
                new Object[]{address(), cdrId, e.toString()});
        return e;
    }

    private void ensureConnected() throws IOException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            if (localAddress != null) {
                s.bind(new InetSocketAddress(localAddress, 0));
            }
            s.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            s.setSoTimeout((int) readTimeout.toMillis());
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new IOException("cannot connect to the billing system at " + address() + ": " + e.getMessage(), e);
        }
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
        connected = true;
        LOG.info(() -> "BIL-011 billing link connected to " + address());
    }

    private String readAnswer() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the billing system at " + address() + " closed the connection");
            }
            if (b == '\n') {
                return buf.toString(StandardCharsets.UTF_8);
            }
            if (buf.size() >= MAX_ANSWER_BYTES) {
                throw new BillingProtocolException("answer line longer than " + MAX_ANSWER_BYTES + " bytes");
            }
            buf.write(b);
        }
    }

    @PreDestroy
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        connected = false;
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing after an error or at shutdown
            }
        }
    }

    /** Called once the dead-letter copy of a CDR has been committed. */
    public void deadLettered(String reason) {
        deadLettered.incrementAndGet();
        lastError = reason;
    }

    /** A message-driven bean instance exists: the consumer is bound to the resource adapter. */
    public void consumerStarted() {
        consuming = true;
    }

    /** An error outside the link itself (reading or dead-lettering a message), for the status report. */
    public void recordError(String error) {
        lastError = error;
    }

    public String address() {
        return host + ":" + port;
    }

    public boolean isConnected() {
        return connected;
    }

    public boolean isConsuming() {
        return consuming;
    }

    public long delivered() {
        return delivered.get();
    }

    public long rejected() {
        return rejected.get();
    }

    public long fencedCount() {
        return fenced.get();
    }

    public long deadLetteredCount() {
        return deadLettered.get();
    }

    public String lastError() {
        return lastError;
    }
}

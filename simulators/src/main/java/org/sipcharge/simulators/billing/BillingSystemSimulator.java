package org.sipcharge.simulators.billing;

import org.sipcharge.cdr.CdrTextCodec;
import org.sipcharge.cdr.ChargingDataRecord;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulator of the billing system at the far end of the billing connector's TCP link: it receives CDRs, records
 * each one durably in a tab-separated file and acknowledges it only afterwards. It is written to catch the
 * connector's mistakes: it checks every line's framing, base64, CDR body and id, and flags CDRs it has already
 * seen (in this run or in the file at startup) instead of silently accepting them twice.
 *
 * <p>Line protocol (UTF-8, each line terminated by {@code '\n'}, an optional {@code '\r'} before it is ignored):
 * <pre>
 *   CDR &lt;cdrId&gt; &lt;epoch&gt; &lt;base64 of the CdrTextCodec body&gt;
 *       -&gt;  ACK &lt;cdrId&gt;  |  NAK &lt;cdrId&gt; &lt;reason&gt;  |  FENCED &lt;cdrId&gt; &lt;highest epoch&gt;
 *   PING                                            -&gt;  PONG
 *   anything else                                   -&gt;  ERR unknown-command
 *   a line longer than {@link #MAX_LINE_BYTES}      -&gt;  ERR line-too-long, then the connection is closed
 * </pre>
 * The billing connector's side of this protocol is {@code org.sipcharge.billing.link.BillingWireProtocol}; this
 * class deliberately shares no code with it, so a mistake on one side shows up as a failure on the other.
 *
 * <p>Fencing: the epoch is the billing connector coordinator's token. A CDR whose epoch is below the highest one
 * seen is refused with {@code FENCED} and not recorded (a stale coordinator); the highest epoch is kept in
 * {@code <out>.epoch} (fsynced before the first ACK under a new epoch), so a restart does not forget it.
 *
 * <p>Output file: one line per accepted CDR, no header: cdrId, callingParty, calledParty, durationMillis,
 * localSequenceNumber, duplicate (true/false), epoch, recordSequenceNumber (0: a session's only record), incomplete-CDR
 * indication ({@code -}, {@code start}, {@code stop} or {@code start+stop}: which ACRs were lost). The line is
 * flushed and fsynced before the ACK is sent.
 * Gaps: {@link #gaps()} counts the local sequence numbers missing per CDF node between the lowest and the highest
 * recorded (CDRs arrive in any order, so a gap is only final once everything was delivered).
 */
public final class BillingSystemSimulator implements AutoCloseable {

    /** Longest request line accepted, terminator excluded (a CDR body is at most 16 KiB, 22 KiB in base64). */
    public static final int MAX_LINE_BYTES = 1024 * 1024;

    static final String USAGE = "usage: java -jar sipcharge-simulators.jar --port N --out FILE [--host 127.0.0.1] [--nak-every K]";

    private final String host;
    private final int port;
    private final Path out;
    private final int nakEvery;

    private final Object recordLock = new Object();
    private final Set<String> seen = new HashSet<>();
    /** Recorded local sequence numbers per CDF node (from the CDR id {@code <node>-<sequence>}), for gap counts. */
    private final java.util.Map<String, java.util.BitSet> sequences = new java.util.HashMap<>();
    private long highestEpoch;
    private Path epochFile;
    private FileChannel outChannel;
    private ServerSocket serverSocket;
    private Thread acceptor;
    private final Set<Socket> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private final AtomicLong connectionCount = new AtomicLong();
    private final AtomicLong cdrRequests = new AtomicLong();
    private final AtomicLong wellFormed = new AtomicLong();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong naks = new AtomicLong();
    private final AtomicLong fencedRequests = new AtomicLong();
    private final AtomicLong simulatedNaks = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    /**
     * @param host     address to bind (127.0.0.1 for one machine)
     * @param port     TCP port, 0 for any free port ({@link #start()} returns the one bound)
     * @param out      the records file; created if absent, appended to otherwise
     * @param nakEvery when positive, every nakEvery-th well-formed CDR is refused with
     *                 {@code NAK <id> simulated-rejection} (and not recorded), to exercise the connector's NAK path
     */
    public BillingSystemSimulator(String host, int port, Path out, int nakEvery) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (nakEvery < 0) {
            throw new IllegalArgumentException("nak-every must be >= 0: " + nakEvery);
        }
        this.host = host;
        this.port = port;
        this.out = out.toAbsolutePath();
        this.nakEvery = nakEvery;
    }

    /** Loads the ids already in the records file, binds the port and starts accepting; returns the bound port. */
    public synchronized int start() throws IOException {
        if (serverSocket != null) {
            throw new IllegalStateException("already started");
        }
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        if (Files.exists(out)) {
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            for (String line : lines) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    seen.add(line.substring(0, tab));
                    noteSequence(line.substring(0, tab));
                }
            }
        }
        epochFile = Path.of(out + ".epoch");
        if (Files.exists(epochFile)) {
            String e = Files.readString(epochFile, StandardCharsets.US_ASCII).trim();
            try {
                highestEpoch = Long.parseLong(e);
            } catch (NumberFormatException ex) {
                throw new IOException("BSS-092 " + epochFile + " does not hold an epoch: " + e);
            }
        }
        outChannel = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
        serverSocket = ss;
        acceptor = new Thread(this::acceptLoop, "billing-sim-acceptor");
        acceptor.start();
        log("BSS-000 billing-system simulator listening on " + host + ":" + ss.getLocalPort() + ", records to " + out
                + " (" + seen.size() + " CDR ids already there" + (nakEvery > 0 ? ", NAK every " + nakEvery : "") + ")");
        return ss.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log("BSS-090 accept failed: " + e);
                }
                return;
            }
            long n = connectionCount.incrementAndGet();
            connections.add(socket);
            Thread t = new Thread(() -> serve(socket), "billing-sim-conn-" + n);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket socket) {
        String peer = socket.getRemoteSocketAddress().toString();
        log("BSS-001 connection from " + peer);
        long requests = 0;
        String end = "closed by peer";
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream o = socket.getOutputStream();
            while (!closed) {
                byte[] line;
                try {
                    line = readLine(in);
                } catch (LineTooLongException e) {
                    errors.incrementAndGet();
                    reply(o, "ERR line-too-long");
                    end = "closed after a line longer than " + MAX_LINE_BYTES + " bytes";
                    drainAndClose(socket, in);
                    break;
                }
                if (line == null) {
                    break;
                }
                requests++;
                reply(o, handle(new String(line, StandardCharsets.UTF_8)));
            }
        } catch (SocketException e) {
            end = closed ? "closed at shutdown" : "connection error: " + e.getMessage();
        } catch (IOException | UncheckedIOException e) {
            end = "I/O error: " + e;
        } finally {
            connections.remove(socket);
        }
        log("BSS-002 connection from " + peer + " " + end + " after " + requests + " requests");
    }

    /** Answers one request line (without its terminator). Package-private for tests. */
    String handle(String line) throws IOException {
        if (line.equals("PING")) {
            return "PONG";
        }
        if (!line.startsWith("CDR ")) {
            errors.incrementAndGet();
            return "ERR unknown-command";
        }
        cdrRequests.incrementAndGet();
        String[] parts = line.substring(4).split(" ", -1);
        String cdrId = parts[0];
        if (cdrId.isEmpty()) {
            errors.incrementAndGet();
            return "ERR malformed-request";
        }
        if (parts.length < 2 || parts[1].isEmpty()) {
            return nak(cdrId, "missing-epoch");
        }
        long epoch;
        try {
            epoch = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return nak(cdrId, "bad-epoch");
        }
        if (epoch < 1) {
            return nak(cdrId, "bad-epoch");
        }
        if (parts.length < 3 || parts[2].isEmpty()) {
            return nak(cdrId, "missing-body");
        }
        if (parts.length > 3) {
            return nak(cdrId, "extra-fields");
        }
        byte[] body;
        try {
            body = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return nak(cdrId, "bad-base64");
        }
        ChargingDataRecord cdr;
        try {
            cdr = CdrTextCodec.decode(body);
        } catch (IllegalArgumentException e) {
            return nak(cdrId, "bad-body: " + oneLine(e.getMessage()));
        }
        if (!cdr.cdrId().equals(cdrId)) {
            return nak(cdrId, "cdr-id-mismatch: body has " + oneLine(cdr.cdrId()));
        }
        long n = wellFormed.incrementAndGet();
        if (nakEvery > 0 && n % nakEvery == 0) {
            simulatedNaks.incrementAndGet();
            return nak(cdrId, "simulated-rejection");
        }
        long highest = admitEpoch(epoch);
        if (highest > epoch) {
            fencedRequests.incrementAndGet();
            log("BSS-012 FENCED " + cdrId + ": epoch " + epoch + " < " + highest + " (a stale coordinator)");
            return "FENCED " + cdrId + " " + highest;
        }
        boolean duplicate = record(cdr, epoch);
        if (duplicate) {
            log("BSS-010 duplicate CDR " + cdrId + " (recorded with duplicate=true)");
        }
        return "ACK " + cdrId;
    }

    private String nak(String cdrId, String reason) {
        naks.incrementAndGet();
        log("BSS-011 NAK " + cdrId + " " + reason);
        return "NAK " + cdrId + " " + reason;
    }

    /**
     * Raises the highest epoch to {@code epoch} when it is higher (written to the epoch file and fsynced first);
     * returns the highest epoch after that.
     */
    private long admitEpoch(long epoch) throws IOException {
        synchronized (recordLock) {
            if (epoch > highestEpoch) {
                Path tmp = Path.of(epochFile + ".tmp");
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(ByteBuffer.wrap((epoch + "\n").getBytes(StandardCharsets.US_ASCII)));
                    ch.force(true);
                }
                Files.move(tmp, epochFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                log("BSS-003 epoch " + epoch + " (was " + highestEpoch + "): a new coordinator");
                highestEpoch = epoch;
            }
            return highestEpoch;
        }
    }

    private void noteSequence(String cdrId) {
        int dash = cdrId.lastIndexOf('-');
        if (dash <= 0) {
            return;
        }
        try {
            long n = Long.parseLong(cdrId.substring(dash + 1));
            if (n >= 0 && n < Integer.MAX_VALUE) {
                sequences.computeIfAbsent(cdrId.substring(0, dash), k -> new java.util.BitSet()).set((int) n);
            }
        } catch (NumberFormatException ignored) {
            // not a <node>-<sequence> id: no gap accounting for it
        }
    }

    /** Local sequence numbers missing between the lowest and highest recorded, summed over the CDF nodes. */
    public long gaps() {
        synchronized (recordLock) {
            long missing = 0;
            for (java.util.BitSet b : sequences.values()) {
                int low = b.nextSetBit(0);
                int high = b.length() - 1;
                missing += (high - low + 1) - b.cardinality();
            }
            return missing;
        }
    }

    public long fencedRequests() {
        return fencedRequests.get();
    }

    /** The incomplete-CDR indication as one word: {@code -} (complete), {@code start}, {@code stop}, {@code start+stop}. */
    static String lost(ChargingDataRecord cdr) {
        if (!cdr.incomplete()) {
            return "-";
        }
        return cdr.startLost() && cdr.stopLost() ? "start+stop" : cdr.stopLost() ? "stop" : "start";
    }

    /** Appends the record and fsyncs it; returns whether the id had been seen before. */
    private boolean record(ChargingDataRecord cdr, long epoch) throws IOException {
        synchronized (recordLock) {
            boolean duplicate = !seen.add(cdr.cdrId());
            noteSequence(cdr.cdrId());
            String line = String.join("\t", field(cdr.cdrId()), field(cdr.callingParty()), field(cdr.calledParty()),
                    Long.toString(cdr.duration().toMillis()), Long.toString(cdr.localSequenceNumber()),
                    Boolean.toString(duplicate), Long.toString(epoch), Long.toString(cdr.recordSequenceNumber()),
                    lost(cdr)) + "\n";
            ByteBuffer buf = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                outChannel.write(buf);
            }
            outChannel.force(false);
            recorded.incrementAndGet();
            if (duplicate) {
                duplicates.incrementAndGet();
            }
            return duplicate;
        }
    }

    private static String field(String value) {
        return value.replace('\t', ' ');
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static void reply(OutputStream o, String line) throws IOException {
        o.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    /**
     * Reads up to and excluding the next {@code '\n'} (and a {@code '\r'} before it); null at end of stream
     * (an unterminated last line is dropped: a request is only complete with its terminator).
     */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                byte[] line = buf.toByteArray();
                if (line.length > 0 && line[line.length - 1] == '\r') {
                    return java.util.Arrays.copyOf(line, line.length - 1);
                }
                return line;
            }
            buf.write(b);
            // One byte of slack for a '\r' before the terminator; fail as soon as the limit is passed.
            if (buf.size() > MAX_LINE_BYTES + 1 || (buf.size() == MAX_LINE_BYTES + 1 && b != '\r')) {
                throw new LineTooLongException();
            }
        }
    }

    /** Half-closes, then reads what the peer still sends for a moment, so the answer is not lost to a TCP reset. */
    private static void drainAndClose(Socket socket, InputStream in) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(1000);
            byte[] sink = new byte[8192];
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < deadline && in.read(sink) >= 0) {
                // discard
            }
        } catch (SocketTimeoutException ignored) {
            // the peer kept the connection open without sending: close it anyway
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static final class LineTooLongException extends IOException {
        LineTooLongException() {
            super("line too long");
        }
    }

    public long connections() {
        return connectionCount.get();
    }

    public long recorded() {
        return recorded.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long naks() {
        return naks.get();
    }

    public long errors() {
        return errors.get();
    }

    public String summary() {
        return "connections=" + connectionCount.get() + " cdrRequests=" + cdrRequests.get() + " recorded=" + recorded.get()
                + " duplicates=" + duplicates.get() + " gaps=" + gaps() + " fenced=" + fencedRequests.get()
                + " highestEpoch=" + highestEpoch + " naks=" + naks.get() + " (simulated " + simulatedNaks.get() + ")"
                + " errors=" + errors.get() + " file=" + out;
    }

    /** Stops accepting, closes every connection and the records file. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (serverSocket != null) {
                serverSocket.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : connections) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        if (acceptor != null) {
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (recordLock) {
            try {
                if (outChannel != null) {
                    outChannel.close();
                }
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static void log(String message) {
        System.out.println(Instant.now() + " " + message);
    }

    public static void main(String[] args) {
        String host = "127.0.0.1";
        Integer port = null;
        Path out = null;
        int nakEvery = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--host" -> host = value(args, ++i, a);
                    case "--nak-every" -> nakEvery = Integer.parseInt(value(args, ++i, a));
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (port == null || out == null) {
                throw new IllegalArgumentException("--port and --out are required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        BillingSystemSimulator simulator = new BillingSystemSimulator(host, port, out, nakEvery);
        try {
            simulator.start();
        } catch (IOException e) {
            System.err.println("BSS-091 cannot start: " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            log("BSS-099 stopped: " + simulator.summary());
        }, "billing-sim-shutdown"));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}

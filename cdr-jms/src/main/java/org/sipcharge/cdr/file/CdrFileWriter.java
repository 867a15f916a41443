package org.sipcharge.cdr.file;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes CDRs into TS 32.297 CDR files (the Bx interface): one file open at a time, closed when it reaches its size,
 * CDR count or open-time limit, or on {@link #close}. An open file has the name {@code <final name>.tmp}; closing
 * writes the final header (file length, CDR count, last-append time, closure reason), forces it to disk and renames
 * the file to its final name in one atomic step, so a collector never sees a half-written file under a final name.
 *
 * <p>File sequence numbers continue across restarts (the next one follows the highest closed file in the directory).
 * A {@code .tmp} file left by a crash is closed at start-up with closure reason "abnormal" (128): its complete CDRs
 * are kept, a torn last CDR is cut off and counted in the lost CDR indicator (CDRF-002).
 *
 * <p>Not thread-safe: one writer per directory, used by one thread at a time (the caller serialises).
 */
public final class CdrFileWriter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CdrFileWriter.class.getName());
    static final String OPEN_SUFFIX = ".tmp";

    /**
     * @param directory    where files are written (created if missing)
     * @param nodeId       first part of the file names (TS 32.297 6.1.4 node id)
     * @param nodeAddress  IP address of the node that generated the file, in the header
     * @param release      3GPP release of the CDRs' ASN.1 (high and low release identifier)
     * @param version      version of that release's specification
     * @param maxBytes     a file is closed before it would grow beyond this (closure reason 1)
     * @param maxCdrs      a file is closed when it holds this many CDRs (closure reason 3)
     * @param maxOpenTime  a file is closed when it has been open this long (closure reason 2), checked by {@link #tick}
     */
    public record Settings(Path directory, String nodeId, InetAddress nodeAddress, int release, int version, long maxBytes,
                           int maxCdrs, Duration maxOpenTime) {
        public Settings {
            if (nodeId == null || !nodeId.matches("[A-Za-z0-9.-]{1,64}")) {
                throw new IllegalArgumentException("node id must be 1-64 letters, digits, '.' or '-': " + nodeId);
            }
            if (maxBytes < CdrFileFormat.FILE_HEADER_LENGTH + CdrFileFormat.CDR_HEADER_LENGTH + 1 || maxBytes > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("maxBytes out of range (a file length is 4 octets): " + maxBytes);
            }
            if (maxCdrs < 1) {
                throw new IllegalArgumentException("maxCdrs must be at least 1: " + maxCdrs);
            }
            if (maxOpenTime.isNegative() || maxOpenTime.isZero()) {
                throw new IllegalArgumentException("maxOpenTime must be positive: " + maxOpenTime);
            }
            CdrFileFormat.releaseField(release);
            if (version < 0 || version > 31) {
                throw new IllegalArgumentException("version must fit 5 bits: " + version);
            }
        }
    }

    private final Settings settings;
    private final Clock clock;
    private long nextSequence;

    private FileChannel channel;
    private Path openPath;
    private ZonedDateTime openedAt;
    private long sequence;
    private long length;
    private int count;
    private int lastAppend;
    private long filesClosed;

    public CdrFileWriter(Settings settings, Clock clock) throws IOException {
        this.settings = settings;
        this.clock = clock;
        Files.createDirectories(settings.directory());
        long highest = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.directory())) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(OPEN_SUFFIX)) {
                    highest = Math.max(highest, recoverOpenFile(p));
                } else {
                    highest = Math.max(highest, CdrFileFormat.sequenceOf(name, settings.nodeId()));
                }
            }
        }
        nextSequence = highest >= 0xFFFFFFFFL ? 1 : highest + 1;
    }

    /**
     * Appends one encoded CDR, opening a file first when none is open and closing the current one first when the CDR
     * would not fit its size limit. The bytes are written, not yet forced to disk: call {@link #sync} before telling
     * anyone the CDR is safe.
     */
    public void append(byte[] cdr) throws IOException {
        if (cdr.length == 0 || cdr.length > CdrFileFormat.MAX_CDR_LENGTH) {
            throw new IllegalArgumentException("a CDR of " + cdr.length + " octets does not fit a TS 32.297 CDR header (1.."
                    + CdrFileFormat.MAX_CDR_LENGTH + ")");
        }
        long needed = CdrFileFormat.CDR_HEADER_LENGTH + cdr.length;
        if (channel != null && length + needed > settings.maxBytes()) {
            closeFile(CdrFileFormat.ClosureReason.FILE_SIZE_LIMIT);
        }
        if (channel == null) {
            open();
            if (length + needed > settings.maxBytes()) {
                throw new IllegalArgumentException("a CDR of " + cdr.length + " octets is larger than the file size limit");
            }
        }
        ByteBuffer b = ByteBuffer.allocate((int) needed);
        b.putShort((short) cdr.length);
        b.put((byte) ((CdrFileFormat.releaseField(settings.release()) << 5) | settings.version()));
        b.put((byte) ((CdrFileFormat.FORMAT_BER << 5) | CdrFileFormat.TS_32_260));
        b.put((byte) Math.max(0, settings.release() - 10));
        b.put(cdr);
        b.flip();
        while (b.hasRemaining()) {
            channel.write(b, length + b.position());
        }
        length += needed;
        count++;
        lastAppend = CdrFileFormat.timestamp(ZonedDateTime.now(clock));
        if (count >= settings.maxCdrs()) {
            closeFile(CdrFileFormat.ClosureReason.MAX_CDR_COUNT);
        }
    }

    /** Forces what was appended to the open file to disk (closed files are forced when they close). */
    public void sync() throws IOException {
        if (channel != null) {
            channel.force(false);
        }
    }

    /** Closes the open file when it has been open for its time limit; call it periodically. */
    public void tick() throws IOException {
        if (channel != null && !ZonedDateTime.now(clock).isBefore(openedAt.plus(settings.maxOpenTime()))) {
            closeFile(CdrFileFormat.ClosureReason.FILE_OPEN_TIME_LIMIT);
        }
    }

    /** Closes the open file (reason "normal" when the node stops, "manual" when an admin asks). */
    public void closeFile(CdrFileFormat.ClosureReason reason) throws IOException {
        if (channel == null) {
            return;
        }
        writeHeader(channel, CdrFileFormat.timestamp(openedAt), length, count, sequence, reason, lastAppend, 0);
        channel.force(true);
        channel.close();
        channel = null;
        Path done = settings.directory().resolve(CdrFileFormat.fileName(settings.nodeId(), sequence, openedAt));
        Files.move(openPath, done, StandardCopyOption.ATOMIC_MOVE);
        filesClosed++;
        LOG.log(Level.FINE, "CDRF-001 closed {0}: {1} CDRs, {2} octets, reason {3}", new Object[]{done.getFileName(), count, length, reason});
    }

    @Override
    public void close() throws IOException {
        closeFile(CdrFileFormat.ClosureReason.NORMAL);
    }

    public long filesClosed() {
        return filesClosed;
    }

    /** CDRs in the open file (0 when none is open). */
    public int openCount() {
        return channel == null ? 0 : count;
    }

    private void open() throws IOException {
        sequence = nextSequence;
        nextSequence = sequence >= 0xFFFFFFFFL ? 1 : sequence + 1;
        openedAt = ZonedDateTime.now(clock);
        openPath = settings.directory().resolve(CdrFileFormat.fileName(settings.nodeId(), sequence, openedAt) + OPEN_SUFFIX);
        channel = FileChannel.open(openPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        length = CdrFileFormat.FILE_HEADER_LENGTH;
        count = 0;
        lastAppend = CdrFileFormat.timestamp(openedAt);
        // A header is there from the first moment, so that a crash leaves a file that can be recovered.
        writeHeader(channel, lastAppend, length, 0, sequence, CdrFileFormat.ClosureReason.ABNORMAL, lastAppend, 0);
    }

    private void writeHeader(FileChannel ch, int opened, long fileLength, int cdrs, long seq, CdrFileFormat.ClosureReason reason,
                             int appended, int lost) throws IOException {
        int field = CdrFileFormat.releaseField(settings.release());
        int extension = Math.max(0, settings.release() - 10);
        ByteBuffer h = ByteBuffer.allocate(CdrFileFormat.FILE_HEADER_LENGTH);
        h.putInt((int) fileLength);
        h.putInt(CdrFileFormat.FILE_HEADER_LENGTH);
        h.put((byte) ((field << 5) | settings.version()));
        h.put((byte) ((field << 5) | settings.version()));
        h.putInt(opened);
        h.putInt(appended);
        h.putInt(cdrs);
        h.putInt((int) seq);
        h.put((byte) reason.code);
        h.put(CdrFileFormat.nodeAddress(settings.nodeAddress()));
        h.put((byte) lost);
        h.putShort((short) 0); // no CDR routeing filter
        h.putShort((short) 0); // no private extension
        h.put((byte) extension);
        h.put((byte) extension);
        h.flip();
        while (h.hasRemaining()) {
            ch.write(h, h.position());
        }
    }

    /**
     * Closes a file found open at start-up: keeps its complete CDRs, cuts a torn last one, and renames it.
     *
     * @return its file sequence number
     */
    private long recoverOpenFile(Path p) throws IOException {
        CdrFileReader.Scan scan = CdrFileReader.scanOpenFile(p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ch.truncate(scan.completeLength());
            writeHeader(ch, scan.openedTimestamp(), scan.completeLength(), scan.completeCdrs(), scan.sequence(), CdrFileFormat.ClosureReason.ABNORMAL,
                    scan.lastAppend(), CdrFileFormat.lostIndicator(scan.tornCdrs(), false));
            ch.force(true);
        }
        String name = p.getFileName().toString();
        Path done = p.resolveSibling(name.substring(0, name.length() - OPEN_SUFFIX.length()));
        Files.move(p, done, StandardCopyOption.ATOMIC_MOVE);
        LOG.log(scan.tornCdrs() > 0 ? Level.WARNING : Level.INFO,
                "CDRF-002 {0} was open when the node stopped: closed as abnormal with {1} complete CDRs{2}",
                new Object[]{done.getFileName(), scan.completeCdrs(), scan.tornCdrs() > 0 ? ", a torn last CDR cut off and counted as lost" : ""});
        return scan.sequence();
    }
}

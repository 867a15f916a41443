package org.sipcharge.billing.files;

import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.cdr.ber.CdrBerCodec;
import org.sipcharge.cdr.file.CdrFileFormat;
import org.sipcharge.cdr.file.CdrFileReader;
import org.sipcharge.cdr.file.CdrFileWriter;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CDR files of one directory as the exporter uses them: an exclusive lock on the directory (a second writer,
 * on this host or another mounting the same directory, is refused), the TS 32.297 writer, and the ids of the CDRs
 * written lately, so that a CDR redelivered after its commit was lost is not written twice. The ids come from the
 * records themselves: {@code <nodeAddress>-<localRecordSequenceNumber>}, read back from the newest files at start.
 * Plain Java; one thread at a time.
 */
public final class CdrFileSink implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CdrFileSink.class.getName());
    static final String LOCK_FILE = ".writer.lock";
    /** Ids remembered; redeliveries come within seconds, so the newest files hold them. */
    static final int REMEMBERED = 100_000;
    static final int FILES_READ_AT_START = 3;

    private final CdrFileWriter.Settings settings;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final CdrFileWriter writer;
    private final LinkedHashSet<String> recent = new LinkedHashSet<>();
    private long written;

    public CdrFileSink(CdrFileWriter.Settings settings, Clock clock) throws IOException {
        this.settings = settings;
        Files.createDirectories(settings.directory());
        lockChannel = FileChannel.open(settings.directory().resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw new IOException("BIL-074 cannot lock " + settings.directory().resolve(LOCK_FILE) + ": " + e.getMessage(), e);
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException("BIL-074 another writer holds " + settings.directory().resolve(LOCK_FILE));
        }
        lock = l;
        try {
            writer = new CdrFileWriter(settings, clock);
            rememberNewestFiles();
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    private void rememberNewestFiles() throws IOException {
        List<Path> closed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.directory())) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && !name.endsWith(".tmp") && CdrFileFormat.sequenceOf(name, settings.nodeId()) > 0) {
                    closed.add(p);
                }
            }
        }
        closed.sort(Comparator.comparingLong((Path p) -> CdrFileFormat.sequenceOf(p.getFileName().toString(), settings.nodeId())).reversed());
        List<String> ids = new ArrayList<>();
        for (Path p : closed.subList(0, Math.min(FILES_READ_AT_START, closed.size()))) {
            try {
                List<String> inFile = new ArrayList<>();
                for (byte[] cdr : CdrFileReader.read(p).cdrs()) {
                    ChargingDataRecord r = CdrBerCodec.decode(cdr).toChargingDataRecord("file", "file");
                    inFile.add(r.nodeAddress() + "-" + r.localSequenceNumber());
                }
                ids.addAll(0, inFile);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "BIL-075 CDR file {0} could not be read back for duplicate detection: {1}", new Object[]{p, e.toString()});
            }
        }
        ids.forEach(this::remember);
    }

    private void remember(String id) {
        recent.remove(id);
        recent.add(id);
        if (recent.size() > REMEMBERED) {
            Iterator<String> oldest = recent.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    public boolean contains(String cdrId) {
        return recent.contains(cdrId);
    }

    /** Appends the CDR and forces it to disk: when this returns, the CDR survives a crash. */
    public void write(String cdrId, byte[] ber) throws IOException {
        writer.append(ber);
        writer.sync();
        remember(cdrId);
        written++;
    }

    /** Closes the open file when it has been open long enough. */
    public void tick() throws IOException {
        writer.tick();
    }

    public long written() {
        return written;
    }

    public long filesClosed() {
        return writer.filesClosed();
    }

    public Path directory() {
        return settings.directory();
    }

    @Override
    public void close() throws IOException {
        try {
            writer.close();
        } finally {
            try {
                lock.release();
            } finally {
                lockChannel.close();
            }
        }
    }
}

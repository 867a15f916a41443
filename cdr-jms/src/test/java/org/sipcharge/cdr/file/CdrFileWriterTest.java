package org.sipcharge.cdr.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CdrFileWriterTest {

    @TempDir
    Path dir;

    /** A clock the test moves by hand. */
    static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-11-23T21:15:42Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final HandClock clock = new HandClock();

    private CdrFileWriter.Settings settings(long maxBytes, int maxCdrs, Duration maxOpen) throws IOException {
        return new CdrFileWriter.Settings(dir, "cdf1", InetAddress.getByName("192.0.2.7"), 17, 2, maxBytes, maxCdrs, maxOpen);
    }

    private static byte[] cdr(int i) {
        // Stand-in for a BER record: the file layer treats the CDR as opaque octets.
        return ("\u0030record-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    private List<Path> closedFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.toString().endsWith(".tmp")).sorted().toList();
        }
    }

    private List<CdrFileReader.CdrFile> readAll() throws IOException {
        List<CdrFileReader.CdrFile> files = new ArrayList<>();
        for (Path p : closedFiles()) {
            files.add(CdrFileReader.read(p));
        }
        files.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        return files;
    }

    @Test
    void filesCloseOnCountWithConsecutiveSequenceNumbersAndEveryCdrReadsBack() throws IOException {
        try (CdrFileWriter w = new CdrFileWriter(settings(1 << 20, 10, Duration.ofHours(1)), clock)) {
            for (int i = 0; i < 25; i++) {
                w.append(cdr(i));
            }
        } // the close at the end closes the last, partly filled file as "normal"
        List<CdrFileReader.CdrFile> files = readAll();
        assertEquals(3, files.size());
        int next = 0;
        for (int f = 0; f < files.size(); f++) {
            CdrFileReader.CdrFile file = files.get(f);
            assertEquals(f + 1, file.sequence(), "file sequence numbers start at 1 and follow each other");
            assertEquals(f < 2 ? CdrFileFormat.ClosureReason.MAX_CDR_COUNT : CdrFileFormat.ClosureReason.NORMAL, file.closureReason());
            assertEquals(f < 2 ? 10 : 5, file.cdrCount());
            assertEquals(17, file.highRelease());
            assertEquals(2, file.highVersion());
            assertEquals(InetAddress.getByName("192.0.2.7"), file.nodeAddress());
            assertEquals(0, file.lostIndicator());
            assertEquals("11-23 21:15+0000", file.opened());
            for (byte[] c : file.cdrs()) {
                assertArrayEquals(cdr(next++), c);
            }
        }
        assertEquals(25, next);
        assertEquals("cdf1_-_1.20261123_-_2115+0000", closedFiles().get(0).getFileName().toString());
    }

    @Test
    void filesCloseOnSizeAndOnOpenTime() throws IOException {
        long small = CdrFileFormat.FILE_HEADER_LENGTH + 3L * (CdrFileFormat.CDR_HEADER_LENGTH + cdr(0).length);
        try (CdrFileWriter w = new CdrFileWriter(settings(small, 1000, Duration.ofSeconds(60)), clock)) {
            for (int i = 0; i < 4; i++) {
                w.append(cdr(i));
            }
            assertEquals(1, w.filesClosed(), "the 4th CDR does not fit: the file closes on size first");
            clock.now = clock.now.plusSeconds(59);
            w.tick();
            assertEquals(1, w.filesClosed());
            clock.now = clock.now.plusSeconds(1);
            w.tick();
            assertEquals(2, w.filesClosed(), "closed after 60 s open");
            w.tick();
            assertEquals(2, w.filesClosed(), "no empty file is made");
        }
        List<CdrFileReader.CdrFile> files = readAll();
        assertEquals(CdrFileFormat.ClosureReason.FILE_SIZE_LIMIT, files.get(0).closureReason());
        assertEquals(3, files.get(0).cdrCount());
        assertEquals(small, files.get(0).fileLength());
        assertEquals(CdrFileFormat.ClosureReason.FILE_OPEN_TIME_LIMIT, files.get(1).closureReason());
        assertEquals(1, files.get(1).cdrCount());
        assertEquals("11-23 21:15+0000", files.get(1).lastAppend(), "the last CDR went in at 21:15:42; the file closed a minute later");
    }

    @Test
    void sequenceNumbersContinueAfterARestartAndAFileLeftOpenByACrashIsRecovered() throws IOException {
        CdrFileWriter first = new CdrFileWriter(settings(1 << 20, 3, Duration.ofHours(1)), clock);
        for (int i = 0; i < 5; i++) {
            first.append(cdr(i)); // file 1 closed with 3, file 2 open with 2
        }
        first.sync();
        // kill -9: file 2 stays open; its last CDR is torn by the crash.
        Path open;
        try (Stream<Path> s = Files.list(dir)) {
            open = s.filter(p -> p.toString().endsWith(".tmp")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(open, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 2);
        }

        try (CdrFileWriter second = new CdrFileWriter(settings(1 << 20, 3, Duration.ofHours(1)), clock)) {
            second.append(cdr(100));
        }
        List<CdrFileReader.CdrFile> files = readAll();
        assertEquals(3, files.size());
        CdrFileReader.CdrFile recovered = files.get(1);
        assertEquals(2, recovered.sequence());
        assertEquals(CdrFileFormat.ClosureReason.ABNORMAL, recovered.closureReason());
        assertEquals(1, recovered.cdrCount(), "the complete CDR is kept");
        assertArrayEquals(cdr(3), recovered.cdrs().get(0));
        assertEquals(129, recovered.lostIndicator(), "exactly one CDR lost (128 + 1)");
        assertEquals(3, files.get(2).sequence(), "numbering goes on after the recovered file");
        assertArrayEquals(cdr(100), files.get(2).cdrs().get(0));
    }

    @Test
    void badInputIsRefusedClearly() throws IOException {
        try (CdrFileWriter w = new CdrFileWriter(settings(1 << 20, 3, Duration.ofHours(1)), clock)) {
            assertThrows(IllegalArgumentException.class, () -> w.append(new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> w.append(new byte[70_000]));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new CdrFileWriter.Settings(dir, "bad/name", InetAddress.getLoopbackAddress(), 17, 0, 1 << 20, 1, Duration.ofSeconds(1)));
        Path bogus = dir.resolve("cdf1_-_9.20261123_-_2115+0000");
        Files.write(bogus, new byte[60]);
        CdrFileReader.CdrFileFormatException e = assertThrows(CdrFileReader.CdrFileFormatException.class, () -> CdrFileReader.read(bogus));
        assertTrue(e.getMessage().contains("header says 0 octets"), e.getMessage());
    }
}

package org.sipcharge.billing.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.cdr.ber.CdrBerCodec;
import org.sipcharge.cdr.ber.ImsChargingRecord;
import org.sipcharge.cdr.file.CdrFileReader;
import org.sipcharge.cdr.file.CdrFileWriter;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CdrFileSinkTest {

    @TempDir
    Path dir;

    CdrFileWriter.Settings settings() throws IOException {
        return new CdrFileWriter.Settings(dir, "sipcharge", InetAddress.getByName("192.0.2.9"), 17, 0, 1 << 20, 2, Duration.ofMinutes(5));
    }

    static byte[] ber(long seq) {
        Instant t = Instant.parse("2026-11-24T10:00:00Z").plusSeconds(seq);
        ChargingDataRecord cdr = new ChargingDataRecord("cdf1-" + seq, "s;" + seq, "call-" + seq, "sip:a@x", "sip:b@x",
                t, t, t.plusSeconds(3), seq, 0, false, "cdf1");
        return CdrBerCodec.encode(ImsChargingRecord.fromChargingDataRecord(cdr, t, t.plusSeconds(3), ZoneOffset.UTC));
    }

    @Test
    void writtenCdrsAreRememberedAcrossARestartFromTheFilesThemselves() throws Exception {
        try (CdrFileSink sink = new CdrFileSink(settings(), Clock.systemUTC())) {
            for (long n = 1; n <= 5; n++) {
                assertFalse(sink.contains("cdf1-" + n));
                sink.write("cdf1-" + n, ber(n));
                assertTrue(sink.contains("cdf1-" + n));
            }
            assertEquals(2, sink.filesClosed(), "two files of two CDRs closed, the fifth CDR in the open one");
        }
        // A new writer (another coordinator) knows them from the files: a redelivered CDR is not written twice.
        try (CdrFileSink sink = new CdrFileSink(settings(), Clock.systemUTC())) {
            for (long n = 1; n <= 5; n++) {
                assertTrue(sink.contains("cdf1-" + n), "cdf1-" + n + " read back from the files");
            }
            assertFalse(sink.contains("cdf1-6"));
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("sipcharge_-_")).sorted().toList();
        }
        assertEquals(3, files.size(), files.toString());
        long cdrs = 0;
        for (Path f : files) {
            CdrFileReader.CdrFile file = CdrFileReader.read(f);
            assertEquals(file.cdrCount(), file.cdrs().size());
            cdrs += file.cdrCount();
        }
        assertEquals(5, cdrs);
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefused() throws Exception {
        try (CdrFileSink first = new CdrFileSink(settings(), Clock.systemUTC())) {
            IOException e = assertThrows(IOException.class, () -> new CdrFileSink(settings(), Clock.systemUTC()));
            assertTrue(e.getMessage().contains("BIL-074"), e.getMessage());
            first.write("cdf1-1", ber(1));
        }
        try (CdrFileSink again = new CdrFileSink(settings(), Clock.systemUTC())) {
            assertTrue(again.contains("cdf1-1"), "the lock is free once the first writer closed");
        }
    }
}

package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.cdr.ber.CdrBerCodec;
import org.sipcharge.cdr.file.CdrFileFormat;
import org.sipcharge.cdr.file.CdrFileReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, TS 32.297 files from the real product: a billing system {@code bx} whose CDRs the coordinator writes to
 * CDR files (closed after 4 CDRs or 5 s). After SIPp calls every closed file is read back: header counts equal the
 * CDRs in it, file sequence numbers run 1, 2, 3 ... without gap, closure reasons are count or open-time limits,
 * every CDR decodes as a TS 32.298 AS record, and the files hold exactly the CDRs the billing system got over the
 * legacy link, each once.
 */
class CdrFilesIT {

    static final int CALLS = 10;
    static SystemUnderTest sut;
    static Path files;

    @BeforeAll
    static void start() throws Exception {
        // Inside the run directory SystemUnderTest makes afresh (same property, same default).
        files = Path.of(System.getProperty("sipcharge.runDir", "target/e2e-run")).toAbsolutePath().resolve("cdr-files/cdr-files");
        sut = SystemUnderTest.start("cdr-files", "sipcharge.billing.systems=legacy,bx sipcharge.billing.file-system=bx"
                + " sipcharge.cdr-files.directory=" + files + " sipcharge.cdr-files.max-cdrs=4 sipcharge.cdr-files.max-open-time=PT5S"
                + " sipcharge.cdr-files.node-id=sipcharge-it");
    }

    @AfterAll
    static void stop() throws Exception {
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    void everyCdrIsInExactlyOneClosedFileAndTheFilesReadBack() throws Exception {
        Sipp.Result calls = Sipp.calls(sut, CALLS, 200, "files");
        assertEquals(CALLS, calls.successfulCalls(), calls.summary());
        List<String[]> legacy = Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, l -> l.size() >= CALLS, CALLS + " CDRs over the legacy link");
        Set<String> billed = new HashSet<>();
        legacy.forEach(r -> billed.add(r[0]));

        // The last file closes on its open-time limit (5 s) once no CDR comes.
        List<CdrFileReader.CdrFile> read = Wait.until(Duration.ofSeconds(60), CdrFilesIT::closedFiles,
                l -> l.stream().mapToLong(CdrFileReader.CdrFile::cdrCount).sum() >= billed.size(), "every CDR in a closed file");
        List<String> ids = new ArrayList<>();
        long expectedSequence = 1;
        for (CdrFileReader.CdrFile f : read) {
            assertEquals(expectedSequence++, f.sequence(), "file sequence numbers without gap");
            assertEquals(f.cdrCount(), f.cdrs().size(), "the header's CDR count");
            assertTrue(f.cdrCount() >= 1 && f.cdrCount() <= 4, "at most 4 CDRs per file: " + f.cdrCount());
            assertTrue(f.closureReason() == CdrFileFormat.ClosureReason.MAX_CDR_COUNT
                    || f.closureReason() == CdrFileFormat.ClosureReason.FILE_OPEN_TIME_LIMIT, "closure reason " + f.closureReason());
            for (byte[] cdr : f.cdrs()) {
                ChargingDataRecord r = CdrBerCodec.decode(cdr).toChargingDataRecord("x", "x");
                ids.add(r.nodeAddress() + "-" + r.localSequenceNumber());
            }
        }
        assertEquals(ids.size(), new HashSet<>(ids).size(), "no CDR in two files: " + ids);
        assertEquals(billed, new HashSet<>(ids), "the files hold exactly the CDRs billed over the link");
        String status = sut.status().get("billing.cdrFiles");
        assertTrue(status != null && status.startsWith("writing to"), "billing.cdrFiles=" + status);
        System.out.printf("[cdr-files] %d CDRs in %d files in %s%n", ids.size(), read.size(), files);
    }

    /** Every closed CDR file of the directory, by sequence number. */
    static List<CdrFileReader.CdrFile> closedFiles() {
        try (Stream<Path> s = Files.list(files)) {
            List<CdrFileReader.CdrFile> out = new ArrayList<>();
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("sipcharge-it_-_") && !p.toString().endsWith(".tmp")).toList()) {
                out.add(CdrFileReader.read(p));
            }
            out.sort(java.util.Comparator.comparingLong(CdrFileReader.CdrFile::sequence));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

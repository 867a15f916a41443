package org.sipcharge.cdr.ber;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An independent check of the encoding: Peter Gutmann's {@code dumpasn1} (Debian package {@code dumpasn1}),
 * which shares no code with asn1bean or with {@link BerStructure}, parses every sample record and must report
 * no error and the tags TS 32.298 gives each field.
 *
 * <p>When dumpasn1 is missing, the test installs it with apt-get if it runs as root, and is skipped with a
 * message otherwise.
 */
class CdrBerDumpasn1IT {

    private static final long INSTALL_TIMEOUT_SECONDS = 600;
    private static final long DUMP_TIMEOUT_SECONDS = 30;

    /** A dumpasn1 item line: offset, length, colon, then two spaces per nesting level before the item. */
    private static final Pattern ITEM = Pattern.compile("^\\s*(\\d+)\\s+(\\d+):( +)(\\S.*)$");

    private static Path dumpasn1;

    @BeforeAll
    static void findOrInstallDumpasn1() throws Exception {
        dumpasn1 = onPath("dumpasn1");
        if (dumpasn1 != null) {
            return;
        }
        boolean root = "0".equals(run(List.of("id", "-u"), 10).stdout.trim());
        assumeTrue(root, "dumpasn1 is not installed and this test is not running as root, so it cannot install it:"
                + " skipping the dumpasn1 structure check (install it with: apt-get install -y dumpasn1)");
        Result install = run(List.of("apt-get", "install", "-y", "dumpasn1"), INSTALL_TIMEOUT_SECONDS);
        if (install.exitCode != 0) {
            // a fresh machine may have no package lists yet
            Result update = run(List.of("apt-get", "update"), INSTALL_TIMEOUT_SECONDS);
            install = run(List.of("apt-get", "install", "-y", "dumpasn1"), INSTALL_TIMEOUT_SECONDS);
            assertEquals(0, install.exitCode, "apt-get install -y dumpasn1 failed:\n" + update.stderr + install.stdout + install.stderr);
        }
        dumpasn1 = onPath("dumpasn1");
        assertNotNull(dumpasn1, "apt-get installed dumpasn1 but it is not on the PATH");
    }

    @Test
    void everySampleParsesWithoutErrorsAndShowsItsTags(@TempDir Path dir) throws Exception {
        for (Map.Entry<String, ImsChargingRecord> sample : SampleRecords.all().entrySet()) {
            ImsChargingRecord record = sample.getValue();
            byte[] encoded = CdrBerCodec.encode(record);
            Dump dump = dump(dir, sample.getKey(), encoded);

            assertEquals(0, dump.exitCode, sample.getKey() + ": dumpasn1 exit code\n" + dump.output);
            assertTrue(dump.summary.contains("0 warnings, 0 errors"), sample.getKey() + ": " + dump.summary + "\n" + dump.output);
            assertFalse(dump.output.contains("Error"), sample.getKey() + ":\n" + dump.output);

            Item top = dump.items.get(0);
            assertEquals(0, top.depth);
            assertEquals("[69] {", top.text, sample.getKey() + ": outermost item is the aSRecord alternative of IMSRecord");
            assertEquals(encoded.length, top.offset + headerLength(encoded) + top.length, sample.getKey() + ": dumpasn1 length of [69]");

            assertEquals(expectedFieldTags(record), tagsAtDepth(dump.items, 1), sample.getKey() + ": ASRecord fields\n" + dump.output);
            assertTrue(dump.items.contains(new Item(headerLength(encoded), 1, 1, "[0] 45")),
                    sample.getKey() + ": recordType [0] = 69 (0x45) first in the SET\n" + dump.output);
        }
    }

    @Test
    void nestedStructureOfTheFullRecord(@TempDir Path dir) throws Exception {
        Dump dump = dump(dir, "full", CdrBerCodec.encode(SampleRecords.full()));
        List<String> depth2 = new ArrayList<>();
        for (Item i : dump.items) {
            if (i.depth == 2) {
                depth2.add(i.text);
            }
        }
        // NodeAddress and InvolvedParty are CHOICEs, so their alternative appears inside the field's tag
        assertTrue(depth2.contains("[1] 'cdf-node1.example.net'"), dump.output);
        assertTrue(depth2.contains("[0] 'sip:alice@example.com'"), dump.output);
        assertTrue(depth2.contains("[1] 'tel:+4930123456'"), dump.output);
        assertTrue(depth2.contains("[0] 'sip:bob@example.org'"), dump.output);
        // list-Of-SDP-Media-Components and list-of-subscription-ID hold SEQUENCEs and SETs
        assertTrue(depth2.contains("SEQUENCE {"), dump.output);
        assertTrue(depth2.contains("SET {"), dump.output);
        // SDP lines are universal GraphicStrings
        assertTrue(dump.output.contains("GraphicString 'a=rtpmap:0 PCMU/8000'"), dump.output);
    }

    // ---- expectations from the value ------------------------------------------------------------

    /** The context tags TS 32.298 gives the fields present in {@code r}, in the canonical (ascending) order. */
    private static List<String> expectedFieldTags(ImsChargingRecord r) {
        TreeMap<Integer, Boolean> present = new TreeMap<>();
        present.put(0, true);
        present.put(1, r.retransmission());
        present.put(2, r.sipMethod() != null);
        present.put(3, r.roleOfNode() != null);
        present.put(4, r.nodeAddress() != null);
        present.put(5, r.sessionId() != null);
        present.put(6, !r.callingParties().isEmpty());
        present.put(7, r.calledParty() != null);
        present.put(9, r.serviceRequestTime() != null);
        present.put(10, r.serviceDeliveryStartTime() != null);
        present.put(11, r.serviceDeliveryEndTime() != null);
        present.put(12, r.recordOpeningTime() != null);
        present.put(13, r.recordClosureTime() != null);
        present.put(14, r.interOperatorIdentifiers() != null);
        present.put(15, r.localRecordSequenceNumber() != null);
        present.put(16, r.recordSequenceNumber() != null);
        present.put(17, r.causeForRecordClosing() != null);
        present.put(18, r.incompleteCdrIndication() != null);
        present.put(19, r.imsChargingIdentifier() != null);
        present.put(21, !r.sdpMediaComponents().isEmpty());
        present.put(30, r.serviceContextId() != null);
        present.put(31, !r.subscriptionIds().isEmpty());
        present.put(37, r.serviceRequestTime() != null && r.serviceRequestTime().getNano() != 0);
        present.put(38, r.serviceDeliveryStartTime() != null && r.serviceDeliveryStartTime().getNano() != 0);
        present.put(39, r.serviceDeliveryEndTime() != null && r.serviceDeliveryEndTime().getNano() != 0);
        List<String> tags = new ArrayList<>();
        present.forEach((tag, isPresent) -> {
            if (isPresent) {
                tags.add("[" + tag + "]");
            }
        });
        return tags;
    }

    private static List<String> tagsAtDepth(List<Item> items, int depth) {
        List<String> tags = new ArrayList<>();
        for (Item i : items) {
            if (i.depth == depth) {
                tags.add(i.text.split(" ")[0]);
            }
        }
        return tags;
    }

    private static int headerLength(byte[] encoded) {
        int lengthOctet = encoded[2] & 0xff;
        return 2 + 1 + (lengthOctet > 0x80 ? lengthOctet & 0x7f : 0);
    }

    // ---- running dumpasn1 ---------------------------------------------------------------------

    private record Item(int offset, int length, int depth, String text) {
    }

    private record Dump(int exitCode, String output, String summary, List<Item> items) {
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    /** dumpasn1 -z: the NULLs of the record ([1] retransmission, [3] mediaInitiatorFlag) have zero length. */
    private static Dump dump(Path dir, String name, byte[] encoded) throws Exception {
        Path file = dir.resolve(name + ".ber");
        Files.write(file, encoded);
        Result r = run(List.of(dumpasn1.toString(), "-z", "-a", file.toString()), DUMP_TIMEOUT_SECONDS);
        List<Item> items = new ArrayList<>();
        for (String line : r.stdout.split("\n")) {
            Matcher m = ITEM.matcher(line);
            if (m.matches()) {
                items.add(new Item(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), (m.group(3).length() - 1) / 2,
                        m.group(4).trim()));
            }
        }
        assertFalse(items.isEmpty(), name + ": dumpasn1 printed no item:\n" + r.stdout + r.stderr);
        return new Dump(r.exitCode, r.stdout + r.stderr, r.stderr, items);
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sipcharge-dumpasn1-", ".out");
        Path err = Files.createTempFile("sipcharge-dumpasn1-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}

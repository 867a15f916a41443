package org.sipcharge.diameter;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every size limit is a named constant whose Javadoc cites its clause, and input beyond it fails fast. */
class SizeLimitsTest {

    private static final Pattern LIMIT = Pattern.compile("(MAX|LENGTH|ALIGNMENT|DEPTH)");

    @Test
    void everySizeConstantHasJavadocCitingItsClause() throws Exception {
        Path source = Path.of("src/main/java/org/sipcharge/diameter/DiameterConstants.java");
        assertTrue(Files.isRegularFile(source), "run from the module directory: " + source.toAbsolutePath());
        String text = Files.readString(source);
        Matcher m = Pattern.compile("public static final (?:int|long) ([A-Z0-9_]+)").matcher(text);
        List<String> missing = new ArrayList<>();
        int limits = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!LIMIT.matcher(name).find() || name.startsWith("RESULT_")) {
                continue;
            }
            limits++;
            String before = text.substring(0, m.start()).stripTrailing();
            int open = before.lastIndexOf("/**");
            boolean javadocJustBefore = before.endsWith("*/") && open >= 0;
            if (!javadocJustBefore || !before.substring(open).matches("(?s).*(RFC \\d+|TS \\d+\\.\\d+).*")) {
                missing.add(name);
            }
        }
        assertTrue(limits >= 15, "found " + limits + " size constants");
        assertTrue(missing.isEmpty(), "size constants without Javadoc citing a clause: " + missing);
    }

    @Test
    void limitsAreConsistent() {
        assertEquals(DiameterConstants.MAX_MESSAGE_LENGTH - DiameterConstants.HEADER_LENGTH, DiameterConstants.MAX_AVP_LENGTH);
        assertTrue(DiameterConstants.MAX_MESSAGE_LENGTH <= DiameterConstants.MESSAGE_LENGTH_FIELD_MAX);
        assertTrue(DiameterConstants.MAX_AVP_LENGTH <= DiameterConstants.AVP_LENGTH_FIELD_MAX);
        assertEquals(0, DiameterConstants.MAX_MESSAGE_LENGTH % DiameterConstants.AVP_ALIGNMENT);
        assertEquals(DiameterConstants.AVP_HEADER_LENGTH + 4, DiameterConstants.AVP_HEADER_LENGTH_VENDOR);
        assertEquals(0, DiameterConstants.HEADER_LENGTH % DiameterConstants.AVP_ALIGNMENT);
    }

    @Test
    void oversizeTextFailsBeforeItIsScanned() {
        String huge = "a".repeat(10_000_000);
        long t0 = System.nanoTime();
        assertFalse(DiameterIdentity.isValid(huge));
        assertThrows(IllegalArgumentException.class, () -> DiameterUri.parse("aaa://" + huge));
        assertThrows(IllegalArgumentException.class, () -> Avp.utf8(1, 0, true, huge));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        assertFalse(DiameterIdentity.isValid("a".repeat(DiameterConstants.MAX_DIAMETER_IDENTITY_LENGTH + 1)));
        assertFalse(DiameterIdentity.isValid("a".repeat(DiameterConstants.MAX_DNS_LABEL_LENGTH + 1)));
        assertTrue(DiameterIdentity.isValid("a".repeat(DiameterConstants.MAX_DNS_LABEL_LENGTH)));
        assertEquals(DiameterConstants.MAX_PORT, DiameterUri.parse("aaa://h:65535").port());
    }
}

package org.sipcharge.cdr.file;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads TS 32.297 CDR files back (for tests, for admins checking a file, and for crash recovery of an open file),
 * checking every length and count against the bytes: a file that does not add up is refused with the reason.
 */
public final class CdrFileReader {

    /** A closed file: its header and its CDRs, in order. */
    public record CdrFile(long fileLength, int headerLength, int highRelease, int highVersion, int lowRelease, int lowVersion,
                          int openedTimestamp, int lastAppendTimestamp, long cdrCount, long sequence,
                          CdrFileFormat.ClosureReason closureReason, InetAddress nodeAddress, int lostIndicator,
                          List<byte[]> cdrs) {

        public String opened() {
            return CdrFileFormat.describeTimestamp(openedTimestamp);
        }

        public String lastAppend() {
            return CdrFileFormat.describeTimestamp(lastAppendTimestamp);
        }
    }

    /** What crash recovery needs from a file found open. */
    record Scan(long sequence, int openedTimestamp, int lastAppend, long completeLength, int completeCdrs, int tornCdrs) {
    }

    private CdrFileReader() {
    }

    /** Smallest header a file can have: up to and including the routeing filter length (TS 32.297 6.1.1). */
    private static final int MIN_HEADER = 50;

    public static CdrFile read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        String name = file.getFileName().toString();
        if (b.remaining() < MIN_HEADER) {
            throw new CdrFileFormatException(name + ": " + b.remaining() + " octets, shorter than a file header");
        }
        long fileLength = b.getInt() & 0xFFFFFFFFL;
        int headerLength = b.getInt();
        if (fileLength != b.capacity()) {
            throw new CdrFileFormatException(name + ": header says " + fileLength + " octets, the file has " + b.capacity());
        }
        if (headerLength < MIN_HEADER || headerLength > fileLength) {
            throw new CdrFileFormatException(name + ": header length " + headerLength + " out of range");
        }
        int high = b.get() & 0xFF;
        int low = b.get() & 0xFF;
        int opened = b.getInt();
        int appended = b.getInt();
        long count = b.getInt() & 0xFFFFFFFFL;
        long sequence = b.getInt() & 0xFFFFFFFFL;
        CdrFileFormat.ClosureReason reason = CdrFileFormat.ClosureReason.of(b.get() & 0xFF);
        byte[] address = new byte[20];
        b.get(address);
        int lost = b.get() & 0xFF;
        int filterLength = b.getShort() & 0xFFFF;
        int highExt = 0;
        int lowExt = 0;
        int rest = headerLength - MIN_HEADER - filterLength;
        if (rest < 0) {
            throw new CdrFileFormatException(name + ": routeing filter of " + filterLength + " octets overruns the header");
        }
        b.position(b.position() + filterLength);
        // After the filter: the private extension (its length, then its octets), which some writers leave out when
        // empty, then one release extension octet for each release field that is 7.
        int extensions = ((high >>> 5) == 7 ? 1 : 0) + ((low >>> 5) == 7 ? 1 : 0);
        if (rest >= extensions + 2) {
            int privateLength = b.getShort() & 0xFFFF;
            if (privateLength > rest - 2 - extensions) {
                throw new CdrFileFormatException(name + ": private extension of " + privateLength + " octets overruns the header");
            }
            b.position(b.position() + privateLength);
            rest -= 2 + privateLength;
        }
        if ((high >>> 5) == 7 && rest >= 1) {
            highExt = b.get() & 0xFF;
            rest--;
        }
        if ((low >>> 5) == 7 && rest >= 1) {
            lowExt = b.get() & 0xFF;
        }
        b.position(headerLength);
        List<byte[]> cdrs = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new CdrFileFormatException(name + ": " + b.remaining() + " octets after CDR " + cdrs.size() + ", too few for a CDR header");
            }
            int length = b.getShort() & 0xFFFF;
            int relver = b.get() & 0xFF;
            int fmt = b.get() & 0xFF;
            if ((relver >>> 5) == 7) {
                b.get();
            }
            if ((fmt >>> 5) != CdrFileFormat.FORMAT_BER) {
                throw new CdrFileFormatException(name + ": CDR " + cdrs.size() + " has data record format " + (fmt >>> 5) + ", not BER (1)");
            }
            if (length > b.remaining()) {
                throw new CdrFileFormatException(name + ": CDR " + cdrs.size() + " claims " + length + " octets, " + b.remaining() + " left");
            }
            byte[] cdr = new byte[length];
            b.get(cdr);
            cdrs.add(cdr);
        }
        if (cdrs.size() != count) {
            throw new CdrFileFormatException(name + ": header counts " + count + " CDRs, the file holds " + cdrs.size());
        }
        return new CdrFile(fileLength, headerLength, CdrFileFormat.release(high >>> 5, highExt), high & 0x1F,
                CdrFileFormat.release(low >>> 5, lowExt), low & 0x1F, opened, appended, count, sequence, reason,
                CdrFileFormat.nodeAddress(address), lost, List.copyOf(cdrs));
    }

    /** Walks a file that was never closed: its header is the one written when it opened; CDRs run to the end or tear. */
    static Scan scanOpenFile(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.capacity() < CdrFileFormat.FILE_HEADER_LENGTH) {
            throw new CdrFileFormatException(file.getFileName() + ": open file without a complete header (" + b.capacity() + " octets)");
        }
        int headerLength = b.getInt(4);
        int opened = b.getInt(10);
        long sequence = b.getInt(22) & 0xFFFFFFFFL;
        int lastAppend = CdrFileFormat.timestamp(java.time.ZonedDateTime.ofInstant(Files.getLastModifiedTime(file).toInstant(),
                java.time.ZoneOffset.UTC));
        long complete = headerLength;
        int cdrs = 0;
        int torn = 0;
        b.position(headerLength);
        while (b.hasRemaining()) {
            if (b.remaining() < CdrFileFormat.CDR_HEADER_LENGTH) {
                torn = 1;
                break;
            }
            int length = b.getShort() & 0xFFFF;
            int relver = b.get() & 0xFF;
            b.get();
            int headerOctets = 4;
            if ((relver >>> 5) == 7) {
                b.get();
                headerOctets = 5;
            }
            if (length == 0 || length > b.remaining()) {
                torn = 1;
                break;
            }
            b.position(b.position() + length);
            complete += headerOctets + length;
            cdrs++;
        }
        return new Scan(sequence, opened, lastAppend, complete, cdrs, torn);
    }

    /** A CDR file whose bytes do not add up. */
    public static final class CdrFileFormatException extends IOException {
        public CdrFileFormatException(String message) {
            super(message);
        }
    }
}

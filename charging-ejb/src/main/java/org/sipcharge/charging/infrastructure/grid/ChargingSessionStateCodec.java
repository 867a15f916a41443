package org.sipcharge.charging.infrastructure.grid;

import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The bytes of a {@link ChargingSessionState} in the replicated store. An own format rather than Java serialization:
 * about a third of the size (no class descriptors), no class loading on grid threads, and canonical, so that
 * {@code encode(decode(b))} equals {@code b} and the store can compare-and-set on bytes. Times are kept to the
 * millisecond, the precision of the TS 32.299 timestamp fractions we send.
 */
public final class ChargingSessionStateCodec {

    /** First byte of every encoding; a reader refuses others instead of misreading a newer layout. */
    static final byte VERSION = 1;
    private static final long NO_TIME = Long.MIN_VALUE;

    private ChargingSessionStateCodec() {
    }

    public static byte[] encode(ChargingSessionState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(s.diameterSessionId());
            ChargeableSession c = s.session();
            out.writeUTF(c.sessionKey());
            out.writeUTF(c.callingParty());
            out.writeUTF(c.calledParty());
            out.writeLong(c.requestTime().toEpochMilli());
            out.writeLong(c.answerTime().toEpochMilli());
            out.writeInt((int) s.lastRecordNumber()); // Unsigned32, read back with & 0xFFFFFFFFL
            out.writeInt((int) s.interimIntervalSeconds());
            out.writeByte(s.inFlight() == null ? 0 : s.inFlight().code());
            out.writeUTF(s.inFlightOwner());
            out.writeLong(s.inFlightSinceMillis());
            out.writeLong(s.nextInterimMillis());
            out.writeLong(s.stopTime() == null ? NO_TIME : s.stopTime().toEpochMilli());
            out.writeInt(s.stopCause());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ChargingSessionState decode(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("accounting session state version " + version + ", this node reads " + VERSION);
            }
            String sessionId = in.readUTF();
            ChargeableSession c = new ChargeableSession(in.readUTF(), in.readUTF(), in.readUTF(),
                    Instant.ofEpochMilli(in.readLong()), Instant.ofEpochMilli(in.readLong()));
            long last = in.readInt() & 0xFFFFFFFFL;
            long interval = in.readInt();
            int inFlight = in.readByte();
            String owner = in.readUTF();
            long since = in.readLong();
            long next = in.readLong();
            long stop = in.readLong();
            int cause = in.readInt();
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " bytes after the accounting session state");
            }
            return new ChargingSessionState(sessionId, c, last, interval, inFlight == 0 ? null : AccountingRecordType.of(inFlight),
                    owner, since, next, stop == NO_TIME ? null : Instant.ofEpochMilli(stop), cause);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated accounting session state (" + b.length + " bytes)", e);
        }
    }

    /** The same value as it reads back from the store (times cut to milliseconds): what compare-and-set compares. */
    public static ChargingSessionState canonical(ChargingSessionState s) {
        return decode(encode(s));
    }
}

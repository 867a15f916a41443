package org.sipcharge.sip.b2bua.domain;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One call through the B2BUA: both dialogs' identifiers, remote targets and sequence numbers.
 * Stored in the replicated store as bytes of our own format ({@link #toBytes()}), so that the grid never
 * needs the application's classes to hold it, and so that its size is known (about 400-700 bytes).
 *
 * <p>A leg: the caller's dialog, where the B2BUA is the UAS. B leg: the dialog the B2BUA opened towards the
 * callee, where it is the UAC (RFC 3261 section 12 names these fields).
 */
public final class CallState {

    private static final int FORMAT = 1;

    public CallPhase phase = CallPhase.INVITING;
    public String callingParty = "";
    public String calledParty = "";
    public long requestTimeMillis;
    public long answerTimeMillis;
    /** The node that received the INVITE (for the admin API and failover diagnostics). */
    public String node = "";

    // A leg (we are the UAS): the caller's tags, URIs, target and our sequence numbers towards the caller.
    public String aCallId = "";
    public String aRemoteTag = "";
    public String aLocalTag = "";
    public String aRemoteUri = "";
    public String aLocalUri = "";
    public String aRemoteTarget = "";
    public String aRouteSet = "";
    public String aTransport = "udp";
    public long aLocalCseq = 1;

    // B leg (we are the UAC).
    public String bCallId = "";
    public String bLocalTag = "";
    public String bRemoteTag = "";
    public String bRemoteTarget = "";
    public String bRouteSet = "";
    public String bRequestUri = "";
    public long bInviteCseq = 1;
    public long bLocalCseq = 1;

    public boolean charged;

    /**
     * P-Charging-Vector of the call (RFC 7315 4.6): the icid (taken from the INVITE, or generated here) and the
     * originating IOI. Written after all other fields, without a new format number: a node of the previous release
     * reads the fields it knows and ignores these (a rolling upgrade keeps working; such a node's update drops them).
     */
    public String icid = "";
    public String originatingIoi = "";

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeByte(phase.ordinal());
            out.writeUTF(callingParty);
            out.writeUTF(calledParty);
            out.writeLong(requestTimeMillis);
            out.writeLong(answerTimeMillis);
            out.writeUTF(node);
            out.writeUTF(aCallId);
            out.writeUTF(aRemoteTag);
            out.writeUTF(aLocalTag);
            out.writeUTF(aRemoteUri);
            out.writeUTF(aLocalUri);
            out.writeUTF(aRemoteTarget);
            out.writeUTF(aRouteSet);
            out.writeUTF(aTransport);
            out.writeLong(aLocalCseq);
            out.writeUTF(bCallId);
            out.writeUTF(bLocalTag);
            out.writeUTF(bRemoteTag);
            out.writeUTF(bRemoteTarget);
            out.writeUTF(bRouteSet);
            out.writeUTF(bRequestUri);
            out.writeLong(bInviteCseq);
            out.writeLong(bLocalCseq);
            out.writeBoolean(charged);
            out.writeUTF(icid);
            out.writeUTF(originatingIoi);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static CallState fromBytes(byte[] data) {
        Objects.requireNonNull(data, "data");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("SIP-300 unknown call state format " + format);
            }
            CallState s = new CallState();
            s.phase = CallPhase.values()[in.readUnsignedByte()];
            s.callingParty = in.readUTF();
            s.calledParty = in.readUTF();
            s.requestTimeMillis = in.readLong();
            s.answerTimeMillis = in.readLong();
            s.node = in.readUTF();
            s.aCallId = in.readUTF();
            s.aRemoteTag = in.readUTF();
            s.aLocalTag = in.readUTF();
            s.aRemoteUri = in.readUTF();
            s.aLocalUri = in.readUTF();
            s.aRemoteTarget = in.readUTF();
            s.aRouteSet = in.readUTF();
            s.aTransport = in.readUTF();
            s.aLocalCseq = in.readLong();
            s.bCallId = in.readUTF();
            s.bLocalTag = in.readUTF();
            s.bRemoteTag = in.readUTF();
            s.bRemoteTarget = in.readUTF();
            s.bRouteSet = in.readUTF();
            s.bRequestUri = in.readUTF();
            s.bInviteCseq = in.readLong();
            s.bLocalCseq = in.readLong();
            s.charged = in.readBoolean();
            if (in.available() > 0) {
                s.icid = in.readUTF();
                s.originatingIoi = in.readUTF();
            }
            return s;
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("SIP-301 corrupt call state: " + e, e);
        }
    }
}

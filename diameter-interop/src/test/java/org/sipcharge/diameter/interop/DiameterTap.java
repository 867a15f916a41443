package org.sipcharge.diameter.interop;

import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback that frames the Diameter messages passing through it and records a summary of each, so
 * a test can see what two peers said to each other (CER/CEA, DWR/DWA, DPR/DPA) without relying on either one's
 * logs. {@code upstream} is what the connecting side sends, {@code downstream} the answers coming back.
 */
final class DiameterTap implements AutoCloseable {

    enum Direction { UPSTREAM, DOWNSTREAM }

    /** One message seen on the wire. */
    record Frame(Direction direction, int commandCode, boolean request, boolean error, boolean retransmit,
                 long resultCode, String originHost, long nanoTime) {
        @Override
        public String toString() {
            return (direction == Direction.UPSTREAM ? "-> " : "<- ") + name(commandCode, request)
                    + (resultCode > 0 ? " " + resultCode : "") + (error ? " E" : "") + (retransmit ? " T" : "")
                    + (originHost != null ? " from " + originHost : "");
        }
    }

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    DiameterTap(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = Interop.THREADS.newThread(this::acceptLoop);
        t.setName("tap-accept-" + listener.getLocalPort());
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** Frames of this command, in order. */
    List<Frame> frames(int commandCode) {
        return frames.stream().filter(f -> f.commandCode() == commandCode).toList();
    }

    static String name(int code, boolean request) {
        String base = switch (code) {
            case DiameterConstants.CMD_CAPABILITIES_EXCHANGE -> "CE";
            case DiameterConstants.CMD_DEVICE_WATCHDOG -> "DW";
            case DiameterConstants.CMD_DISCONNECT_PEER -> "DP";
            case DiameterConstants.CMD_ACCOUNTING -> "AC";
            default -> "cmd" + code;
        };
        return base + (request ? "R" : "A");
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket();
                out.connect(target, 5000);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                sockets.add(in);
                sockets.add(out);
                pump(in, out, Direction.UPSTREAM);
                pump(out, in, Direction.DOWNSTREAM);
            } catch (IOException e) {
                if (!closed) {
                    System.out.println("[tap] " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, Direction direction) {
        Thread t = Interop.THREADS.newThread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    byte[] header = in.readNBytes(DiameterConstants.HEADER_LENGTH);
                    if (header.length < DiameterConstants.HEADER_LENGTH) {
                        break;
                    }
                    int length = ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                    byte[] frame = new byte[Math.max(length, header.length)];
                    System.arraycopy(header, 0, frame, 0, header.length);
                    int rest = in.readNBytes(frame, header.length, frame.length - header.length);
                    record(direction, frame);
                    out.write(frame, 0, header.length + rest);
                    out.flush();
                    if (rest < frame.length - header.length) {
                        break;
                    }
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
        t.setName("tap-" + direction + "-" + from.getPort());
        t.start();
    }

    private void record(Direction direction, byte[] frame) {
        int flags = frame[4] & 0xFF;
        int code = ((frame[5] & 0xFF) << 16) | ((frame[6] & 0xFF) << 8) | (frame[7] & 0xFF);
        long result = 0;
        String origin = null;
        try {
            DiameterMessage m = DiameterMessage.decode(frame);
            result = m.resultCode();
            origin = m.avp(DiameterConstants.AVP_ORIGIN_HOST).map(Avp::asUtf8).orElse(null);
        } catch (Exception e) {
            // recorded by header only
        }
        Frame f = new Frame(direction, code, (flags & DiameterConstants.FLAG_REQUEST) != 0,
                (flags & DiameterConstants.FLAG_ERROR) != 0, (flags & DiameterConstants.FLAG_RETRANSMIT) != 0,
                result, origin, System.nanoTime());
        frames.add(f);
        System.out.println("[tap " + port() + "] " + f);
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        synchronized (sockets) {
            sockets.forEach(DiameterTap::closeQuietly);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.sun.jna.Native;

/**
 * The commit's check of the users' sessions, read from the kernel (TCP_INFO of each connection),
 * before the source copy is let go. Two halves:
 * <ul>
 * <li>at the source: the locked copy accepted nothing after the checkpoint ({@link #received}
 * at dump time against now). Bytes the source's kernel acknowledged are never resent by the
 * user and the target never had them: the session is wedged, in either client mode.</li>
 * <li>at the target, after the users' ports moved and before resume, with nothing from v let out
 * yet: which connections had data arrive in order and which have out-of-order data behind a
 * hole, reported only (under the hold a user fills a hole at its next retransmission, maybe
 * seconds away, so a hole cannot be told from a wedge there).</li>
 * </ul>
 */
final class SessionCheck {
    private SessionCheck() {
    }

    /** The fields of struct tcp_info this check reads (include/uapi/linux/tcp.h). */
    record TcpInfo(int unacked, long lastAckRecvMs, long bytesAcked, long bytesReceived, long outOfOrderPackets) {
        static TcpInfo parse(ByteBuffer b) {
            b.order(ByteOrder.nativeOrder());
            return new TcpInfo(b.getInt(24), Integer.toUnsignedLong(b.getInt(56)), b.getLong(120), b.getLong(128),
                    b.limit() >= 228 ? Integer.toUnsignedLong(b.getInt(224)) : 0);
        }
    }

    static TcpInfo tcpInfo(ConnectionCloser.Conn c) throws IOException {
        return ConnectionCloser.withFd(c, fd -> {
            byte[] buf = new byte[232];
            int[] len = {buf.length};
            if (LibC.INSTANCE.getsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_INFO, buf, len) != 0) {
                throw new IOException("getsockopt TCP_INFO failed (errno " + Native.getLastError() + ")");
            }
            return TcpInfo.parse(ByteBuffer.wrap(buf, 0, len[0]).slice());
        });
    }

    static String name(ConnectionCloser.Conn c) {
        return c.remote().getHostAddress() + ":" + c.remotePort();
    }

    /** Bytes received so far on each of the connections, by user address:port. */
    static Map<String, Long> received(List<ConnectionCloser.Conn> connections) throws IOException {
        return received(snapshot(connections, a -> true));
    }

    /** The bytes received in a {@link #snapshot}, by user address:port. */
    static Map<String, Long> received(Map<String, TcpInfo> snapshot) {
        Map<String, Long> m = new LinkedHashMap<>();
        snapshot.forEach((conn, info) -> m.put(conn, info.bytesReceived()));
        return m;
    }

    /** Source half: connections whose kernel took bytes after the checkpoint, with how many. */
    static List<String> acceptedSince(Map<String, Long> atCheckpoint, List<ConnectionCloser.Conn> connections)
            throws IOException {
        List<String> wedged = new ArrayList<>();
        Map<String, Long> now = received(connections);
        atCheckpoint.forEach((conn, then) -> {
            Long n = now.get(conn);
            if (n != null && n > then) {
                wedged.add("the source's kernel accepted " + (n - then) + " bytes from " + conn
                        + " after the checkpoint; the restored copy never had them");
            }
        });
        return wedged;
    }

    /** One connection's outcome at the target: bytes that arrived in order, out-of-order packets, a hole. */
    record Outcome(String connection, long receivedBytes, long outOfOrderPackets, boolean hole) {
    }

    /**
     * Each connection's TCP_INFO now, by user address:port, for the connections {@code which} picks.
     * The connections of a stopped copy are listed once (its descriptors cannot change), so the
     * checks inside the freeze read TCP_INFO only, without scanning /proc again.
     */
    static Map<String, TcpInfo> snapshot(List<ConnectionCloser.Conn> connections, Predicate<Inet4Address> which)
            throws IOException {
        Map<String, TcpInfo> m = new LinkedHashMap<>();
        for (ConnectionCloser.Conn c : connections) {
            if (which.test(c.remote())) {
                m.put(name(c), tcpInfo(c));
            }
        }
        return m;
    }

    /**
     * Target half, while {@link TargetHold} still keeps every packet from v in: one look at each
     * connection {@code which} picks, against {@code base} (taken at restore; a connection missing
     * there counts from now): the bytes that arrived in order since, the out-of-order packets, and
     * a hole when out-of-order packets came but nothing in order.
     */
    static List<Outcome> target(List<ConnectionCloser.Conn> connections, Predicate<Inet4Address> which,
                                Map<String, TcpInfo> base) throws IOException {
        List<Outcome> out = new ArrayList<>();
        for (Map.Entry<String, TcpInfo> e : snapshot(connections, which).entrySet()) {
            TcpInfo now = e.getValue();
            TcpInfo from = base.getOrDefault(e.getKey(), now);
            long inOrder = now.bytesReceived() - from.bytesReceived();
            long outOfOrder = now.outOfOrderPackets() - from.outOfOrderPackets();
            out.add(new Outcome(e.getKey(), inOrder, outOfOrder, inOrder == 0 && outOfOrder > 0));
        }
        return out;
    }
}

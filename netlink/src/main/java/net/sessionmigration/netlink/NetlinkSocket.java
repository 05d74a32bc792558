package net.sessionmigration.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An AF_NETLINK/NETLINK_ROUTE socket in the network namespace of the thread that opened it.
 * One request at a time (methods are synchronized); each request gets a fresh sequence number
 * and only replies carrying it are taken. Extended acks are switched on so kernel error texts
 * reach the exception, and acks are capped so the kernel does not echo whole requests.
 */
public final class NetlinkSocket implements AutoCloseable {
    /** Enough for any single dump datagram (the kernel sizes them to ~16-32 KiB). */
    private static final int RECEIVE_BUFFER = 64 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final LibC C;

    static {
        LibC.requireSupportedPlatform();
        C = LibC.INSTANCE;
    }

    private final int fd;
    private final int portId;
    private final Memory receiveBuffer = new Memory(RECEIVE_BUFFER);
    private final byte[] kernelAddress = sockaddrNl(0);
    private int sequence = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE / 2);
    private boolean closed;

    private NetlinkSocket(int fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /** Opens a route netlink socket in the calling thread's network namespace. */
    public static NetlinkSocket open() throws NetlinkException {
        return open(DEFAULT_TIMEOUT);
    }

    public static NetlinkSocket open(Duration timeout) throws NetlinkException {
        return open(LibC.NETLINK_ROUTE, timeout);
    }

    /** A netlink socket of another family ({@code NETLINK_NETFILTER} for {@link NfTables}). */
    static NetlinkSocket open(int protocol, Duration timeout) throws NetlinkException {
        int fd;
        try {
            fd = C.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw new NetlinkException("open netlink socket", e.getErrorCode(), null);
        }
        try {
            setIntOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            setIntOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            setIntOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, 1 << 20);
            setTimeout(fd, timeout);
            C.bind(fd, sockaddrNl(0), 12);
            byte[] bound = new byte[12];
            C.getsockname(fd, bound, new IntByReference(12));
            int portId = ByteBuffer.wrap(bound).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
            return new NetlinkSocket(fd, portId);
        } catch (LastErrorException e) {
            C.close(fd);
            throw new NetlinkException("set up netlink socket", e.getErrorCode(), null);
        }
    }

    public int portId() {
        return portId;
    }

    /**
     * Sends a request and waits for its complete answer: the ACK of a change (NLM_F_ACK), the
     * NLMSG_DONE of a dump, or the one reply of a get. Returns the replies other than ACK/DONE;
     * an NLMSG_ERROR with a non-zero errno becomes a {@link NetlinkException} naming {@code operation}.
     */
    public synchronized List<NetlinkMessage> execute(NetlinkRequest request, String operation) throws NetlinkException {
        ensureOpen(operation);
        int seq = nextSequence();
        send(request.marshal(seq, 0), operation);
        ReplyCollector collector = new ReplyCollector(seq, portId, ReplyCollector.Mode.of(request), operation);
        while (true) {
            for (NetlinkMessage m : NetlinkMessage.parseAll(receive(operation))) {
                if (collector.accept(m)) {
                    return collector.replies();
                }
            }
        }
    }

    /**
     * Sends the requests in one datagram, as nfnetlink wants a batch (BEGIN, the changes, END:
     * the kernel applies the changes all or none), and waits for the ACK of each request that
     * asks for one (NLM_F_ACK). An error answering any request of the batch fails it.
     */
    public synchronized void executeBatch(List<NetlinkRequest> batch, String operation) throws NetlinkException {
        ensureOpen(operation);
        java.io.ByteArrayOutputStream datagram = new java.io.ByteArrayOutputStream();
        java.util.Set<Integer> sent = new java.util.HashSet<>();
        java.util.Set<Integer> awaited = new java.util.HashSet<>();
        for (NetlinkRequest r : batch) {
            int seq = nextSequence();
            datagram.writeBytes(r.marshal(seq, 0));
            sent.add(seq);
            if ((r.flags() & Rtnl.NLM_F_ACK) != 0) {
                awaited.add(seq);
            }
        }
        send(datagram.toByteArray(), operation);
        while (!awaited.isEmpty()) {
            for (NetlinkMessage m : NetlinkMessage.parseAll(receive(operation))) {
                NetlinkHeader h = m.header();
                if (h.type() != Rtnl.NLMSG_ERROR || !sent.contains(h.sequence())
                        || (h.portId() != portId && h.portId() != 0)) {
                    continue; // not an answer to this batch
                }
                NetlinkError e = NetlinkError.unmarshal(h.flags(), m.payload());
                if (!e.isAck()) {
                    throw e.toException(operation);
                }
                awaited.remove(h.sequence());
            }
        }
    }

    private int nextSequence() {
        sequence = sequence == Integer.MAX_VALUE ? 1 : sequence + 1;
        return sequence;
    }

    private void send(byte[] message, String operation) throws NetlinkException {
        while (true) {
            try {
                C.sendto(fd, message, message.length, 0, kernelAddress, kernelAddress.length);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw new NetlinkException(operation + " (send)", e.getErrorCode(), null);
                }
            }
        }
    }

    private ByteBuffer receive(String operation) throws NetlinkException {
        long n;
        while (true) {
            try {
                n = C.recvfrom(fd, receiveBuffer, RECEIVE_BUFFER, LibC.MSG_TRUNC, null, null);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.EAGAIN) {
                    throw new NetlinkException(operation, "no answer from the kernel within the socket timeout");
                }
                if (e.getErrorCode() != LibC.EINTR) {
                    throw new NetlinkException(operation + " (receive)", e.getErrorCode(), null);
                }
            }
        }
        if (n > RECEIVE_BUFFER) {
            throw new NetlinkException(operation, "reply of " + n + " bytes truncated to " + RECEIVE_BUFFER);
        }
        byte[] copy = new byte[(int) n];
        receiveBuffer.read(0, copy, 0, copy.length);
        return ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void ensureOpen(String operation) throws NetlinkException {
        if (closed) {
            throw new NetlinkException(operation, "netlink socket is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                C.close(fd);
            } catch (LastErrorException ignored) {
                // nothing useful to do: the descriptor is gone either way
            }
        }
    }

    /** {@code struct sockaddr_nl}: u16 family, u16 pad, u32 port id, u32 groups. */
    static byte[] sockaddrNl(int portId) {
        return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putShort((short) LibC.AF_NETLINK)
                .putShort((short) 0).putInt(portId).putInt(0).array();
    }

    static void setIntOption(int fd, int level, int option, int value) {
        C.setsockopt(fd, level, option, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array(), 4);
    }

    /** SO_RCVTIMEO takes a {@code struct timeval} (two longs on 64-bit). */
    static void setTimeout(int fd, Duration timeout) {
        long micros = Math.max(1, timeout.toNanos() / 1000);
        byte[] tv = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(micros / 1_000_000).putLong(micros % 1_000_000).array();
        C.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, tv.length);
    }
}

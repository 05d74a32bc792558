package net.sessionmigration.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.ptr.IntByReference;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * An AF_PACKET SOCK_RAW socket, in the network namespace of the thread that opened it: sends
 * whole Ethernet frames (gratuitous ARP) and, when opened as a receiver, reads the ARP frames
 * arriving on one interface.
 */
public final class PacketSocket implements AutoCloseable {
    private static final LibC C;
    private static final int SOCKADDR_LL_SIZE = 20;
    private static final int PACKET_OUTGOING = 4;

    static {
        LibC.requireSupportedPlatform();
        C = LibC.INSTANCE;
    }

    /** A frame read from the socket, with where it came from. */
    public record ReceivedFrame(int ifindex, int packetType, byte[] frame) {
        public ReceivedFrame {
            frame = frame.clone();
        }

        @Override
        public byte[] frame() {
            return frame.clone();
        }

        public boolean isOutgoing() {
            return packetType == PACKET_OUTGOING;
        }
    }

    private final int fd;
    private final Memory receiveBuffer = new Memory(2048);
    private boolean closed;

    private PacketSocket(int fd) {
        this.fd = fd;
    }

    /**
     * A send-only socket. Protocol 0 means the kernel delivers no frames to it, so nothing queues up
     * in a socket that never reads; the frame's protocol (ETH_P_ARP) goes in the sockaddr_ll of each send.
     */
    public static PacketSocket openSender() throws NetlinkException {
        return new PacketSocket(socket(0, "open packet socket"));
    }

    public static PacketSocket openSenderInNamespace(String netns) throws IOException {
        return NetNamespace.call(netns, PacketSocket::openSender);
    }

    /** A socket receiving the ARP frames (ETH_P_ARP) seen on interface {@code ifindex}. */
    public static PacketSocket openArpReceiver(int ifindex) throws NetlinkException {
        int fd = socket(htons(Rtnl.ETH_P_ARP), "open ARP receive socket");
        try {
            C.bind(fd, sockaddrLl(Rtnl.ETH_P_ARP, ifindex, MacAddress.ZERO), SOCKADDR_LL_SIZE);
        } catch (LastErrorException e) {
            C.close(fd);
            throw new NetlinkException("bind ARP receive socket to ifindex " + ifindex, e.getErrorCode(), null);
        }
        return new PacketSocket(fd);
    }

    public static PacketSocket openArpReceiverInNamespace(String netns, int ifindex) throws IOException {
        return NetNamespace.call(netns, () -> openArpReceiver(ifindex));
    }

    private static int socket(int protocol, String operation) throws NetlinkException {
        try {
            return C.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw new NetlinkException(operation, e.getErrorCode(), null);
        }
    }

    /**
     * Broadcasts a gratuitous ARP for {@code ip} from {@code link} (its index and MAC, as
     * {@link RtNetlink#requireLink(String)} returns them).
     */
    public void sendGratuitousArp(Link link, Inet4Address ip, ArpPacket.Form form) throws NetlinkException {
        MacAddress mac = link.mac().orElseThrow(() -> new NetlinkException(
                "send gratuitous ARP for " + ip.getHostAddress() + " on " + link.name(), "the link has no MAC address"));
        ArpPacket arp = ArpPacket.gratuitous(mac, ip, form);
        send(link.index(), arp.marshal(), Rtnl.ETH_P_ARP, MacAddress.BROADCAST,
                "send gratuitous ARP (" + form.name().toLowerCase() + ") for " + ip.getHostAddress() + " on " + link.name());
    }

    /** Sends a complete Ethernet frame out of {@code ifindex}. */
    public synchronized void send(int ifindex, byte[] frame, int ethertype, MacAddress destination, String operation)
            throws NetlinkException {
        if (closed) {
            throw new NetlinkException(operation, "packet socket is closed");
        }
        byte[] to = sockaddrLl(ethertype, ifindex, destination);
        while (true) {
            try {
                C.sendto(fd, frame, frame.length, 0, to, to.length);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw new NetlinkException(operation, e.getErrorCode(), null);
                }
            }
        }
    }

    /** The next frame, or empty if none arrives within {@code timeout}. */
    public synchronized Optional<ReceivedFrame> receive(Duration timeout) throws NetlinkException {
        if (closed) {
            throw new NetlinkException("receive frame", "packet socket is closed");
        }
        try {
            NetlinkSocket.setTimeout(fd, timeout);
        } catch (LastErrorException e) {
            throw new NetlinkException("set receive timeout", e.getErrorCode(), null);
        }
        byte[] from = new byte[SOCKADDR_LL_SIZE];
        IntByReference fromLength = new IntByReference(SOCKADDR_LL_SIZE);
        long n;
        while (true) {
            try {
                n = C.recvfrom(fd, receiveBuffer, receiveBuffer.size(), 0, from, fromLength);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == LibC.EAGAIN) {
                    return Optional.empty();
                }
                if (e.getErrorCode() != LibC.EINTR) {
                    throw new NetlinkException("receive frame", e.getErrorCode(), null);
                }
            }
        }
        ByteBuffer addr = ByteBuffer.wrap(from).order(ByteOrder.LITTLE_ENDIAN);
        int ifindex = addr.getInt(4);
        int pktType = Byte.toUnsignedInt(addr.get(10));
        byte[] frame = new byte[(int) n];
        receiveBuffer.read(0, frame, 0, frame.length);
        return Optional.of(new ReceivedFrame(ifindex, pktType, Arrays.copyOf(frame, frame.length)));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                C.close(fd);
            } catch (LastErrorException ignored) {
                // the descriptor is gone either way
            }
        }
    }

    /**
     * {@code struct sockaddr_ll}: u16 family (host order), be16 protocol, s32 ifindex, u16 hatype,
     * u8 pkttype, u8 halen, u8 addr[8].
     */
    static byte[] sockaddrLl(int ethertype, int ifindex, MacAddress address) {
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_LL_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) LibC.AF_PACKET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) ethertype).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(ifindex).putShort((short) 0).put((byte) 0).put((byte) 6).put(address.bytes()).put(new byte[2]);
        return b.array();
    }

    static int htons(int v) {
        return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
    }
}

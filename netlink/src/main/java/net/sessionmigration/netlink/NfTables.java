package net.sessionmigration.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;

/**
 * The nf_tables operations the daemon needs on its hot path, over nfnetlink
 * ({@code NETLINK_NETFILTER}) instead of a process of {@code nft} per change (about 11 ms each on
 * the lab, most of it the process start). One instance holds one socket in the network namespace
 * of the thread that opened it; thread-safe.
 */
public final class NfTables implements AutoCloseable {
    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;
    static final int NFT_MSG_DELTABLE = 2;
    static final int NFTA_TABLE_NAME = 1;
    static final int NFPROTO_INET = 1;
    private static final int AF_UNSPEC = 0;

    private final NetlinkSocket socket;

    private NfTables(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a client in the calling thread's network namespace. */
    public static NfTables open() throws NetlinkException {
        return new NfTables(NetlinkSocket.open(LibC.NETLINK_NETFILTER, NetlinkSocket.DEFAULT_TIMEOUT));
    }

    /** Opens a client in {@code /run/netns/NAME}. */
    public static NfTables openInNamespace(String name) throws java.io.IOException {
        return NetNamespace.call(name, NfTables::open);
    }

    /**
     * {@code nft delete table inet NAME}: the table with its chains and rules, in one kernel
     * transaction. Returns false when there was no such table (ENOENT).
     */
    public boolean deleteInetTable(String name) throws NetlinkException {
        try {
            socket.executeBatch(deleteInetTableBatch(name), "delete table inet " + name);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    /** The batch {@link #deleteInetTable} sends: BEGIN, NFT_MSG_DELTABLE (with ACK), END. */
    static List<NetlinkRequest> deleteInetTableBatch(String name) {
        byte[] table = NetlinkAttribute.Attributes.marshal(List.of(NetlinkAttribute.string(NFTA_TABLE_NAME, name)));
        return List.of(batchMarker(NFNL_MSG_BATCH_BEGIN),
                new NetlinkRequest(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELTABLE, Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK,
                        concat(nfgenmsg(NFPROTO_INET, 0), table)),
                batchMarker(NFNL_MSG_BATCH_END));
    }

    private static NetlinkRequest batchMarker(int type) {
        return new NetlinkRequest(type, Rtnl.NLM_F_REQUEST, nfgenmsg(AF_UNSPEC, NFNL_SUBSYS_NFTABLES));
    }

    /** {@code struct nfgenmsg}: u8 family, u8 version (NFNETLINK_V0), be16 resource id. */
    static byte[] nfgenmsg(int family, int resourceId) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).put((byte) family).put((byte) 0)
                .putShort((short) resourceId).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }
}

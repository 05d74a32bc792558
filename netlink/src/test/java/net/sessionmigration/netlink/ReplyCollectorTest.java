package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Sequence matching, ack checking and dump termination, on hand-built kernel answers. */
class ReplyCollectorTest {
    private static final int PORT = 0x1234;

    private static NetlinkMessage msg(int type, int flags, int seq, byte[] payload) {
        return new NetlinkMessage(new NetlinkHeader(0, type, flags, seq, PORT), payload);
    }

    private static byte[] error(int errno, int requestSeq) {
        return ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putInt(-errno)
                .putInt(16).putShort((short) Rtnl.RTM_NEWLINK).putShort((short) 5).putInt(requestSeq).putInt(0).array();
    }

    private static final byte[] LINK = new LinkMessage(0, 1, 5, 0, 0, List.of()).marshal();

    @Test
    void skipsStaleRepliesAndEndsAtItsOwnAck() throws Exception {
        ReplyCollector c = new ReplyCollector(42, PORT, ReplyCollector.Mode.ACK, "set master of a to b");
        // the late error of an earlier, timed-out request must not fail this one
        assertFalse(c.accept(msg(Rtnl.NLMSG_ERROR, Rtnl.NLM_F_CAPPED, 41, error(Errno.ENODEV, 41))));
        assertTrue(c.accept(msg(Rtnl.NLMSG_ERROR, Rtnl.NLM_F_CAPPED, 42, error(0, 42))));
        assertEquals(1, c.skipped());
        assertTrue(c.replies().isEmpty());
    }

    @Test
    void failsWithTheOperationAndErrno() {
        ReplyCollector c = new ReplyCollector(7, PORT, ReplyCollector.Mode.ACK, "set master of veth-u1 to br-v2");
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> c.accept(msg(Rtnl.NLMSG_ERROR, Rtnl.NLM_F_CAPPED, 7, error(Errno.ENODEV, 7))));
        assertEquals("set master of veth-u1 to br-v2: No such device (ENODEV)", e.getMessage());
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals("ENODEV", e.errnoName());
    }

    @Test
    void collectsADumpUntilDone() throws Exception {
        ReplyCollector c = new ReplyCollector(9, PORT, ReplyCollector.Mode.DUMP, "list links");
        assertFalse(c.accept(msg(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_MULTI, 9, LINK)));
        assertFalse(c.accept(msg(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_MULTI, 8, LINK)));
        assertFalse(c.accept(msg(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_MULTI, 9, LINK)));
        assertTrue(c.accept(msg(Rtnl.NLMSG_DONE, Rtnl.NLM_F_MULTI, 9, new byte[4])));
        assertEquals(2, c.replies().size());
    }

    @Test
    void reportsAnInterruptedDumpAfterReadingItAll() throws Exception {
        ReplyCollector c = new ReplyCollector(9, PORT, ReplyCollector.Mode.DUMP, "list links");
        assertFalse(c.accept(msg(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_MULTI | Rtnl.NLM_F_DUMP_INTR, 9, LINK)));
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> c.accept(msg(Rtnl.NLMSG_DONE, Rtnl.NLM_F_MULTI, 9, new byte[4])));
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
    }

    @Test
    void reportsAnErrorCarriedByDone() {
        ReplyCollector c = new ReplyCollector(3, PORT, ReplyCollector.Mode.DUMP, "list bridge VLANs");
        byte[] done = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-Errno.EOPNOTSUPP).array();
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> c.accept(msg(Rtnl.NLMSG_DONE, Rtnl.NLM_F_MULTI, 3, done)));
        assertEquals("list bridge VLANs: Operation not supported (EOPNOTSUPP)", e.getMessage());
    }

    @Test
    void aGetWithoutAckEndsWithItsReply() throws Exception {
        ReplyCollector c = new ReplyCollector(5, PORT, ReplyCollector.Mode.SINGLE, "get link x");
        assertTrue(c.accept(msg(Rtnl.RTM_NEWLINK, 0, 5, LINK)));
        assertEquals(1, c.replies().size());
        assertEquals(ReplyCollector.Mode.SINGLE, ReplyCollector.Mode.of(RtnlRequests.getLink("x")));
        assertEquals(ReplyCollector.Mode.ACK, ReplyCollector.Mode.of(RtnlRequests.setMaster(1, 2)));
        assertEquals(ReplyCollector.Mode.DUMP, ReplyCollector.Mode.of(RtnlRequests.dumpLinks()));
    }

    @Test
    void parsesSeveralMessagesInOneDatagram() {
        byte[] a = msg(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_MULTI, 1, LINK).marshal();
        byte[] b = msg(Rtnl.NLMSG_DONE, Rtnl.NLM_F_MULTI, 1, new byte[4]).marshal();
        byte[] both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
        assertEquals(List.of(Rtnl.RTM_NEWLINK, Rtnl.NLMSG_DONE),
                NetlinkMessage.parseAll(both).stream().map(NetlinkMessage::type).toList());
    }
}

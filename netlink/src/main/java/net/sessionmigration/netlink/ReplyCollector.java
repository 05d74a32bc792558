package net.sessionmigration.netlink;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the replies to one request: messages with another sequence number or port id
 * (stale answers to an earlier, timed-out request; notifications) are skipped; NLMSG_ERROR with
 * errno 0 ends an acknowledged request, a non-zero errno fails any request; NLMSG_DONE ends a
 * dump; a get without NLM_F_ACK ends with its one reply.
 */
final class ReplyCollector {
    /** How the end of the answer is recognised. */
    enum Mode {
        /** NLM_F_ACK was set: ends with NLMSG_ERROR errno 0. */
        ACK,
        /** NLM_F_DUMP: ends with NLMSG_DONE. */
        DUMP,
        /** A get without NLM_F_ACK: ends with the first reply. */
        SINGLE;

        static Mode of(NetlinkRequest r) {
            if (r.isDump()) {
                return DUMP;
            }
            return (r.flags() & Rtnl.NLM_F_ACK) != 0 ? ACK : SINGLE;
        }
    }

    private final int sequence;
    private final int portId;
    private final Mode mode;
    private final String operation;
    private final List<NetlinkMessage> replies = new ArrayList<>();
    private int skipped;
    private boolean interrupted;

    ReplyCollector(int sequence, int portId, Mode mode, String operation) {
        this.sequence = sequence;
        this.portId = portId;
        this.mode = mode;
        this.operation = operation;
    }

    /** @return true when the request is complete */
    boolean accept(NetlinkMessage m) throws NetlinkException {
        NetlinkHeader h = m.header();
        if (h.sequence() != sequence || (h.portId() != portId && h.portId() != 0)) {
            skipped++;
            return false;
        }
        switch (h.type()) {
            case Rtnl.NLMSG_NOOP:
                return false;
            case Rtnl.NLMSG_ERROR: {
                NetlinkError e = NetlinkError.unmarshal(h.flags(), m.payload());
                if (!e.isAck()) {
                    throw e.toException(operation);
                }
                return true;
            }
            case Rtnl.NLMSG_DONE: {
                byte[] p = m.payload();
                if (p.length >= 4) {
                    int err = m.payloadBuffer().getInt();
                    if (err < 0) {
                        throw new NetlinkException(operation, -err, null);
                    }
                }
                if (interrupted || (h.flags() & Rtnl.NLM_F_DUMP_INTR) != 0) {
                    throw new NetlinkException(operation, "dump interrupted by a concurrent change; retry");
                }
                return true;
            }
            case Rtnl.NLMSG_OVERRUN:
                throw new NetlinkException(operation, "netlink overrun: replies were lost");
            default:
                // keep reading to NLMSG_DONE so no part of this dump is left in the socket
                interrupted |= (h.flags() & Rtnl.NLM_F_DUMP_INTR) != 0;
                replies.add(m);
                return mode == Mode.SINGLE;
        }
    }

    List<NetlinkMessage> replies() {
        return List.copyOf(replies);
    }

    Mode mode() {
        return mode;
    }

    int skipped() {
        return skipped;
    }
}

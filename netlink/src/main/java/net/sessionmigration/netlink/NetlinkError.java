package net.sessionmigration.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The payload of NLMSG_ERROR ({@code struct nlmsgerr}): a negative errno (0 = acknowledgement),
 * the header of the request it answers, the request's payload unless NLM_F_CAPPED, then
 * extended-ack attributes if NLM_F_ACK_TLVS.
 *
 * @param errno positive errno, 0 for an acknowledgement
 */
public record NetlinkError(int errno, NetlinkHeader request, Optional<String> kernelMessage, OptionalInt offset) {

    public boolean isAck() {
        return errno == 0;
    }

    /** Decodes the payload of an NLMSG_ERROR message whose header carried {@code flags}. */
    public static NetlinkError unmarshal(int flags, byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4 + NetlinkHeader.SIZE) {
            throw new IllegalArgumentException("NLMSG_ERROR payload too short: " + payload.length + " bytes");
        }
        int error = in.getInt();
        NetlinkHeader request = NetlinkHeader.unmarshal(in);
        Optional<String> message = Optional.empty();
        OptionalInt offset = OptionalInt.empty();
        if ((flags & Rtnl.NLM_F_CAPPED) == 0) {
            int echoed = Math.max(0, request.length() - NetlinkHeader.SIZE);
            in.position(Math.min(in.limit(), in.position() + NetlinkAttribute.Attributes.align(echoed)));
        }
        if ((flags & Rtnl.NLM_F_ACK_TLVS) != 0) {
            List<NetlinkAttribute> tlvs = NetlinkAttribute.Attributes.parse(in);
            message = NetlinkAttribute.Attributes.find(tlvs, Rtnl.NLMSGERR_ATTR_MSG).map(NetlinkAttribute::asString);
            offset = NetlinkAttribute.Attributes.find(tlvs, Rtnl.NLMSGERR_ATTR_OFFS)
                    .map(a -> OptionalInt.of(a.asU32())).orElse(OptionalInt.empty());
        }
        return new NetlinkError(-error, request, message, offset);
    }

    public NetlinkException toException(String operation) {
        return new NetlinkException(operation, errno, kernelMessage.orElse(null));
    }
}

package net.sessionmigration.netlink;

/**
 * Numeric constants from the kernel uapi headers (linux/netlink.h, rtnetlink.h, if_link.h,
 * if_addr.h, if_bridge.h, if.h). Kept in one place so each number is written once.
 */
public final class Rtnl {
    private Rtnl() {
    }

    // linux/netlink.h: message types
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    // linux/netlink.h: flags
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    /** In NLMSG_ERROR: the original request's payload was not echoed. */
    public static final int NLM_F_CAPPED = 0x100;
    /** In NLMSG_ERROR: extended-ack TLVs follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    // linux/netlink.h: extended ack attributes
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;

    // linux/netlink.h: attribute type flags
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    // linux/rtnetlink.h: message types
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;

    // linux/socket.h: address families
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET6 = 10;
    public static final int AF_PACKET = 17;

    // linux/if_link.h: IFLA_*
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_PROTINFO = 12;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_AF_SPEC = 26;
    public static final int IFLA_EXT_MASK = 29;

    // linux/if_link.h: IFLA_INFO_*
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_SLAVE_KIND = 4;

    // linux/rtnetlink.h: RTEXT_FILTER_*
    public static final int RTEXT_FILTER_VF = 1;
    public static final int RTEXT_FILTER_BRVLAN = 1 << 1;
    public static final int RTEXT_FILTER_BRVLAN_COMPRESSED = 1 << 2;
    public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    // linux/if.h: IFF_*
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    // linux/if.h: IF_OPER_*
    public static final int IF_OPER_UNKNOWN = 0;
    public static final int IF_OPER_DOWN = 2;
    public static final int IF_OPER_UP = 6;

    // linux/if_addr.h: IFA_*
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_FLAGS = 8;

    // linux/if_addr.h: IFA_F_*
    public static final int IFA_F_SECONDARY = 0x01;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_PERMANENT = 0x80;

    // linux/if_bridge.h
    public static final int IFLA_BRIDGE_FLAGS = 0;
    public static final int IFLA_BRIDGE_MODE = 1;
    public static final int IFLA_BRIDGE_VLAN_INFO = 2;
    public static final int BRIDGE_FLAGS_MASTER = 1;
    public static final int BRIDGE_FLAGS_SELF = 2;
    public static final int BRIDGE_VLAN_INFO_MASTER = 1;
    public static final int BRIDGE_VLAN_INFO_PVID = 1 << 1;
    public static final int BRIDGE_VLAN_INFO_UNTAGGED = 1 << 2;
    public static final int BRIDGE_VLAN_INFO_RANGE_BEGIN = 1 << 3;
    public static final int BRIDGE_VLAN_INFO_RANGE_END = 1 << 4;
    public static final int BRIDGE_VLAN_INFO_BRENTRY = 1 << 5;

    // linux/if_ether.h
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
}

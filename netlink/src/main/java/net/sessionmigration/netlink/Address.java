package net.sessionmigration.netlink;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An interface address as RTM_NEWADDR describes it.
 *
 * @param address IFA_LOCAL when present (the interface's own address), otherwise IFA_ADDRESS
 * @param flags   IFA_FLAGS when present (32 bits), otherwise the header's 8-bit flags
 * @param label   IFA_LABEL (IPv4 only), empty otherwise
 */
public record Address(int index, InetAddress address, int prefixLength, int scope, int flags, String label) {

    public boolean isIpv6() {
        return address.getAddress().length == 16;
    }

    public static Address from(AddressMessage m) {
        NetlinkAttribute a = m.attribute(Rtnl.IFA_LOCAL).or(() -> m.attribute(Rtnl.IFA_ADDRESS))
                .orElseThrow(() -> new IllegalArgumentException("address message without IFA_LOCAL/IFA_ADDRESS"));
        InetAddress ip;
        try {
            ip = InetAddress.getByAddress(a.value());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of " + a.value().length + " bytes", e);
        }
        int flags = m.attribute(Rtnl.IFA_FLAGS).map(NetlinkAttribute::asU32).orElse(m.flags());
        String label = m.attribute(Rtnl.IFA_LABEL).map(NetlinkAttribute::asString).orElse("");
        return new Address(m.index(), ip, m.prefixLength(), m.scope(), flags, label);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + " on ifindex " + index;
    }
}

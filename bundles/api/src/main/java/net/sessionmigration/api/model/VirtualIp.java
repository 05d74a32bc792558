package net.sessionmigration.api.model;

import java.util.regex.Pattern;

/**
 * The service address {@code v} that users reach and that moves with the workload.
 * Only IP literals are accepted; a host name would need a DNS lookup that may not answer
 * during the disaster this product exists for.
 */
public record VirtualIp(String address) {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]{2,39}");

    public VirtualIp {
        if (address == null || !(IPV4.matcher(address).matches() || isIpv6(address))) {
            throw new IllegalArgumentException("'" + address + "' is not an IPv4 or IPv6 address literal");
        }
    }

    private static boolean isIpv6(String s) {
        if (!IPV6.matcher(s).matches() || !s.contains(":")) {
            return false;
        }
        int doubleColons = s.split("::", -1).length - 1;
        if (doubleColons > 1) {
            return false;
        }
        String[] groups = s.split(":", -1);
        int nonEmpty = 0;
        for (String g : groups) {
            if (g.length() > 4) {
                return false;
            }
            if (!g.isEmpty()) {
                nonEmpty++;
            }
        }
        return doubleColons == 1 ? nonEmpty < 8 : groups.length == 8 && nonEmpty == 8;
    }

    public boolean isIpv4() {
        return address.indexOf(':') < 0;
    }

    @Override
    public String toString() {
        return address;
    }
}

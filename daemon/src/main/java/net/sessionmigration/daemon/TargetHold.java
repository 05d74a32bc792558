package net.sessionmigration.daemon;

import java.io.IOException;
import java.net.Inet4Address;
import java.util.List;

/**
 * Nothing leaves the target from v toward the users before their path exists. CRIU takes the
 * restored sockets out of repair mode at the end of its restore, and each then sends a window
 * probe: before the users' ports moved (S708), that probe makes the site router resolve a user
 * who is not in its VLAN yet; the request is lost and the router holds the resumed workload's
 * packets until it retries a second later (the cold first migration, criu-tcp-facts §2). So from
 * before the restore until resume (or discard) an nftables table drops every packet from v
 * except a handshake's SYN-ACK (the probe-verified commit connects to v then). With the page
 * server the table is made when the source asks for it, before the workload stops; else just
 * before the restore. Resume lifts it over nfnetlink and then sends a fresh window probe per user
 * connection, which reaches each user at once.
 */
final class TargetHold {
    private TargetHold() {
    }

    /** One table per virtual IP in this namespace; its name comes from a checked IPv4 literal. */
    static String table(Inet4Address vip) {
        return "sm_hold_" + vip.getHostAddress().replace('.', '_');
    }

    static void hold(Inet4Address vip) throws IOException {
        String t = table(vip);
        Nft.run(List.of("add table inet " + t + "; add chain inet " + t
                + " out { type filter hook output priority 0; policy accept; }; flush chain inet " + t + " out; "
                + "add rule inet " + t + " out ip saddr " + vip.getHostAddress()
                + " tcp flags & (syn | ack) != (syn | ack) drop"));
    }

    /** Idempotent: a table that is not there is fine. */
    static void release(Inet4Address vip) throws IOException {
        Nft.deleteInetTable(table(vip));
    }
}

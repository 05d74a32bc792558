package net.sessionmigration.api.service;

import java.util.List;
import java.util.Optional;

/**
 * What one coordinator knows about its cluster: whether it runs alone (the default) or is one
 * member of coordinators on ZooKeeper, which member leads, the leader's epoch (it rises with every
 * new leader; daemons and drivers refuse calls from a lower one), this member's ZooKeeper
 * connection, and why it may not start migrations now, if it may not.
 *
 * @param member        this coordinator's name in the cluster ({@code alone} when not clustered)
 * @param clustered     false for a coordinator that runs alone, with its own journal
 * @param leading       true when this coordinator may start and run migrations
 * @param leader        the member that leads, when known
 * @param epoch         the epoch of this member's leadership, or the last one it saw; 0 alone
 * @param zookeeper     this member's ZooKeeper connection: CONNECTED, SUSPENDED, LOST… ({@code none} alone)
 * @param members       every member connected to ZooKeeper now, by name
 * @param connect       the ZooKeeper ensemble, {@code host:port,…} (empty alone)
 * @param whyNotLeading why this coordinator may not start migrations now; empty when it may
 */
public record ClusterStatus(String member, boolean clustered, boolean leading, Optional<String> leader, long epoch,
                            String zookeeper, List<String> members, String connect, Optional<String> whyNotLeading) {
    public ClusterStatus {
        members = List.copyOf(members);
    }

    /** A coordinator that runs alone: it always leads. */
    public static ClusterStatus alone() {
        return new ClusterStatus("alone", false, true, Optional.of("alone"), 0, "none", List.of(), "", Optional.empty());
    }
}

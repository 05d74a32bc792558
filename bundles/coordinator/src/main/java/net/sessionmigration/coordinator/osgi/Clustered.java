package net.sessionmigration.coordinator.osgi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import net.sessionmigration.coordinator.cluster.ClusterMember;
import net.sessionmigration.coordinator.cluster.ClusterSettings;
import net.sessionmigration.coordinator.cluster.ZooKeeperJournalStore;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * This coordinator as one member of a cluster (journal.store = zookeeper): its ZooKeeper session
 * and the shared journal. In its own class so that a coordinator alone never loads Curator or
 * ZooKeeper (the bundle imports them optionally).
 */
final class Clustered implements AutoCloseable {
    private final ClusterMember member;
    private final Journal journal;

    private Clustered(ClusterMember member, Journal journal) {
        this.member = member;
        this.journal = journal;
    }

    static Clustered join(CoordinatorConfig config) {
        String name = config.cluster_member().isBlank() ? hostName() : config.cluster_member().trim();
        ClusterSettings settings = new ClusterSettings(config.zookeeper_connect().trim(), config.zookeeper_root().trim(),
                name, Duration.ofMillis(config.zookeeper_session_timeout_millis()));
        ClusterMember member = new ClusterMember(settings);
        member.start();
        try {
            return new Clustered(member, Journal.on(new ZooKeeperJournalStore(member)));
        } catch (RuntimeException e) {
            member.close();
            throw e;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "coordinator";
        }
    }

    ClusterMember member() {
        return member;
    }

    Journal journal() {
        return journal;
    }

    @Override
    public void close() {
        member.close();
    }
}

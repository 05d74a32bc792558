package net.sessionmigration.benchmarks;

import java.nio.file.Path;
import java.time.Duration;

import net.sessionmigration.coordinator.Leadership;
import net.sessionmigration.coordinator.cluster.ClusterMember;
import net.sessionmigration.coordinator.cluster.ClusterSettings;
import net.sessionmigration.coordinator.cluster.ZooKeeperEnsemble;
import net.sessionmigration.coordinator.cluster.ZooKeeperJournalStore;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * The journals the benchmarks compare, by name: {@code memory} (no file), {@code file} (the
 * MVStore file, committed to the OS), {@code file-fsync} (forced to the disk at each commit, the
 * default setting) and {@code zookeeper} (the cluster's journal on a real three-server ensemble on
 * this machine, each server its own JVM, written by the elected leader over mutual TLS, as in production).
 */
final class Journals implements AutoCloseable {
    final Journal journal;
    final Leadership leadership;
    private final ZooKeeperEnsemble ensemble;
    private final ClusterMember member;

    private Journals(Journal journal, Leadership leadership, ZooKeeperEnsemble ensemble, ClusterMember member) {
        this.journal = journal;
        this.leadership = leadership;
        this.ensemble = ensemble;
        this.member = member;
    }

    static Journals open(String kind, Path dir) throws Exception {
        return switch (kind) {
            case "memory" -> new Journals(Journal.inMemory(), Leadership.alone(), null, null);
            case "file" -> new Journals(Journal.open(dir.resolve("journal.mv"), false), Leadership.alone(), null, null);
            case "file-fsync" -> new Journals(Journal.open(dir.resolve("journal.mv"), true), Leadership.alone(), null, null);
            case "zookeeper" -> zookeeper();
            default -> throw new IllegalArgumentException("journal " + kind + ": memory, file, file-fsync or zookeeper");
        };
    }

    private static Journals zookeeper() throws Exception {
        Duration wait = Duration.ofSeconds(60);
        ZooKeeperEnsemble zk = new ZooKeeperEnsemble(3);
        zk.awaitServing(3, wait);
        ClusterMember m = new ClusterMember(new ClusterSettings(zk.connect(), "/sm-bench", "bench", Duration.ofSeconds(10),
                zk.tls()));
        m.start();
        ZooKeeperEnsemble.await(wait, m::leading, "the benchmark's member leads");
        return new Journals(Journal.on(new ZooKeeperJournalStore(m)), m, zk, m);
    }

    @Override
    public void close() throws Exception {
        journal.close();
        if (member != null) {
            member.close();
        }
        if (ensemble != null) {
            ensemble.close();
        }
    }
}

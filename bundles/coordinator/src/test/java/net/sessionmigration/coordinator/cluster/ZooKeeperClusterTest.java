package net.sessionmigration.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.coordinator.journal.Journal;
import net.sessionmigration.coordinator.journal.JournalClosedException;
import net.sessionmigration.coordinator.journal.PlanSource;

/**
 * Coordinators on a real ZooKeeper ensemble of three servers (separate JVMs, {@link ZooKeeperEnsemble}):
 * one leader at a time with a rising epoch, the shared journal that only the leader writes and every
 * member reads, a new leader when the old one goes, and no leader without a quorum. Each test uses
 * its own root znode. Waits are bounded polls; no test asserts a duration.
 */
class ZooKeeperClusterTest {
    private static final Duration SESSION = Duration.ofSeconds(4);
    private static final Duration WAIT = ClusterFixture.WAIT;

    @RegisterExtension
    static final ClusterFixture CLUSTER = new ClusterFixture("sm-test");
    private ClusterMember member(String name) throws InterruptedException {
        return CLUSTER.member(name, SESSION);
    }

    private Journal journal(ClusterMember m) {
        return CLUSTER.closeAfterTest(Journal.on(new ZooKeeperJournalStore(m))); // closed before its member
    }

    private static MigrationRecord record(String id, MigrationState state, long start) {
        return new MigrationRecord(id, "evacuate-main", MigrationMode.MOVE, "test", state, start, 0, List.of(), List.of(),
                Optional.empty(), List.of());
    }

    @Test
    void oneLeaderWithAnEpochAndEveryMemberSeesIt() throws Exception {
        ClusterMember a = member("site-a");
        ClusterMember b = member("site-b");
        await(() -> a.leading() != b.leading(), "exactly one of site-a and site-b leads");
        ClusterMember leader = a.leading() ? a : b;
        ClusterMember follower = a.leading() ? b : a;
        assertTrue(leader.epoch() >= 1, "the leader has an epoch: " + leader.epoch());
        await(() -> follower.status().leader().isPresent() && follower.status().members().size() == 2,
                "the follower sees the leader and both members: " + follower.status());
        ClusterStatus v = follower.status();
        assertEquals(Optional.of(leader.settings().member()), v.leader());
        assertEquals(List.of("site-a", "site-b"), v.members());
        assertTrue(v.whyNotLeading().orElseThrow().contains("the leader is " + leader.settings().member()), v.whyNotLeading().toString());
        assertTrue(leader.status().whyNotLeading().isEmpty());
    }

    @Test
    void theLeaderWritesTheJournalAndTheFollowerReadsItButMayNotWrite() throws Exception {
        ClusterMember a = member("site-a");
        await(a::leading, "site-a leads alone");
        ClusterMember b = member("site-b");
        Journal leaderJournal = journal(a);
        Journal followerJournal = journal(b);

        long s1 = leaderJournal.nextSequence();
        long s2 = leaderJournal.nextSequence();
        assertTrue(s2 > s1, "sequence numbers rise: " + s1 + ", " + s2);
        MigrationRecord running = record("m-" + s2, MigrationState.RUNNING, 10);
        leaderJournal.saveNew(running, new PlanSource("/etc/plans/evacuate-main.json", "{}"));
        leaderJournal.setBackupActive("evacuate-main", true);
        TriggerMemory fired = new TriggerMemory("ups-on-battery", "ab12", 3, false, 1_700_000_000_000_000L, running.id());
        leaderJournal.rememberTrigger(fired);

        await(() -> followerJournal.record(running.id()).isPresent(), "the follower's journal gets the record");
        assertEquals(running, followerJournal.record(running.id()).orElseThrow());
        assertEquals(List.of(running), followerJournal.unfinished());
        // each entry reaches the follower's copy by its own change report, in no set order
        await(() -> followerJournal.backupActive("evacuate-main"), "the follower sees the backup-active flag");
        await(() -> followerJournal.triggerMemory("ups-on-battery").isPresent(), "the follower reads the trigger memory");
        assertEquals(fired, followerJournal.triggerMemory("ups-on-battery").orElseThrow());
        assertEquals("{}", followerJournal.planSource(running.id()).orElseThrow().json());

        MigrationRecord done = record(running.id(), MigrationState.SUCCEEDED, 10);
        leaderJournal.save(done);
        await(() -> followerJournal.record(running.id()).orElseThrow().state() == MigrationState.SUCCEEDED,
                "the follower sees the record's later state");
        assertTrue(followerJournal.unfinished().isEmpty());

        JournalClosedException refused = assertThrows(JournalClosedException.class,
                () -> followerJournal.save(record("m-follower", MigrationState.RUNNING, 20)));
        assertTrue(refused.getMessage().contains("site-b is not the leader"), refused.getMessage());
        assertTrue(leaderJournal.record("m-follower").isEmpty(), "nothing of the refused write reached the journal");
    }

    /** The ensemble deletes empty container znodes within a second; the journal's own znodes must stay. */
    @Test
    void tablesAndTheSequenceStayWhenEmptyForAWhile() throws Exception {
        ClusterMember a = member("site-a");
        await(a::leading, "site-a leads");
        Journal j = journal(a);
        long first = j.nextSequence();
        j.setBackupActive("evacuate-main", true);
        j.setBackupActive("evacuate-main", false); // the table is empty again
        Thread.sleep(2_000); // several of the servers' container sweeps
        assertTrue(j.nextSequence() > first, "the sequence goes on");
        j.setBackupActive("evacuate-main", true);
        assertTrue(j.backupActive("evacuate-main"));
    }

    @Test
    void whenTheLeaderGoesTheOtherLeadsWithAHigherEpochAndTheOldOneCannotWrite() throws Exception {
        ClusterMember a = member("site-a");
        await(a::leading, "site-a leads alone");
        ClusterMember b = member("site-b");
        Journal aJournal = journal(a);
        aJournal.save(record("m-1", MigrationState.RUNNING, 1));
        long firstEpoch = a.epoch();
        List<Long> bEpochs = new CopyOnWriteArrayList<>();
        b.listen(bEpochs::add, why -> { });

        a.close(); // its session ends: the latch node that made it leader is gone
        await(b::leading, "site-b takes over");
        assertTrue(b.epoch() > firstEpoch, "the new epoch " + b.epoch() + " is above the old " + firstEpoch);
        assertEquals(List.of(b.epoch()), bEpochs, "site-b was told once, with its epoch");
        Journal bJournal = journal(b);
        assertEquals(List.of("m-1"), bJournal.unfinished().stream().map(MigrationRecord::id).toList(),
                "the new leader finds the old leader's unfinished migration");
        assertThrows(JournalClosedException.class, () -> aJournal.save(record("m-1", MigrationState.SUCCEEDED, 1)),
                "the deposed leader cannot write");
        assertEquals(MigrationState.RUNNING, bJournal.record("m-1").orElseThrow().state());
    }

    @Test
    void withoutAQuorumNobodyLeadsAndTheViewSaysWhy() throws Exception {
        ClusterMember a = member("site-a");
        await(a::leading, "site-a leads");
        List<String> lost = new CopyOnWriteArrayList<>();
        a.listen(epoch -> { }, lost::add);
        Journal j = journal(a);
        ZooKeeperEnsemble zk = CLUSTER.ensemble();
        try {
            zk.kill(1);
            zk.kill(2); // one of three left: no quorum
            await(() -> !a.leading(), "site-a stops leading without a quorum");
            assertFalse(lost.isEmpty(), "site-a was told that it lost the leadership");
            String why = a.status().whyNotLeading().orElseThrow();
            assertTrue(why.contains("no ZooKeeper quorum reachable from site-a"), why);
            assertThrows(JournalClosedException.class, () -> j.save(record("m-x", MigrationState.RUNNING, 1)));
        } finally {
            zk.start(1);
            zk.start(2);
            zk.awaitServing(3, WAIT);
        }
        await(a::leading, "site-a leads again once the quorum is back");
        j.save(record("m-y", MigrationState.RUNNING, 2));
        assertTrue(j.record("m-y").isPresent());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        ZooKeeperEnsemble.await(WAIT, condition, what);
    }
}

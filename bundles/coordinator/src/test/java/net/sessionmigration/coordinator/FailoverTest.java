package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.coordinator.cluster.ClusterFixture;
import net.sessionmigration.coordinator.cluster.ClusterMember;
import net.sessionmigration.coordinator.cluster.ZooKeeperEnsemble;
import net.sessionmigration.coordinator.cluster.ZooKeeperJournalStore;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * Two coordinators of one cluster on a real three-server ZooKeeper ensemble, each with its own
 * drivers (test doubles), sharing the journal in ZooKeeper. The leader loses its ZooKeeper session
 * while a driver is in the middle of a step; the other coordinator becomes the leader and drives the
 * migration to a safe end from the shared journal, exactly as a restarted coordinator does
 * ({@link RecoveryTest}); the deposed leader's run makes no further driver call and writes nothing,
 * even when its driver answers afterwards. Only the leader starts migrations; a follower says who leads.
 */
class FailoverTest {
    private static final String PLAN = "evacuate-main";
    private static final Duration WAIT = ClusterFixture.WAIT;

    @RegisterExtension
    static final ClusterFixture CLUSTER = new ClusterFixture("sm-failover");

    @TempDir
    Path dir;

    private record Member(Lab lab, ClusterMember cluster) {
    }

    private Member member(String name) throws Exception {
        ClusterMember cluster = CLUSTER.member(name, Duration.ofSeconds(4));
        Lab lab = CLUSTER.closeAfterTest(new Lab(dir.resolve(name)).withAllDrivers().plan(Plans.base()));
        lab.open(Journal.on(new ZooKeeperJournalStore(cluster)), cluster);
        return new Member(lab, cluster);
    }

    static Stream<Arguments> lossPoints() {
        return Stream.of(
                // driver, op held when the leader goes, state the new leader's mover reports, expected end
                Arguments.of("mover", "freeze", Step.S703, WorkloadState.FROZEN_AT_SOURCE, MigrationState.ROLLED_BACK),
                Arguments.of("mover", "migrate", Step.S704, WorkloadState.READY_AT_TARGET, MigrationState.ROLLED_BACK),
                Arguments.of("snmp", "move", Step.S708, WorkloadState.READY_AT_TARGET, MigrationState.ROLLED_BACK),
                Arguments.of("mover", "resume", Step.S710, WorkloadState.READY_AT_TARGET, MigrationState.SUCCEEDED));
    }

    @ParameterizedTest(name = "the leader goes during {1} ({2})")
    @MethodSource("lossPoints")
    void theOtherCoordinatorTakesOverAndTheDeposedOneMakesNoFurtherCall(String driver, String op, Step inFlight,
                                                                         WorkloadState state, MigrationState expected)
            throws Exception {
        Member a = member("site-a");
        await(() -> a.lab().coordinator.cluster().leading(), "site-a leads and has taken over");
        Member b = member("site-b");
        b.lab().mover.state = state;

        Gate gate = driver.equals("mover") ? a.lab().mover.hold(op) : a.lab().snmp.hold(op);
        String id = a.lab().start(PLAN);
        gate.awaitEntered();

        a.cluster().close(); // site-a's session ends: b leads, a is deposed
        // b takes over on its own thread: until then its journal shows the migration RUNNING
        await(() -> b.lab().coordinator.migration(id).map(m -> m.state().finished()).orElse(false),
                "site-b drives " + id + " to an end");
        MigrationRecord r = b.lab().await(id);
        assertEquals(expected, r.state(), r::toString);
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("recovery by the leader site-b (epoch "
                + b.cluster().epoch() + ") (RUNNING at " + inFlight + ")")), r.notes()::toString);
        assertTrue(b.cluster().epoch() > 0);

        int callsBefore = a.lab().log.size();
        gate.open(); // site-a's driver answers late
        Thread.sleep(500);
        assertEquals(a.lab().log.subList(0, callsBefore), a.lab().log, "the deposed leader made no further call");
        assertEquals(r, b.lab().coordinator.migration(id).orElseThrow(), "and wrote nothing over the new leader's end");
        assertTrue(b.lab().coordinator.start(StartRequest.of(PLAN, "t"), e -> { }).isOk(), "the new leader runs the plan");
    }

    @Test
    void onlyTheLeaderStartsAndAFollowerSaysWhoLeads() throws Exception {
        Member a = member("site-a");
        await(() -> a.lab().coordinator.cluster().leading(), "site-a leads and has taken over");
        Member b = member("site-b");
        await(() -> b.cluster().status().leader().isPresent(), "site-b sees the leader");
        String why = b.lab().coordinator.start(StartRequest.of(PLAN, "t"), e -> { }).failure().orElseThrow().toString();
        assertTrue(why.contains("site-b") && why.contains("the leader is site-a"), why);
        String id = a.lab().start(PLAN);
        MigrationRecord done = a.lab().await(id);
        await(() -> b.lab().coordinator.history(5).stream().anyMatch(r -> r.id().equals(id) && r.state().finished()),
                "the follower's history shows the leader's migration");
        assertEquals(done, b.lab().coordinator.migration(id).orElseThrow());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        ZooKeeperEnsemble.await(WAIT, condition, what);
    }
}

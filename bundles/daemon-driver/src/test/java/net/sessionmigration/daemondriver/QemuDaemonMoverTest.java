package net.sessionmigration.daemondriver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

class QemuDaemonMoverTest {

    static WorkloadTask task(MigrationMode mode, Map<String, String> options) {
        return new WorkloadTask("m1", "vm1", new Server("main-srv", "main"), new Server("bak-srv", "backup"),
                new VirtualIp("10.20.0.100"), mode, true, false, options);
    }

    static QemuDaemonMover unreachable() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(null, null, null);
        return new QemuDaemonMover(new DaemonClient(ssl, Map.of("main-srv", "https://127.0.0.1:9",
                "bak-srv", "https://127.0.0.1:9"), Duration.ofSeconds(2)));
    }

    @Test
    void aVmCanBeHeldForResumeButNotReplicatedNorItsAddressMoved() {
        var caps = new QemuDaemonMover(null).capabilities();
        assertTrue(caps.canFreeze());
        assertFalse(caps.canReplicate());
        assertFalse(caps.canMoveVirtualIp());
        assertFalse(caps.targetAnswersWhileFrozen(), "a paused guest cannot answer the user-side probe");
    }

    /** S704 is done when the destination waits, paused: not while it still loads the guest, nor if it is gone. */
    @Test
    void onlyAPausedDestinationEndsTheMigration() {
        assertEquals(java.util.Optional.of(QemuDaemonMover.LOADING), QemuDaemonMover.notReady(vmAt("inmigrate", true)));
        assertEquals(java.util.Optional.empty(), QemuDaemonMover.notReady(vmAt("paused", true)));
        assertEquals(java.util.Optional.of("the destination is running, not paused"),
                QemuDaemonMover.notReady(vmAt("running", false)));
        assertEquals(java.util.Optional.of("no destination QEMU is there"), QemuDaemonMover.notReady(
                new WorkloadStateAnswer("bak-srv", "vm1", WorkloadStateAnswer.VM, false, null, null, null, null)));
    }

    private static WorkloadStateAnswer vmAt(String status, boolean stopped) {
        return new WorkloadStateAnswer("bak-srv", "vm1", WorkloadStateAnswer.VM, true, 4242, status, stopped, null);
    }

    @Test
    void thePlansDowntimeAndBandwidthGoToTheDaemon() {
        MigrationRequest b = QemuDaemonMover.body(task(MigrationMode.MOVE,
                Map.of("downtimeLimitMs", "50", "maxBandwidth", "1000000000")));
        assertEquals(50L, b.downtimeLimitMs());
        assertEquals(1_000_000_000L, b.maxBandwidth());
        assertEquals("vm1", b.workload());
        assertNull(b.targetClients(), "not sent for a VM");
        assertNull(QemuDaemonMover.body(task(MigrationMode.MOVE, Map.of())).downtimeLimitMs());
    }

    @Test
    void aBadOptionIsAPlanProblemNamingIt() throws Exception {
        QemuDaemonMover mover = unreachable();
        WorkloadTask t = task(MigrationMode.MOVE, Map.of("downtimeLimitMs", "fast"));
        Result<?> r = mover.migrate(t, DriverContext.detached("m1"));
        assertEquals("plan: workload option downtimeLimitMs must be a whole number 1..60000, not 'fast'",
                r.failure().orElseThrow().toString());
        Preflight p = mover.preflight(t).orElseThrow();
        assertTrue(p.problems().stream().anyMatch(x -> x.cause().contains("downtimeLimitMs")), p.problems()::toString);
    }

    @Test
    void replicateIsAPreflightProblemEvenBeforeAnyDaemonAnswers() throws Exception {
        Preflight p = unreachable().preflight(task(MigrationMode.REPLICATE, Map.of())).orElseThrow();
        assertFalse(p.go());
        assertTrue(p.problems().get(0).cause().contains("cannot replicate a VM"), p.problems()::toString);
        assertEquals(3, p.problems().size(), "replicate, then both daemons unreachable: " + p.problems());
    }

    @Test
    void progressSaysHowMuchRamIsOnItsWay() throws Exception {
        var m = new ObjectMapper().readValue("{\"ok\":true,\"summary\":\"migration active\",\"done\":false,"
                + "\"measurements\":{\"status\":\"active\",\"ram_transferred_bytes\":\"41943040\","
                + "\"ram_total_bytes\":\"141623296\",\"elapsed_ms\":\"1234\"}}", OperationAnswer.class);
        assertEquals("RAM 40 of 135 MB sent (active, 1.2 s)", QemuDaemonMover.progress(m));
    }

    /** The coordinator's epoch goes with every operation; preflight, state and the wait for the destination send none. */
    @Test
    void everyOperationCarriesTheCallersEpochAndNoReadDoes() throws Exception {
        try (RecordingDaemons daemons = new RecordingDaemons()) {
            QemuDaemonMover mover = new QemuDaemonMover(daemons.client());
            WorkloadTask t = task(MigrationMode.MOVE, Map.of());
            var ctx = RecordingDaemons.atEpoch(7);
            mover.preflight(t);
            for (Result<?> r : java.util.List.of(mover.freeze(t, ctx), mover.migrate(t, ctx), mover.resume(t, ctx),
                    mover.announce(t, ctx), mover.rollback(t, net.sessionmigration.api.model.Step.S704, ctx))) {
                assertTrue(r.isOk(), r::toString);
            }
            assertTrue(mover.state(t).isOk());
            assertEquals(java.util.List.of("freeze", "migrate", "resume", "release", "announce", "rollback", "discard").stream()
                    .map(op -> "POST /v1/migrations/m1/" + op + " epoch=7").toList(), daemons.of("POST"));
            assertEquals(java.util.List.of("GET /v1/workloads/vm1/preflight epoch=none", "GET /v1/workloads/vm1/preflight epoch=none",
                    "GET /v1/workloads/vm1/state epoch=none", "GET /v1/workloads/vm1/state epoch=none",
                    "GET /v1/workloads/vm1/state epoch=none"), daemons.of("GET"));
        }
    }

    @Test
    void theAddressStepIsANoOpAndAnUnreachableDaemonFailsTheStep() throws Exception {
        QemuDaemonMover mover = unreachable();
        assertTrue(mover.moveVirtualIp(task(MigrationMode.MOVE, Map.of()), DriverContext.detached("m1")).isOk());
        Result<?> r = mover.migrate(task(MigrationMode.MOVE, Map.of()), DriverContext.detached("m1"));
        assertTrue(r.failure().orElseThrow().cause().startsWith("S704 migrate: "), r::toString);
        assertEquals("main-srv", r.failure().orElseThrow().device());
    }
}

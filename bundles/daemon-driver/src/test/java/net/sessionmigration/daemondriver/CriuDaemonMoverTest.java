package net.sessionmigration.daemondriver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MigrationRequest;

class CriuDaemonMoverTest {

    static WorkloadTask task(MigrationMode mode, String clients) {
        return new WorkloadTask("m1", "stream", new Server("main-srv", "main"), new Server("bak-srv", "backup"),
                new VirtualIp("10.20.0.100"), mode, true, true, Map.of(CriuDaemonMover.OPTION_TARGET_CLIENTS, clients));
    }

    @Test
    void stateFollowsBothDaemons() {
        assertEquals(WorkloadState.RUNNING_AT_SOURCE, CriuDaemonMover.stateOf(true, false, false, false));
        assertEquals(WorkloadState.FROZEN_AT_SOURCE, CriuDaemonMover.stateOf(true, true, false, false));
        assertEquals(WorkloadState.READY_AT_TARGET, CriuDaemonMover.stateOf(true, true, true, true));
        assertEquals(WorkloadState.RUNNING_AT_TARGET, CriuDaemonMover.stateOf(false, false, true, false));
        assertEquals(WorkloadState.RUNNING_AT_BOTH, CriuDaemonMover.stateOf(true, false, true, false));
        assertEquals(WorkloadState.NOT_RUNNING, CriuDaemonMover.stateOf(false, false, false, false));
    }

    @Test
    void requestBodyCarriesEverything() {
        MigrationRequest b = CriuDaemonMover.body(task(MigrationMode.REPLICATE, " 10.10.1.2, 10.10.1.3 ,"));
        assertEquals("stream", b.workload());
        assertEquals("10.20.0.100", b.vip());
        assertEquals("bak-srv", b.target());
        assertEquals("REPLICATE", b.mode());
        assertEquals(List.of("10.10.1.2", "10.10.1.3"), b.targetClients());
        assertEquals(List.of(), CriuDaemonMover.body(task(MigrationMode.MOVE, "")).targetClients());
    }

    /** Both daemons at a closed local port, which refuses at once. */
    private static CriuDaemonMover unreachableMover() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(null, null, null);
        return new CriuDaemonMover(new DaemonClient(ssl,
                Map.of("main-srv", "https://127.0.0.1:9", "bak-srv", "https://127.0.0.1:9"), Duration.ofSeconds(2)));
    }

    @Test
    void unreachableDaemonsAreProblemsNotExceptions() throws Exception {
        CriuDaemonMover mover = unreachableMover();
        Preflight p = mover.preflight(task(MigrationMode.MOVE, "")).orElseThrow();
        assertFalse(p.go());
        assertEquals(2, p.problems().size());
        assertEquals("main-srv", p.problems().get(0).device());
        Result<OpReport> r = mover.freeze(task(MigrationMode.MOVE, ""), DriverContext.detached("m1"));
        assertFalse(r.isOk());
        assertTrue(r.failure().orElseThrow().cause().startsWith("S703 freeze"), r.failure().orElseThrow().cause());
        assertFalse(mover.rollback(task(MigrationMode.MOVE, ""), Step.S704, DriverContext.detached("m1")).isOk());
        assertFalse(mover.state(task(MigrationMode.MOVE, "")).isOk());
    }

    @Test
    void beforeS703TheRollbackLeavesTheTargetAloneAndAtS703ItsCleaningIsBestEffort() throws Exception {
        CriuDaemonMover mover = unreachableMover();
        Result<OpReport> first = mover.rollback(task(MigrationMode.MOVE, ""), Step.S702, DriverContext.detached("m1"));
        assertEquals("main-srv", first.failure().orElseThrow().device(), "only the source was asked");
        // at S703 the unreachable target's discard is tried, and its failure does not hide the source's
        Result<OpReport> early = mover.rollback(task(MigrationMode.MOVE, ""), Step.S703, DriverContext.detached("m1"));
        assertEquals("main-srv", early.failure().orElseThrow().device(), "only the source was asked");
        Result<OpReport> late = mover.rollback(task(MigrationMode.MOVE, ""), Step.S704, DriverContext.detached("m1"));
        assertEquals("bak-srv", late.failure().orElseThrow().device(), "from S704 on the target discards first");
    }

    /** The coordinator's epoch goes with every operation, to whichever daemon; preflight and state send none. */
    @Test
    void everyOperationCarriesTheCallersEpochAndNoReadDoes() throws Exception {
        try (RecordingDaemons daemons = new RecordingDaemons()) {
            CriuDaemonMover mover = new CriuDaemonMover(daemons.client());
            WorkloadTask t = task(MigrationMode.MOVE, "");
            DriverContext ctx = RecordingDaemons.atEpoch(7);
            mover.preflight(t);
            for (Result<OpReport> r : List.of(mover.freeze(t, ctx), mover.migrate(t, ctx), mover.moveVirtualIp(t, ctx),
                    mover.checkSessions(t, ctx), mover.resume(t, ctx), mover.announce(t, ctx),
                    mover.rollback(t, Step.S704, ctx))) {
                assertTrue(r.isOk(), r::toString);
            }
            assertTrue(mover.state(t).isOk());
            assertEquals(java.util.Set.of("freeze", "migrate", "move-vip", "held", "resume", "release",
                            "announce", "discard", "rollback").stream().map(op -> "POST /v1/migrations/m1/" + op + " epoch=7")
                            .collect(java.util.stream.Collectors.toSet()),
                    java.util.Set.copyOf(daemons.of("POST")));
            assertEquals(9, daemons.of("POST").size(), daemons.requests::toString);
            assertEquals(List.of("GET /v1/workloads/stream/preflight epoch=none", "GET /v1/workloads/stream/preflight epoch=none",
                    "GET /v1/workloads/stream/state epoch=none", "GET /v1/workloads/stream/state epoch=none"), daemons.of("GET"));
        }
    }

    @Test
    void aFencedContextSendsNothingAndSaysWhy() throws Exception {
        try (RecordingDaemons daemons = new RecordingDaemons()) {
            CriuDaemonMover mover = new CriuDaemonMover(daemons.client());
            WorkloadTask t = task(MigrationMode.MOVE, "");
            DriverContext ctx = RecordingDaemons.fencedAt(3, "site-a lost the leadership");
            for (Result<OpReport> r : List.of(mover.freeze(t, ctx), mover.migrate(t, ctx), mover.resume(t, ctx),
                    mover.rollback(t, Step.S704, ctx))) {
                assertTrue(r.failure().orElseThrow().toString().contains("not sent: site-a lost the leadership"),
                        r::toString);
            }
            assertEquals(List.of(), daemons.of("POST"), "no request reached a daemon");
        }
    }

    @Test
    void capabilities() {
        var caps = new CriuDaemonMover(null).capabilities();
        assertTrue(caps.canFreeze() && caps.canReplicate() && caps.canMoveVirtualIp());
    }

    @Test
    void serversAndPasswordReferencesAreParsed() throws Exception {
        Map<String, String> s = DaemonDriverComponent.parseServers(new String[] {"main-srv=https://10.99.0.11:7443", " bak-srv = https://10.99.0.12:7443"});
        assertEquals("https://10.99.0.12:7443", s.get("bak-srv"));
        assertThrows(IllegalArgumentException.class, () -> DaemonDriverComponent.parseServers(new String[] {"main-srv=http://x"}));
        var plain = assertThrows(IllegalArgumentException.class, () -> net.sessionmigration.api.driver.SecretRef.resolve("plain-password"));
        assertFalse(plain.getMessage().contains("plain"), "a password written where its reference belongs is not echoed: " + plain.getMessage());
        assertThrows(java.io.IOException.class, () -> net.sessionmigration.api.driver.SecretRef.resolve("env:SM_SURELY_NOT_SET_12345"));
    }
}

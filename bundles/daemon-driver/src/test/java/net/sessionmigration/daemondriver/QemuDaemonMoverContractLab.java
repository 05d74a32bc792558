package net.sessionmigration.daemondriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.StartAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;
import net.sessionmigration.driverkit.WorkloadMoverContract;

/**
 * The driver contract kit against {@link QemuDaemonMover} and the lab's real daemons: the VM vm1
 * (QEMU under TCG, the lab's streaming server inside) live-migrated between main-srv and bak-srv
 * through both daemons, as VmScenario's {@code move} migrates it. Proves on a real VM the state
 * after each step (READY_AT_TARGET: the destination paused after S704 until S710), a rollback
 * after S704 that runs the source again and can be repeated, and a failed S704 that names the
 * server and the cause, then rolls back.
 *
 * <p>Each test's source is where vm1 runs when it starts ({@link #task()}): the kit's whole
 * sequence leaves it running at its target, and moving it back would be one more migration by the
 * driver under test. A destination QEMU an earlier failed test left at the other daemon is
 * discarded first; a VM that runs nowhere is booted at main-srv (the daemon's start). The lab's
 * virtual IP travels inside the guest: the task does not move it.
 *
 * <p>{@link #failNextMigrate()}: the destination's incoming migration port (the target daemon's
 * {@code qemu.vms.vm1.incoming}, from its configuration in {@code $DAEMONS_RUN}) is taken in the
 * target's namespace ({@link PortTaken}), so the destination QEMU cannot listen for the migration
 * and the target daemon refuses S704's destination. Freed after the test.
 *
 * <p>Environment: that of {@link LabDaemons}, {@code TEST_SRC_NS} and {@code TEST_DST_NS} (the
 * namespaces of main-srv and bak-srv), {@code TEST_VIP}, {@code VM} (default vm1). Run by
 * lab/tests/vm-system-test.sh with {@link net.sessionmigration.driverkit.ContractRunner}, not by Maven.
 */
class QemuDaemonMoverContractLab extends WorkloadMoverContract {
    private static final AtomicInteger TESTS = new AtomicInteger();

    private final String vm = LabDaemons.env("VM", "vm1");
    private final DaemonClient daemons = LabDaemons.client(Duration.ofSeconds(120));
    private PortTaken taken;
    private String source;
    private String target;

    @Override
    protected WorkloadMover mover() {
        return new QemuDaemonMover(daemons);
    }

    /** A MOVE from where vm1 runs now to the other daemon, once that one is clear of any QEMU of it. */
    @Override
    protected WorkloadTask task() {
        String id = "kit-vm-" + System.currentTimeMillis() + "-" + TESTS.incrementAndGet();
        source = runningAt();
        target = other(source);
        if (state(target).found()) {
            // a paused or still-receiving destination of an earlier test that failed before its rollback
            post(target, "/v1/migrations/" + id + "-clear/discard", request(target), OperationAnswer.class);
        }
        return new WorkloadTask(id, vm, server(source), server(target), new VirtualIp(vip()), MigrationMode.MOVE,
                true, false, Map.of());
    }

    /** Live migration: S703 leaves the guest running; QEMU stops it itself for S704's last pass. */
    @Override
    protected WorkloadState stateAfterFreeze() {
        return WorkloadState.RUNNING_AT_SOURCE;
    }

    /** The incoming migration port taken at the target: its destination QEMU cannot listen. */
    @Override
    protected Optional<Runnable> failNextMigrate() {
        return Optional.of(() -> taken = PortTaken.in(namespace(target), incomingPort(target)));
    }

    @AfterEach
    void freeThePort() {
        if (taken != null) {
            taken.close();
        }
    }

    /** The daemon where vm1 runs (running, not paused); booted at main-srv when it runs nowhere. */
    private String runningAt() {
        WorkloadStateAnswer main = state(LabDaemons.MAIN);
        WorkloadStateAnswer backup = state(LabDaemons.BACKUP);
        boolean atMain = main.found() && !main.stoppedHere() && !main.incoming();
        boolean atBackup = backup.found() && !backup.stoppedHere() && !backup.incoming();
        if (atMain && atBackup) {
            throw new IllegalStateException(vm + " runs at both daemons: " + main + ", " + backup);
        }
        if (atMain || atBackup) {
            return atMain ? LabDaemons.MAIN : LabDaemons.BACKUP;
        }
        if (main.found()) {
            throw new IllegalStateException(vm + " runs nowhere and main-srv holds a stopped QEMU of it: " + main);
        }
        post(LabDaemons.MAIN, "/v1/workloads/" + vm + "/start", Map.of(), StartAnswer.class);
        return LabDaemons.MAIN;
    }

    private WorkloadStateAnswer state(String server) {
        try {
            return daemons.get(server, "/v1/workloads/" + vm + "/state", WorkloadStateAnswer.class);
        } catch (DaemonClient.DaemonException e) {
            throw new IllegalStateException("state of " + vm + " at " + server + ": " + e.getMessage(), e);
        }
    }

    private <T> T post(String server, String path, Object body, Class<T> answer) {
        try {
            return daemons.post(server, path, body, answer);
        } catch (DaemonClient.DaemonException e) {
            throw new IllegalStateException(path + " at " + server + ": " + e.getMessage(), e);
        }
    }

    private MigrationRequest request(String targetServer) {
        return new MigrationRequest(vm, vip(), targetServer, MigrationRequest.MOVE, null);
    }

    private static String other(String server) {
        return server.equals(LabDaemons.MAIN) ? LabDaemons.BACKUP : LabDaemons.MAIN;
    }

    private static Server server(String name) {
        return new Server(name, name.equals(LabDaemons.MAIN) ? "main" : "backup");
    }

    private static String vip() {
        return LabDaemons.env("TEST_VIP", "10.20.0.100");
    }

    private static String namespace(String server) {
        return server.equals(LabDaemons.MAIN) ? LabDaemons.env("TEST_SRC_NS", "sm-main-srv")
                : LabDaemons.env("TEST_DST_NS", "sm-bak-srv");
    }

    /** The port of {@code qemu.vms.VM.incoming} ("ADDRESS:PORT") in the daemon's configuration file. */
    private int incomingPort(String server) {
        Path config = Path.of(LabDaemons.env("DAEMONS_RUN", "lab/run/daemons"), server + ".json");
        try {
            JsonNode incoming = new ObjectMapper().readTree(config.toFile()).path("qemu").path("vms").path(vm).path("incoming");
            if (!incoming.isTextual() || !incoming.asText().matches(".+:[0-9]{1,5}")) {
                throw new IllegalStateException(config + " has no qemu.vms." + vm + ".incoming ADDRESS:PORT: " + incoming);
            }
            return Integer.parseInt(incoming.asText().substring(incoming.asText().lastIndexOf(':') + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("the configuration of " + server + " (" + config + ")", e);
        }
    }
}

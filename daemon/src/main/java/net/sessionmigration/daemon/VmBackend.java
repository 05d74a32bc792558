package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.PreflightAnswer;
import net.sessionmigration.daemon.protocol.StartAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;
import net.sessionmigration.qmp.Accelerator;
import net.sessionmigration.qmp.AcceleratorDecision;
import net.sessionmigration.qmp.MigrationInfo;
import net.sessionmigration.qmp.MigrationParameters;
import net.sessionmigration.qmp.QemuLauncher;
import net.sessionmigration.qmp.QemuProcess;
import net.sessionmigration.qmp.QmpException;
import net.sessionmigration.qmp.QmpTimeoutException;
import net.sessionmigration.qmp.VmSpec;
import net.sessionmigration.qmp.VmStatus;

/**
 * The QEMU backend: VMs this daemon starts and live-migrates over QMP. Source side: migrate
 * (S704: has the target daemon start a paused destination, then {@code migrate} over the
 * migration network; answered as a long poll so the caller sees progress), release (S710: the
 * source QEMU, stopped since completion, exits), rollback ({@code migrate_cancel}, then
 * {@code cont}: the source runs again). Target side: incoming (a QEMU with {@code -S
 * -incoming defer} and {@code migrate-incoming}), resume ({@code cont}, only after the users'
 * ports moved), announce ({@code announce-self}), discard. Freeze and move-vip are no-ops for a
 * VM: QEMU stops the guest itself for the last pass, and the address travels inside the guest.
 * A VM cannot be replicated. At most one QEMU per VM name per daemon.
 */
public final class VmBackend implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("sm-daemon");
    /** How long one migrate call waits for the end of the migration before answering with progress. */
    static final Duration MIGRATE_POLL = Duration.ofSeconds(1);
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    /** How long a destination may still be loading after the source reported completion. */
    private static final Duration INCOMING_SETTLE = Duration.ofSeconds(10);
    private static final Pattern TCP_URI = Pattern.compile("tcp:([0-9.]+):([0-9]{1,5})");

    private final String server;
    private final QemuConfig qemu;
    private final PeerClient peers;
    private final QemuLauncher launcher;
    private final AcceleratorDecision accelerator;
    private final Map<String, QemuProcess> running = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, VmMigration> migrations = new ConcurrentHashMap<>();

    /** What this daemon knows about one VM migration (in memory). */
    static final class VmMigration {
        volatile QemuProcess source;
        volatile long cursor;
        volatile long startedNanos;
        boolean released;
        final Map<String, String> measurements = new LinkedHashMap<>();
    }

    VmBackend(String server, QemuConfig qemu, PeerClient peers, QemuLauncher launcher, AcceleratorDecision accelerator) {
        this.server = server;
        this.qemu = qemu;
        this.peers = peers;
        this.launcher = launcher;
        this.accelerator = accelerator;
    }

    /**
     * Decides the accelerator once (KVM only if a guest really boots under it), and stops any
     * QEMU of ours a crashed daemon left behind, so no stray VM answers for the address.
     */
    public static VmBackend open(DaemonConfig config, PeerClient peers) throws IOException {
        QemuConfig q = config.qemu();
        Files.createDirectories(Path.of(q.runDir()));
        QemuLauncher launcher = new QemuLauncher(QMP_TIMEOUT);
        AcceleratorDecision decision = switch (q.accelerator()) {
            case "kvm" -> new AcceleratorDecision(Accelerator.KVM, "KVM set in the configuration");
            case "tcg" -> new AcceleratorDecision(Accelerator.TCG, "TCG set in the configuration");
            default -> q.vms().isEmpty() ? new AcceleratorDecision(Accelerator.TCG, "no VM configured; TCG")
                    : probe(launcher, q);
        };
        LOG.info("VMs " + q.vms().keySet() + ": accelerator " + decision.accelerator() + " (" + decision.reason() + ")");
        VmBackend b = new VmBackend(config.name(), q, peers, launcher, decision);
        for (String vm : q.vms().keySet()) {
            for (VmSpec s : new VmSpec[] {b.spec(vm), b.spec(vm).asMigrationDestination()}) {
                if (launcher.killStale(s)) {
                    LOG.warning("VM " + vm + ": stopped a QEMU left by an earlier daemon");
                }
            }
        }
        return b;
    }

    private static AcceleratorDecision probe(QemuLauncher launcher, QemuConfig q) {
        String vm = q.vms().keySet().iterator().next();
        QemuConfig.Vm v = q.vms().get(vm);
        VmSpec probe = q.spec(vm, v, Accelerator.TCG).withNetwork(Optional.empty());
        return launcher.decideAccelerator(probe, v.readyMarker(), Duration.ofSeconds(20));
    }

    public boolean handles(String workload) {
        return qemu.vms().containsKey(workload);
    }

    public AcceleratorDecision accelerator() {
        return accelerator;
    }

    VmSpec spec(String vm) {
        return qemu.spec(vm, vm(vm), accelerator.accelerator());
    }

    private QemuConfig.Vm vm(String name) {
        QemuConfig.Vm v = qemu.vms().get(name);
        if (v == null) {
            throw new RequestNames.BadRequest("unknown VM");
        }
        return v;
    }

    private Object lock(String vm) {
        return locks.computeIfAbsent(vm, k -> new Object());
    }

    private VmMigration migration(String id) {
        return migrations.computeIfAbsent(RequestNames.require("migration id", id), k -> new VmMigration());
    }

    private Optional<QemuProcess> alive(String vm) {
        return Optional.ofNullable(running.get(vm)).filter(QemuProcess::isAlive);
    }

    private static VmStatus status(QemuProcess q) {
        try {
            return q.qmp().queryStatus();
        } catch (QmpException e) {
            return new VmStatus("unknown (" + e.getMessage() + ")", false);
        }
    }

    private static void log(String step, String id, String text) {
        LOG.info(step + " migration " + id + ": " + text);
    }

    // ------------------------------------------------------------------ queries and start

    public WorkloadStateAnswer state(String vm) {
        vm(vm);
        Optional<QemuProcess> q = alive(vm);
        if (q.isEmpty()) {
            return new WorkloadStateAnswer(server, vm, WorkloadStateAnswer.VM, false, null, null, null, null);
        }
        VmStatus s = status(q.get());
        return new WorkloadStateAnswer(server, vm, WorkloadStateAnswer.VM, true, (int) q.get().pid(), s.status(),
                !s.running(), null);
    }

    /** State, the accelerator decided at start and why, and whether QEMU and the image are there. */
    public PreflightAnswer preflight(String vm) {
        WorkloadStateAnswer state = state(vm);
        VmSpec s = spec(vm);
        return PreflightAnswer.vm(state, accelerator.accelerator().name(), accelerator.reason(),
                Files.isExecutable(s.qemuBinary()), Files.isReadable(s.kernel()) && Files.isReadable(s.initrd()));
    }

    /** Boots the VM here and waits until its service runs (the guest's console marker). */
    public StartAnswer start(String vm) throws IOException {
        synchronized (lock(vm)) {
            Optional<QemuProcess> q = alive(vm);
            if (q.isPresent()) {
                return StartAnswer.of("already running", (int) q.get().pid());
            }
            long t0 = System.nanoTime();
            VmSpec spec = spec(vm);
            QemuProcess p = launch(spec);
            if (!p.awaitConsole(vm(vm).readyMarker(), BOOT_TIMEOUT)) {
                String why = p.isAlive() ? "not ready within " + BOOT_TIMEOUT.toSeconds() + " s" : "QEMU exited";
                p.close();
                running.remove(vm, p);
                throw new IOException("VM " + vm + " did not boot: " + why);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("VM " + vm + " started, pid " + p.pid() + ", " + accelerator.accelerator() + ", RAM "
                    + spec.memoryArgument() + ", ready in " + ms + " ms");
            return new StartAnswer("started", (int) p.pid(), accelerator.accelerator().name(), ms);
        }
    }

    private QemuProcess launch(VmSpec spec) throws IOException {
        launcher.killStale(spec);
        QemuProcess p = launcher.start(spec, START_TIMEOUT);
        running.put(spec.name(), p);
        p.onUnexpectedExit(status -> LOG.warning("VM " + spec.name() + ": QEMU pid " + p.pid() + " ended by itself (exit status "
                + status + "); its log: " + QemuLauncher.tail(spec.qemuLog()) + "; the guest's console ends: "
                + QemuLauncher.tail(spec.consoleLog())));
        return p;
    }

    // ------------------------------------------------------------------ the operations

    /** {@code epoch}: the request's, sent on with the call that starts the destination at the target. */
    public OperationAnswer operation(String op, String id, MigrationRequest r, long epoch)
            throws IOException, InterruptedException {
        vm(r.workload());
        if (r.replicate()) {
            throw new RequestNames.BadRequest("a VM cannot be replicated: QEMU hands the guest over, it does not copy it; use MOVE");
        }
        return switch (op) {
            case "freeze" -> MigrationService.report("live migration: the guest runs until QEMU stops it for the last pass (S704)", Map.of());
            case "migrate" -> migrate(id, r, epoch);
            case "move-vip" -> MigrationService.report("the virtual IP travels inside the guest; nothing to move", Map.of());
            case "release" -> release(id, r);
            case "rollback" -> rollback(id, r);
            case "incoming" -> incoming(id, r);
            case "resume" -> resume(id, r);
            case "announce" -> announce(id, r);
            case "discard" -> discard(id, r);
            default -> throw new RequestNames.BadRequest("not an operation on a VM");
        };
    }

    /**
     * S704 at the source. The first call starts the destination (through the target daemon)
     * and the migration; every call then waits up to {@link #MIGRATE_POLL} for its end and
     * answers {@code done:false} with progress, or {@code done:true} with QEMU's own total time
     * and downtime (S706). The wait holds no lock, so a rollback can cancel meanwhile.
     */
    OperationAnswer migrate(String id, MigrationRequest r, long epoch) throws IOException, InterruptedException {
        if (r.target() == null) {
            throw new RequestNames.BadRequest("migrate needs a target");
        }
        String vm = r.workload();
        VmMigration m = migration(id);
        synchronized (lock(vm)) {
            if (m.source == null) {
                QemuProcess src = alive(vm).orElseThrow(() -> new IOException("VM " + vm + " does not run here"));
                VmStatus st = status(src);
                if (!st.running()) {
                    throw new IOException("VM " + vm + " is not running here (" + st.status() + ")");
                }
                long t0 = System.nanoTime();
                OperationAnswer n = peers.postJson(r.target(), "/v1/migrations/" + id + "/incoming", r, OperationAnswer.class,
                        epoch);
                String uri = n.uri() == null ? "" : n.uri();
                if (!TCP_URI.matcher(uri).matches()) {
                    throw new IOException("target " + r.target() + " gave no tcp:ADDRESS:PORT to migrate to");
                }
                m.measurements.put("destination_start_ms", Long.toString((System.nanoTime() - t0) / 1_000_000));
                src.qmp().setMigrationCapabilities(Map.of("events", true));
                src.qmp().setMigrationParameters(parameters(vm(vm), r));
                m.cursor = src.qmp().eventCursor();
                m.startedNanos = System.nanoTime();
                src.qmp().migrate(uri);
                m.source = src;
                log("S704", id, "VM " + vm + " migrating to " + r.target() + " at " + uri);
            }
        }
        QemuProcess src = m.source;
        try {
            src.qmp().awaitEvent(m.cursor, e -> e.name().equals("MIGRATION")
                    && (e.migrationStatus().equals("completed") || e.migrationStatus().equals("failed")
                    || e.migrationStatus().equals("cancelled")), MIGRATE_POLL);
        } catch (QmpTimeoutException stillRunning) {
            // answer with progress; the caller asks again
        }
        MigrationInfo info = src.qmp().queryMigrate();
        // QEMU announces "completed" a moment before its migration thread has computed the
        // total time and downtime (they read 0 until then): ask again for a few milliseconds
        long settle = System.nanoTime() + Duration.ofMillis(200).toNanos();
        while (info.completed() && info.totalTime().filter(d -> !d.isZero()).isEmpty() && System.nanoTime() < settle) {
            sleepMillis(1);
            info = src.qmp().queryMigrate();
        }
        Map<String, String> meas = new LinkedHashMap<>(m.measurements);
        meas.put("status", info.status());
        meas.put("ram_transferred_bytes", Long.toString(info.ramTransferred()));
        meas.put("ram_total_bytes", Long.toString(info.ramTotal()));
        if (info.completed()) {
            info.totalTime().ifPresent(d -> meas.put("qemu_total_ms", Long.toString(d.toMillis())));
            info.downtime().ifPresent(d -> meas.put("qemu_downtime_ms", Long.toString(d.toMillis())));
            info.setupTime().ifPresent(d -> meas.put("qemu_setup_ms", Long.toString(d.toMillis())));
            synchronized (lock(vm)) {
                if (!m.measurements.containsKey("qemu_total_ms")) {
                    m.measurements.putAll(meas);
                    log("S706", id, "VM " + vm + " migrated to " + r.target() + " (paused there until resume): " + meas);
                }
            }
            return MigrationService.report("migrated to " + r.target() + ", paused there until resume", meas).withDone(true);
        }
        if (info.finished()) {
            throw new IOException("QEMU migration " + info.status()
                    + (info.errorDesc().isEmpty() ? "" : ": " + info.errorDesc()));
        }
        meas.put("ram_remaining_bytes", Long.toString(info.ramRemaining()));
        meas.put("elapsed_ms", Long.toString((System.nanoTime() - m.startedNanos) / 1_000_000));
        return MigrationService.report("migration " + info.status(), meas).withDone(false);
    }

    static MigrationParameters parameters(QemuConfig.Vm v, MigrationRequest r) {
        Long downtime = r.downtimeLimitMs() != null ? r.downtimeLimitMs() : v.downtimeLimitMs();
        Long bandwidth = r.maxBandwidth() != null ? r.maxBandwidth() : v.maxBandwidth();
        return new MigrationParameters(Optional.ofNullable(downtime).map(Duration::ofMillis), Optional.ofNullable(bandwidth));
    }

    /** Target side of S704: the same VM, paused ({@code -S}), waiting for the source's stream. */
    OperationAnswer incoming(String id, MigrationRequest r) throws IOException {
        String vm = r.workload();
        synchronized (lock(vm)) {
            Optional<QemuProcess> q = alive(vm);
            VmSpec spec = spec(vm).asMigrationDestination();
            if (q.isPresent()) {
                VmStatus s = status(q.get());
                if (q.get().spec().incomingDeferred() && s.status().equals("inmigrate")) {
                    return MigrationService.report("destination already waiting", Map.of()).withUri(vm(vm).incomingUri());
                }
                throw new IOException("VM " + vm + " already runs here (" + s.status() + "); a move needs a free target");
            }
            long t0 = System.nanoTime();
            QemuProcess p = launch(spec);
            try {
                p.qmp().setMigrationCapabilities(Map.of("events", true));
                p.qmp().migrateIncoming(vm(vm).incomingUri());
            } catch (QmpException e) {
                p.close();
                running.remove(vm, p);
                throw e;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            log("S704", id, "destination QEMU pid " + p.pid() + " for VM " + vm + " listens at "
                    + vm(vm).incomingUri() + " (paused, started in " + ms + " ms)");
            return MigrationService.report("destination listening", Map.of("destination_qemu_start_ms", Long.toString(ms)))
                    .withUri(vm(vm).incomingUri());
        }
    }

    /** S710 at the target, after the users' ports moved: the paused destination runs. */
    OperationAnswer resume(String id, MigrationRequest r) throws IOException {
        String vm = r.workload();
        synchronized (lock(vm)) {
            QemuProcess q = alive(vm).orElseThrow(() -> new IOException("no copy of VM " + vm + " here"));
            VmStatus s = status(q);
            if (s.running()) {
                return MigrationService.report("already running", Map.of());
            }
            // the source reports completed once it has sent everything; the destination may still
            // be loading the last pages for a few milliseconds
            long deadline = System.nanoTime() + INCOMING_SETTLE.toNanos();
            while (s.status().equals("inmigrate") && System.nanoTime() < deadline) {
                sleepMillis(2);
                s = status(q);
            }
            if (!s.status().equals("paused")) {
                throw new IOException("VM " + vm + " is " + s.status() + " here, not a completed migration's destination");
            }
            long t0 = System.nanoTime();
            q.qmp().cont();
            long us = (System.nanoTime() - t0) / 1000;
            log("S710", id, "VM " + vm + " running at " + server + " (cont in " + us + " µs)");
            return MigrationService.report("VM running at " + server, Map.of("cont_us", Long.toString(us)));
        }
    }

    /** S711 at the target: QEMU re-announces the guest (RARPs, and the guest's own ARPs). */
    OperationAnswer announce(String id, MigrationRequest r) throws IOException {
        QemuProcess q = alive(r.workload()).orElseThrow(() -> new IOException("no copy of VM " + r.workload() + " here"));
        q.qmp().announceSelf();
        log("S711", id, "announce-self for VM " + r.workload());
        return MigrationService.report("announce-self sent", Map.of());
    }

    /** S710 at the source, after the target runs: the stopped source QEMU exits. */
    OperationAnswer release(String id, MigrationRequest r) throws IOException {
        String vm = r.workload();
        VmMigration m = migration(id);
        synchronized (lock(vm)) {
            Optional<QemuProcess> q = alive(vm);
            if (q.isEmpty()) {
                m.released = true;
                return MigrationService.report("source QEMU already gone", Map.of());
            }
            VmStatus s = status(q.get());
            if (s.running()) {
                throw new IOException("VM " + vm + " still runs here (" + s.status() + "); it was not migrated");
            }
            q.get().close();
            running.remove(vm, q.get());
            m.released = true;
            log("S710", id, "source QEMU of VM " + vm + " ended (" + s.status() + ")");
            return MigrationService.report("source QEMU ended", Map.of());
        }
    }

    /**
     * Source side of an abort, at any point before the target runs: the migration is cancelled
     * and the source runs (again). A source QEMU that died is booted again (the service comes
     * back; sessions inside the guest are lost). After release there is nothing to go back to.
     */
    OperationAnswer rollback(String id, MigrationRequest r) throws IOException, InterruptedException {
        String vm = r.workload();
        VmMigration m = migration(id);
        synchronized (lock(vm)) {
            Optional<QemuProcess> q = alive(vm);
            if (q.isEmpty()) {
                if (m.released) {
                    throw new IOException("the source VM was already ended after resume at the target; migrate back instead");
                }
                StartAnswer started = start(vm);
                log("rollback", id, "source QEMU of VM " + vm + " was gone; booted it again");
                return MigrationService.report("source VM booted again (" + started.summary() + ")", Map.of());
            }
            MigrationInfo info = q.get().qmp().queryMigrate();
            String before = info.status();
            if (!info.finished() && !before.equals("none")) {
                q.get().qmp().migrateCancel();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!info.finished() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    info = q.get().qmp().queryMigrate();
                }
            }
            VmStatus s = status(q.get());
            boolean continued = false;
            if (!s.running()) {
                contUnlessRunning(q.get());
                continued = true;
            }
            m.source = null;
            log("rollback", id, "VM " + vm + " runs at the source (migration was " + before + ", now " + info.status()
                    + (continued ? ", continued from " + s.status() : "") + ")");
            return MigrationService.report("running at the source again (migration " + info.status() + ")", Map.of());
        }
    }

    /** Target side of an abort: the destination QEMU, paused or still receiving, exits. */
    OperationAnswer discard(String id, MigrationRequest r) throws IOException {
        String vm = r.workload();
        synchronized (lock(vm)) {
            Optional<QemuProcess> q = alive(vm);
            if (q.isEmpty()) {
                launcher.killStale(spec(vm).asMigrationDestination());
                return MigrationService.report("no destination here", Map.of());
            }
            VmStatus s = status(q.get());
            if (s.running()) {
                throw new IOException("VM " + vm + " runs here (" + s.status() + "); migrate back instead");
            }
            q.get().close();
            running.remove(vm, q.get());
            log("rollback", id, "destination QEMU of VM " + vm + " stopped (" + s.status() + ")");
            return MigrationService.report("destination discarded", Map.of());
        }
    }

    /** Stops every QEMU this daemon started (the daemon is stopping): no stray VM is left. */
    @Override
    public void close() {
        running.forEach((vm, q) -> {
            LOG.info("stopping QEMU of VM " + vm + " (daemon stopping)");
            q.close();
        });
        running.clear();
    }

    /** {@code cont}, tolerating a QEMU that restarted the guest itself after a failed migration. */
    private static void contUnlessRunning(QemuProcess q) throws QmpException {
        try {
            q.qmp().cont();
        } catch (QmpException e) {
            if (!status(q).running()) {
                throw e;
            }
        }
    }

    private static void sleepMillis(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

}

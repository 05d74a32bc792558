package net.sessionmigration.daemondriver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.ObjectMapper;

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
import net.sessionmigration.daemon.protocol.StartAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

/**
 * Drives the two lab daemons' QEMU backend through {@link QemuDaemonMover}, as the coordinator
 * would, for lab/tests/vm-system-test.sh and lab/bench/vm-bench.sh. The users' ports are moved
 * by {@code ip -n SW link set PORT master BR} (test code; the product uses a VLAN driver).
 *
 * <pre>
 * java -cp ... VmScenario SCENARIO   with environment:
 *   SCENARIO  start | preflight | move | wrong-order | cancel | destination-dies | replicate-refused | state
 *   DAEMONS_RUN (pki), TEST_CTL_SRC, TEST_CTL_DST, TEST_VIP, FROM=main-srv, TO=bak-srv,
 *   TEST_SW_NS, MOVE_PORTS="p1", PORT_BRIDGE=br-v2, VM=vm1, MAX_BANDWIDTH (cancel), MIGRATION_ID
 * </pre>
 * Prints one JSON line; exits 1 on any failure.
 */
public final class VmScenario {
    private VmScenario() {
    }

    private static String env(String k, String def) {
        return LabDaemons.env(k, def);
    }

    /** Keeps every progress line the mover reports. */
    static final class Recording implements DriverContext {
        final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());
        private final String id;

        Recording(String id) {
            this.id = id;
        }

        @Override
        public String migrationId() {
            return id;
        }

        @Override
        public void progress(String message) {
            progress.add(message);
            System.err.println("progress: " + message);
        }

        @Override
        public void operation(String device, String operation, Instant start, Instant end, String outcome) {
        }
    }

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        DaemonClient client = LabDaemons.client(Duration.ofSeconds(120));
        QemuDaemonMover mover = new QemuDaemonMover(client);
        String from = env("FROM", "main-srv");
        String to = env("TO", "bak-srv");
        Map<String, String> options = new LinkedHashMap<>();
        if (scenario.equals("cancel") || scenario.equals("destination-dies")) {
            options.put(QemuDaemonMover.OPTION_MAX_BANDWIDTH, env("MAX_BANDWIDTH", "2000000"));
        }
        MigrationMode mode = scenario.equals("replicate-refused") ? MigrationMode.REPLICATE : MigrationMode.MOVE;
        String vm = env("VM", "vm1");
        WorkloadTask task = new WorkloadTask(env("MIGRATION_ID", "vm" + System.currentTimeMillis()), vm,
                new Server(from, from.startsWith("main") ? "main" : "backup"),
                new Server(to, to.startsWith("main") ? "main" : "backup"),
                new VirtualIp(env("TEST_VIP", "10.20.0.100")), mode, true, false, options);
        Recording ctx = new Recording(task.migrationId());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenario", scenario);
        long t0 = System.nanoTime();
        switch (scenario) {
            case "start" -> out.put("start", client.post(from, "/v1/workloads/" + vm + "/start", Map.of(), StartAnswer.class));
            case "state" -> out.put("state", mover.state(task).orElseThrow());
            case "preflight" -> {
                Preflight p = mover.preflight(task).orElseThrow();
                out.put("go", p.go());
                out.put("problems", p.problems().toString());
                out.put("notes", p.notes());
                if (!p.go()) {
                    throw new IllegalStateException("preflight: " + p.problems());
                }
                if (p.notes().stream().noneMatch(n -> n.matches(".*(KVM|TCG) \\(.*"))) {
                    throw new IllegalStateException("preflight does not report the accelerator: " + p.notes());
                }
            }
            case "replicate-refused" -> {
                Preflight p = mover.preflight(task).orElseThrow();
                out.put("problems", p.problems().toString());
                if (p.go() || p.problems().stream().noneMatch(x -> x.cause().contains("cannot replicate"))) {
                    throw new IllegalStateException("REPLICATE of a VM was not refused: " + p.problems());
                }
                if (mover.capabilities().canReplicate()) {
                    throw new IllegalStateException("the driver claims it can replicate a VM");
                }
            }
            case "move", "wrong-order" -> {
                // warm this JVM's TLS and JSON paths, as a long-lived Karaf driver is
                for (int i = 0; i < Integer.parseInt(env("WARMUP", "2")); i++) {
                    mover.state(task);
                }
                Preflight pre = mover.preflight(task).orElseThrow();
                if (!pre.go()) {
                    throw new IllegalStateException("preflight: " + pre.problems());
                }
                out.put("t_freeze_unix", System.currentTimeMillis() / 1000.0);
                step(out, "S703", mover.freeze(task, ctx));
                Map<String, String> mig = step(out, "S704", mover.migrate(task, ctx));
                out.put("t_migrated_unix", System.currentTimeMillis() / 1000.0);
                out.put("qemu_total_ms", mig.get("qemu_total_ms"));
                out.put("qemu_downtime_ms", mig.get("qemu_downtime_ms"));
                long migrated = System.nanoTime();
                if (scenario.equals("wrong-order")) {
                    step(out, "S710", mover.resume(task, ctx));
                    step(out, "announce", mover.announce(task, ctx));
                    movePorts(out);
                } else {
                    movePorts(out);
                    step(out, "S710", mover.resume(task, ctx));
                    step(out, "announce", mover.announce(task, ctx));
                }
                out.put("completed_to_resumed_ms", (System.nanoTime() - migrated) / 1_000_000);
                WorkloadState s = mover.state(task).orElseThrow();
                out.put("state", s);
                if (s != WorkloadState.RUNNING_AT_TARGET) {
                    throw new IllegalStateException("state is " + s + ", not RUNNING_AT_TARGET");
                }
                out.put("progress_reports", ctx.progress.size());
            }
            case "cancel", "destination-dies" -> {
                out.put("t_freeze_unix", System.currentTimeMillis() / 1000.0);
                step(out, "S703", mover.freeze(task, ctx));
                CompletableFuture<Result<OpReport>> migrating = CompletableFuture.supplyAsync(() -> mover.migrate(task, ctx));
                // cancel midway: once QEMU reports RAM on its way (and the migration is not over)
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (ctx.progress.stream().noneMatch(p -> p.matches("RAM [1-9][0-9]* of .*active.*"))) {
                    if (migrating.isDone() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("no migration in progress to cancel: " + ctx.progress
                                + (migrating.isDone() ? " " + migrating.get() : ""));
                    }
                    Thread.sleep(20);
                }
                out.put("cancelled_at", ctx.progress.get(ctx.progress.size() - 1));
                if (scenario.equals("destination-dies")) {
                    // the destination QEMU crashes midway (killed as a crash would): QEMU fails the
                    // migration at the source, the driver's S704 fails, then the coordinator rolls back
                    long pid = client.get(to, "/v1/workloads/" + vm + "/state", WorkloadStateAnswer.class).pid();
                    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                    out.put("killed_destination_pid", pid);
                    Result<OpReport> failed = migrating.get();
                    out.put("migrate_failed", failed.failure().map(Object::toString).orElse("completed?!"));
                }
                step(out, "rollback", mover.rollback(task, Step.S704, ctx));
                Result<OpReport> m = migrating.get();
                out.put("migrate", m.isOk() ? "completed?!" : m.failure().orElseThrow().toString());
                if (m.isOk()) {
                    throw new IllegalStateException("the migration completed although it was cancelled");
                }
                step(out, "rollback-again", mover.rollback(task, Step.S704, ctx));
                WorkloadState s = mover.state(task).orElseThrow();
                out.put("state", s);
                if (s != WorkloadState.RUNNING_AT_SOURCE) {
                    throw new IllegalStateException("after the cancel the state is " + s);
                }
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        out.put("total_ms", (System.nanoTime() - t0) / 1_000_000);
        out.put("t_end_unix", System.currentTimeMillis() / 1000.0);
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    private static Map<String, String> step(Map<String, Object> out, String name, Result<OpReport> r) {
        OpReport rep = r.orElseThrow();
        out.put(name, rep.measurements().isEmpty() ? rep.summary() : rep.measurements());
        return rep.measurements();
    }

    private static void movePorts(Map<String, Object> out) throws Exception {
        DaemonScenario.movePorts(out, env("PORT_BRIDGE", "br-v2"));
        out.put("t_port_moved_unix", System.currentTimeMillis() / 1000.0);
    }
}

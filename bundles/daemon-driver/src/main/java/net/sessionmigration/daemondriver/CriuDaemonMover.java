package net.sessionmigration.daemondriver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.PreflightAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

/**
 * Moves a workload with the CRIU backend of the daemons. Source daemon: freeze (it prepares the
 * target's page server and hold while the workload still runs), migrate (it stops the workload and
 * dumps it, sends the image to the target daemon and has it restored, stopped), move-vip,
 * release, rollback. Target daemon: resume, announce, discard. Plain Java: tests use it
 * directly with a {@link DaemonClient}.
 *
 * <p>Task options: {@code targetClients} (REPLICATE): comma-separated IPv4 addresses of the
 * users the target copy serves. {@code postCopy} ({@code true}/{@code false}, default false):
 * CRIU's lazy pages, for workloads too large (or writing memory too fast) to move inside the
 * freeze: the freeze moves everything but the memory; the restored copy fetches its pages from the
 * still frozen source, on demand and in the background, and the source copy ends (MOVE) or
 * continues (REPLICATE) only once the last page has left. The price: from the resume until then,
 * the workload depends on both sites.
 *
 * <p>Every operation carries the coordinator's epoch ({@code X-SM-Epoch}, {@link DriverContext#epoch()});
 * preflight and state are reads and carry none.
 */
public final class CriuDaemonMover implements WorkloadMover {
    public static final String DRIVER_TYPE = "criu-daemon";
    public static final String OPTION_TARGET_CLIENTS = "targetClients";
    public static final String OPTION_POST_COPY = "postCopy";

    private final DaemonClient daemons;

    public CriuDaemonMover(DaemonClient daemons) {
        this.daemons = daemons;
    }

    @Override
    public MoverCapabilities capabilities() {
        return new MoverCapabilities(true, true, true, true, true);
    }

    /** The body every daemon operation takes. */
    static MigrationRequest body(WorkloadTask t) {
        String clients = t.options().getOrDefault(OPTION_TARGET_CLIENTS, "").strip();
        return new MigrationRequest(t.workload(), t.virtualIp().address(), t.target().name(), t.mode().name(),
                clients.isEmpty() ? List.of()
                        : Arrays.stream(clients.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList(),
                null, null, postCopy(t) ? Boolean.TRUE : null);
    }

    /** The {@code postCopy} option; anything but true or false is refused by the preflight. */
    static boolean postCopy(WorkloadTask t) {
        return "true".equals(t.options().getOrDefault(OPTION_POST_COPY, "false").strip());
    }

    static String path(WorkloadTask t, String op) {
        return "/v1/migrations/" + t.migrationId() + "/" + op;
    }

    @Override
    public Result<Preflight> preflight(WorkloadTask task) {
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Duration expected = FreezePrediction.of(0, List.of()).expected();
        String postCopy = task.options().getOrDefault(OPTION_POST_COPY, "false").strip();
        if (!postCopy.equals("true") && !postCopy.equals("false")) {
            problems.add(new Problem(task.source().name(), "workload.options." + OPTION_POST_COPY
                    + " must be true or false, not '" + postCopy + "'"));
        } else if (postCopy(task)) {
            notes.add("post-copy: the memory moves after the resume (CRIU's lazy pages); the source copy stays"
                    + " frozen until its last page has left");
        }
        String q = "/v1/workloads/" + task.workload() + "/preflight?vip=" + task.virtualIp().address();
        for (String server : List.of(task.source().name(), task.target().name())) {
            boolean isSource = server.equals(task.source().name());
            try {
                PreflightAnswer n = daemons.get(server, q, PreflightAnswer.class);
                if (!n.criuLooksGood()) {
                    problems.add(new Problem(server, "criu check failed: " + java.util.Objects.toString(n.criuMessage(), "")));
                }
                if (isSource) {
                    if (!n.found()) {
                        problems.add(new Problem(server, "workload " + task.workload() + " is not running"));
                    } else if (n.state().stoppedHere()) {
                        notes.add("workload at the source is stopped (frozen)");
                    }
                    // post-copy: the memory does not move inside the freeze
                    FreezePrediction freeze = FreezePrediction.of(postCopy(task) ? 0 : n.resident(), n.recent());
                    expected = freeze.expected();
                    notes.add(freeze.note());
                } else {
                    if (n.state().vipHere() && task.mode() == MigrationMode.MOVE) {
                        problems.add(new Problem(server, "virtual IP " + task.virtualIp() + " is already present at the target"));
                    }
                    if (n.found() && task.mode() == MigrationMode.MOVE) {
                        problems.add(new Problem(server, n.state().stoppedHere()
                                ? "a stopped copy of " + task.workload() + " is at the target (the source of a post-copy"
                                        + " still sending its pages, or a frozen copy)"
                                : "a copy of " + task.workload() + " already runs at the target"));
                    }
                }
            } catch (DaemonClient.DaemonException e) {
                problems.add(new Problem(server, e.getMessage()));
            }
        }
        return Result.ok(new Preflight(problems, notes, expected));
    }

    private Result<OpReport> call(String server, WorkloadTask t, String op, Step step, DriverContext ctx) {
        return call(daemons, server, t, op, body(t), step, ctx);
    }

    /**
     * One daemon operation, with the caller's epoch ({@link DriverContext#epoch()}: a daemon that has
     * seen a newer coordinator refuses it), recorded in the flight recorder; a refusal becomes a
     * failed result naming the server. Not sent at all once the context says the caller is fenced.
     */
    static Result<OpReport> call(DaemonClient daemons, String server, WorkloadTask t, String op, MigrationRequest body,
                                 Step step, DriverContext ctx) {
        Instant start = Instant.now();
        Optional<String> fenced = ctx.fenced();
        if (fenced.isPresent()) {
            ctx.operation(server, op, start, Instant.now(), "not sent: " + fenced.get());
            return Result.failed(server, step.name() + " " + op + " not sent: " + fenced.get());
        }
        try {
            OperationAnswer n = daemons.withEpoch(ctx.epoch()).post(server, path(t, op), body, OperationAnswer.class);
            String summary = step.name() + " " + n.summary();
            ctx.operation(server, op, start, Instant.now(), summary);
            return Result.ok(new OpReport(summary, new LinkedHashMap<>(n.measured())));
        } catch (DaemonClient.DaemonException e) {
            ctx.operation(server, op, start, Instant.now(), "failed: " + e.getMessage());
            return Result.failed(server, step.name() + " " + op + ": " + e.getMessage());
        }
    }

    @Override
    public Result<OpReport> freeze(WorkloadTask task, DriverContext context) {
        return call(task.source().name(), task, "freeze", Step.S703, context);
    }

    @Override
    public Result<OpReport> migrate(WorkloadTask task, DriverContext context) {
        context.progress("checkpoint at " + task.source().name() + ", restore at " + task.target().name());
        return call(task.source().name(), task, "migrate", Step.S704, context);
    }

    @Override
    public Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context) {
        return call(task.source().name(), task, "move-vip", Step.S705, context);
    }

    /**
     * The source held every connection since the checkpoint: its locked copy took no byte a user
     * sent after it. Only the source is asked; it does not depend on the users' ports. The target
     * reports what arrived under its hold in its resume's answer (S710).
     */
    @Override
    public Result<OpReport> checkSessions(WorkloadTask task, DriverContext context) {
        return call(task.source().name(), task, "held", Step.S708, context);
    }

    /** Target copy first (the users' ports have moved to it), then the source copy is ended (MOVE) or continued (REPLICATE). */
    @Override
    public Result<OpReport> resume(WorkloadTask task, DriverContext context) {
        return resumeThenRelease(() -> call(task.target().name(), task, "resume", Step.S710, context),
                () -> call(task.source().name(), task, "release", Step.S710, context));
    }

    /** S710 for both movers: the target runs first; only then the source copy is released. */
    static Result<OpReport> resumeThenRelease(java.util.function.Supplier<Result<OpReport>> resume,
                                              java.util.function.Supplier<Result<OpReport>> release) {
        Result<OpReport> target = resume.get();
        if (!target.isOk()) {
            return target;
        }
        Result<OpReport> source = release.get();
        if (!source.isOk()) {
            return source;
        }
        Map<String, String> m = new LinkedHashMap<>();
        target.orElseThrow().measurements().forEach((k, v) -> m.put("target_" + k, v));
        source.orElseThrow().measurements().forEach((k, v) -> m.put("source_" + k, v));
        return Result.ok(new OpReport(target.orElseThrow().summary() + "; " + source.orElseThrow().summary(), m));
    }

    @Override
    public Result<OpReport> announce(WorkloadTask task, DriverContext context) {
        return call(task.target().name(), task, "announce", Step.S711, context);
    }

    /**
     * Target copy and address away first, then the source continues with its address. Before
     * S703 the target was only asked questions (preflight), so it is left alone; at S703 the
     * source may have started the target's page server and hold (before the workload stopped),
     * which are ended on a best-effort basis: a target daemon that is down must not keep a workload
     * that never left its source from being rolled back.
     */
    @Override
    public Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context) {
        Result<OpReport> target = reached.compareTo(Step.S703) < 0
                ? Result.ok(OpReport.of("target untouched before S703"))
                : call(task.target().name(), task, "discard", reached, context);
        if (reached == Step.S703 && !target.isOk()) {
            target = Result.ok(OpReport.of("target not cleaned (" + target.failure().map(Object::toString).orElse("")
                    + "): at S703 it held at most a waiting page server"));
        }
        Result<OpReport> source = call(task.source().name(), task, "rollback", reached, context);
        if (!target.isOk()) {
            return target;
        }
        return source.isOk() ? Result.ok(OpReport.of("rolled back from " + reached + ": "
                + source.orElseThrow().summary())) : source;
    }

    @Override
    public Result<WorkloadState> state(WorkloadTask task) {
        String q = "/v1/workloads/" + task.workload() + "/state?vip=" + task.virtualIp().address();
        try {
            WorkloadStateAnswer s = daemons.get(task.source().name(), q, WorkloadStateAnswer.class);
            WorkloadStateAnswer t = daemons.get(task.target().name(), q, WorkloadStateAnswer.class);
            return Result.ok(stateOf(s.found(), s.stoppedHere(), t.found(), t.stoppedHere()));
        } catch (DaemonClient.DaemonException e) {
            return Result.failed(e.server(), e.getMessage());
        }
    }

    static WorkloadState stateOf(boolean srcFound, boolean srcStopped, boolean dstFound, boolean dstStopped) {
        if (dstFound && !dstStopped) {
            return srcFound && !srcStopped ? WorkloadState.RUNNING_AT_BOTH : WorkloadState.RUNNING_AT_TARGET;
        }
        if (dstFound) {
            return WorkloadState.READY_AT_TARGET;
        }
        if (srcFound) {
            return srcStopped ? WorkloadState.FROZEN_AT_SOURCE : WorkloadState.RUNNING_AT_SOURCE;
        }
        return WorkloadState.NOT_RUNNING;
    }
}

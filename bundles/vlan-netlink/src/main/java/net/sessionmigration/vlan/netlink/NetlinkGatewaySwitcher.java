package net.sessionmigration.vlan.netlink;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.base.SwitchReports;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.daemon.protocol.GatewayMoveAnswer;
import net.sessionmigration.daemon.protocol.GatewayPreflightAnswer;
import net.sessionmigration.daemon.protocol.GatewayRequest;
import net.sessionmigration.daemon.protocol.GatewayVlansAnswer;
import net.sessionmigration.vlan.netlink.GatewayClient.GatewayException;

/**
 * The netlink-gateway VLAN driver without OSGi: all ports of one gateway in one request to its
 * daemon (which checks every port first, looks the links up once, moves each port with one
 * rtnetlink request, verifies by reading back, and keeps its batch whole: on a partial failure it
 * puts back what that batch moved), gateways in parallel. The driver puts nothing back itself:
 * when one gateway fails, the other gateways' ports stay moved and are named, and the
 * coordinator's {@link #restore} puts them back. No per-migration state.
 */
public final class NetlinkGatewaySwitcher implements AccessPortSwitcher, AutoCloseable {
    public static final String DRIVER_TYPE = "netlink-gateway";

    private final Function<String, Optional<GatewayClient>> gateways;
    private final ExecutorService executor;

    public NetlinkGatewaySwitcher(Function<String, Optional<GatewayClient>> gateways) {
        this.gateways = gateways;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "netlink-gateway-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private static final class PlanProblem extends Exception {
        final Problem problem;

        PlanProblem(String device, String cause) {
            super(cause);
            problem = new Problem(device, cause);
        }
    }

    /** Moves grouped by gateway, in the plan's order; every gateway configured, no port twice. */
    private Map<String, List<PortMove>> plan(List<PortMove> moves) throws PlanProblem {
        Map<String, List<PortMove>> by = new LinkedHashMap<>();
        Set<AccessPort> seen = new HashSet<>();
        for (PortMove m : moves) {
            String d = m.port().device();
            client(d);
            if (!seen.add(m.port())) {
                throw new PlanProblem(d, "port " + m.port().port() + " is listed twice in one batch");
            }
            by.computeIfAbsent(d, x -> new ArrayList<>()).add(m);
        }
        return by;
    }

    private GatewayClient client(String device) throws PlanProblem {
        return gateways.apply(device).orElseThrow(() -> new PlanProblem(device, "no gateway named " + device
                + " (configure net.sessionmigration.vlan.netlink.gateway with name=" + device + ")"));
    }

    private <T> Map<String, T> parallel(Set<String> devices, Function<String, T> task) {
        Map<String, CompletableFuture<T>> futures = new LinkedHashMap<>();
        for (String d : devices) {
            futures.put(d, CompletableFuture.supplyAsync(() -> task.apply(d), executor));
        }
        Map<String, T> out = new LinkedHashMap<>();
        futures.forEach((d, f) -> out.put(d, f.join()));
        return out;
    }

    static GatewayRequest moveBody(List<PortMove> moves, boolean putBack) {
        return GatewayRequest.moves(moves.stream()
                .map(m -> new GatewayRequest.Move(m.port().port(), m.from().value(), m.to().value())).toList(), putBack);
    }

    /** A call to one gateway, recorded as one device operation. */
    private <T> T call(String device, String op, GatewayRequest body, Class<T> answer, String what, DriverContext ctx)
            throws GatewayException {
        GatewayClient c = gateways.apply(device).orElseThrow();
        Instant start = Instant.now();
        Optional<String> fenced = op.equals("move") && ctx != null ? ctx.fenced() : Optional.empty();
        if (fenced.isPresent()) {
            GatewayException e = new GatewayException("fenced", null, device + ": " + what + " not sent: "
                    + fenced.get(), null);
            ctx.operation(device, what, start, Instant.now(), e.getMessage());
            throw e;
        }
        try {
            // a move carries the caller's epoch: a gateway that has seen a newer coordinator refuses it
            T n = op.equals("move") && ctx != null ? c.post(op, body, answer, ctx.epoch()) : c.post(op, body, answer);
            if (ctx != null) {
                ctx.operation(device, what, start, Instant.now(), "ok");
            }
            return n;
        } catch (GatewayException e) {
            if (ctx != null) {
                ctx.operation(device, what, start, Instant.now(), e.getMessage());
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ read

    @Override
    public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
        Map<String, List<AccessPort>> by = new LinkedHashMap<>();
        for (AccessPort p : ports) {
            try {
                client(p.device());
            } catch (PlanProblem e) {
                return Result.failed(e.problem);
            }
            by.computeIfAbsent(p.device(), x -> new ArrayList<>()).add(p);
        }
        Map<String, Object> answers = parallel(by.keySet(), d -> {
            try {
                return readVlans(d, by.get(d), null, "read");
            } catch (GatewayException e) {
                return new Problem(d, e.getMessage());
            }
        });
        Map<AccessPort, VlanId> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : answers.entrySet()) {
            if (e.getValue() instanceof Problem p) {
                return Result.failed(p);
            }
            @SuppressWarnings("unchecked")
            Map<AccessPort, VlanId> m = (Map<AccessPort, VlanId>) e.getValue();
            out.putAll(m);
        }
        return Result.ok(out);
    }

    private Map<AccessPort, VlanId> readVlans(String d, List<AccessPort> ports, DriverContext ctx, String why)
            throws GatewayException {
        GatewayVlansAnswer n = call(d, "vlans", GatewayRequest.vlans(ports.stream().map(AccessPort::port).toList()),
                GatewayVlansAnswer.class, "POST /gateway/v1/vlans ×" + ports.size() + " (" + why + ")", ctx);
        return parseVlans(d, ports, n);
    }

    static Map<AccessPort, VlanId> parseVlans(String d, List<AccessPort> ports, GatewayVlansAnswer n) throws GatewayException {
        Map<AccessPort, VlanId> out = new LinkedHashMap<>();
        for (AccessPort p : ports) {
            Integer v = n.vlans() == null ? null : n.vlans().get(p.port());
            if (v == null || v < VlanId.MIN || v > VlanId.MAX) {
                throw new GatewayException("daemon-error", p.port(), "port " + p.port() + ": the gateway gave no VLAN ("
                        + v + ")", null);
            }
            out.put(p, VlanId.of(v));
        }
        return out;
    }

    // ------------------------------------------------------------------ move

    /** What a move did on one gateway: the ports on their to VLAN now, and its failure (if any). */
    private record Moved(List<PortMove> moved, List<PortMove> already, GatewayException failure,
                         GatewayMoveAnswer answer) {
    }

    /**
     * One request per gateway, gateways in parallel. The gateway daemon checks every port first,
     * moves them, verifies by reading back, and keeps its own batch whole (a kernel request that
     * fails midway can leave a port in no VLAN, which only the daemon's put-back of that batch
     * repairs). The driver puts nothing back across gateways: a failure is reported with the ports
     * the other gateways moved, and the coordinator's restore puts them back. Idempotent: ports
     * already on their to VLAN (a move repeated in forward recovery) are not moved again.
     */
    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext ctx) {
        DriverContext context = ctx == null ? DriverContext.detached(DRIVER_TYPE) : ctx;
        if (moves.isEmpty()) {
            return Result.ok(OpReport.of("no ports to move"));
        }
        Map<String, List<PortMove>> by;
        try {
            by = plan(moves);
        } catch (PlanProblem e) {
            return Result.failed(e.problem);
        }
        long t0 = System.nanoTime();
        Map<String, Moved> results = parallel(by.keySet(), d -> moveOn(d, by.get(d), context));
        long t1 = System.nanoTime();
        List<String> failures = new ArrayList<>();
        String first = null;
        List<String> moved = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        int already = 0;
        long kernelUs = 0;
        long daemonUs = 0;
        for (Map.Entry<String, Moved> e : results.entrySet()) {
            Moved m = e.getValue();
            m.moved().forEach(x -> moved.add(x.port().toString()));
            already += m.already().size();
            if (m.failure() != null) {
                failures.add(e.getKey() + ": " + m.failure().getMessage());
                first = first == null ? e.getKey() : first;
                if (m.failure().kind().equals("timeout")) {
                    unknown.add(e.getKey());
                }
            }
            if (m.answer() != null) {
                kernelUs = Math.max(kernelUs, m.answer().measurement("kernel_us"));
                daemonUs = Math.max(daemonUs, m.answer().measurement("lookup_us") + m.answer().measurement("kernel_us")
                        + m.answer().measurement("verify_us"));
            }
        }
        Map<String, String> measurements = new LinkedHashMap<>();
        measurements.put("ports", Integer.toString(moves.size()));
        measurements.put("gateways", Integer.toString(by.size()));
        measurements.put("total_ms", millis(t1 - t0));
        measurements.put("kernel_ms_max", String.format(Locale.ROOT, "%.1f", kernelUs / 1000.0));
        // lookup + moves + verify inside the slowest daemon; the rest of total_ms is HTTPS
        measurements.put("daemon_ms_max", String.format(Locale.ROOT, "%.1f", daemonUs / 1000.0));
        if (failures.isEmpty()) {
            if (already > 0) {
                measurements.put("already_moved", Integer.toString(already));
            }
            String summary = "moved " + moves.size() + " port(s) on " + by.size() + " gateway(s), one request each, verified"
                    + (already == 0 ? "" : " (" + already + " of them already on their target VLAN: not moved again)");
            context.progress(summary);
            return Result.ok(new OpReport(summary, measurements));
        }
        // the cause names gateway, port and why; the failing gateway's daemon says what it put back of its batch
        String cause = failures.size() <= 3 ? String.join("; ", failures)
                : String.join("; ", failures.subList(0, 3)) + "; and " + (failures.size() - 3) + " more failure(s)";
        // nothing said when nothing moved: the daemon's own text says "nothing was moved" or what it put back
        String tail = moved.isEmpty() ? "" : "; " + SwitchReports.movedBeforeFailure(moved);
        if (!unknown.isEmpty()) {
            tail += "; the outcome on " + unknown + " is unknown: its ports may have moved";
        }
        context.progress("a gateway failed: " + cause + tail);
        return Result.failed(first, stripDevice(first, cause + tail));
    }

    /** One gateway's share of a move; never throws. */
    private Moved moveOn(String d, List<PortMove> moves, DriverContext context) {
        try {
            GatewayMoveAnswer a = call(d, "move", moveBody(moves, true), GatewayMoveAnswer.class,
                    "POST /gateway/v1/move ×" + moves.size() + " " + summary(moves), context);
            return new Moved(moves, List.of(), null, a);
        } catch (GatewayException e) {
            if (!e.kind().equals("wrong-vlan")) {
                return new Moved(List.of(), List.of(), e, null);
            }
        }
        // A port is not on its from VLAN: read them. On its to VLAN it counts as moved (a move
        // repeated after a crash); on another VLAN someone else took it, and nothing is moved here.
        Map<AccessPort, VlanId> now;
        try {
            now = readVlans(d, moves.stream().map(PortMove::port).toList(), context, "before move");
        } catch (GatewayException e) {
            return new Moved(List.of(), List.of(), e, null);
        }
        List<PortMove> already = new ArrayList<>();
        List<PortMove> pending = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        for (PortMove m : moves) {
            VlanId v = now.get(m.port());
            if (v.equals(m.to())) {
                already.add(m);
            } else if (v.equals(m.from())) {
                pending.add(m);
            } else {
                taken.add("port " + m.port().port() + " (user " + m.user() + ") is on VLAN " + v + ", the plan expects VLAN "
                        + m.from() + " (or its target VLAN " + m.to() + ")");
            }
        }
        if (!taken.isEmpty()) {
            return new Moved(already, already, new GatewayException("wrong-vlan", null, String.join("; ", taken)
                    + "; nothing was moved", null), null);
        }
        if (pending.isEmpty()) {
            return new Moved(already, already, null, null);
        }
        try {
            GatewayMoveAnswer a = call(d, "move", moveBody(pending, true), GatewayMoveAnswer.class,
                    "POST /gateway/v1/move ×" + pending.size() + " " + summary(pending), context);
            return new Moved(moves, already, null, a);
        } catch (GatewayException e) {
            return new Moved(already, already, e, null);
        }
    }

    /** What a restore did on one gateway. */
    private record Restored(List<String> putBack, int already, List<String> elsewhere, Problem problem) {
    }

    /**
     * Every gateway in parallel, best effort: read the ports; those on their to VLAN are moved back
     * to their from VLAN (the daemon verifies), those on their from VLAN are left alone, and those
     * on any other VLAN are left alone and named (someone else took them since the preflight). A
     * gateway that cannot be read or moved back is named in the failure, so that the coordinator
     * tries again.
     */
    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext ctx) {
        DriverContext context = ctx == null ? DriverContext.detached(DRIVER_TYPE) : ctx;
        Map<String, List<PortMove>> by = new LinkedHashMap<>();
        moves.forEach(m -> by.computeIfAbsent(m.port().device(), x -> new ArrayList<>()).add(m));
        Map<String, Restored> results = parallel(by.keySet(), d -> restoreOn(d, by.get(d), context));
        List<String> putBack = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int already = 0;
        for (Restored r : results.values()) {
            putBack.addAll(r.putBack());
            elsewhere.addAll(r.elsewhere());
            already += r.already();
            if (r.problem() != null) {
                problems.add(r.problem());
            }
        }
        String done = SwitchReports.restored(putBack, already, elsewhere);
        if (!putBack.isEmpty()) {
            context.progress(done);
        }
        if (problems.isEmpty()) {
            return Result.ok(OpReport.of(done));
        }
        return Result.failed(problems.get(0).device(), problems.stream().map(Problem::cause)
                .collect(Collectors.joining("; ")) + "; on the other gateways: " + done);
    }

    /** One gateway's share of a restore; never throws. */
    private Restored restoreOn(String d, List<PortMove> moves, DriverContext context) {
        List<String> ports = moves.stream().map(m -> m.port().toString()).toList();
        try {
            client(d);
        } catch (PlanProblem e) {
            return new Restored(List.of(), 0, List.of(), new Problem(d, e.getMessage() + "; not put back: " + some(ports)));
        }
        Map<AccessPort, VlanId> now;
        try {
            now = readVlans(d, moves.stream().map(PortMove::port).toList(), context, "restore");
        } catch (GatewayException e) {
            return new Restored(List.of(), 0, List.of(), new Problem(d, e.getMessage() + "; not put back: " + some(ports)));
        }
        List<PortMove> back = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        int already = 0;
        for (PortMove m : moves) {
            VlanId v = now.get(m.port());
            if (v.equals(m.from())) {
                already++;
            } else if (v.equals(m.to())) {
                back.add(m.reversed());
            } else {
                elsewhere.add(m.port() + " (user " + m.user() + ") on VLAN " + v);
            }
        }
        if (back.isEmpty()) {
            return new Restored(List.of(), already, elsewhere, null);
        }
        List<String> backNames = back.stream().map(m -> m.port().toString()).toList();
        try {
            // no put-back of a put-back: a port moved back stays back when a later one fails
            call(d, "move", moveBody(back, false), GatewayMoveAnswer.class, "POST /gateway/v1/move ×" + back.size()
                    + " " + summary(back) + " (restore)", context);
            return new Restored(backNames, already, elsewhere, null);
        } catch (GatewayException e) {
            return new Restored(List.of(), already, elsewhere, new Problem(d, e.getMessage() + "; not confirmed back: "
                    + some(backNames)));
        }
    }

    /** At most 10 items in an operator's message, then how many more. */
    static String some(List<String> items) {
        return SwitchReports.some(items);
    }

    /** Problem already names the device: "gw1: gw1: …" reads badly. */
    private static String stripDevice(String device, String cause) {
        return cause.startsWith(device + ": ") ? cause.substring(device.length() + 2) : cause;
    }

    private static String summary(List<PortMove> moves) {
        List<String> s = moves.stream().map(m -> m.port().port() + "→" + m.to()).toList();
        return s.size() <= 6 ? s.toString() : "[" + String.join(", ", s.subList(0, 3)) + ", … " + s.get(s.size() - 1) + "]";
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    // ------------------------------------------------------------------ preflight

    @Override
    public Result<Preflight> preflight(List<PortMove> moves) {
        Map<String, List<PortMove>> by;
        try {
            by = plan(moves);
        } catch (PlanProblem e) {
            return Result.ok(new Preflight(List.of(e.problem), List.of(), Duration.ZERO));
        }
        record Check(List<Problem> problems, List<String> notes, Duration expected) {
        }
        Map<String, Check> checks = parallel(by.keySet(), d -> {
            List<Problem> problems = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            try {
                long a = System.nanoTime();
                GatewayPreflightAnswer n = call(d, "preflight", moveBody(by.get(d), true), GatewayPreflightAnswer.class,
                        "preflight", null);
                long rtt = System.nanoTime() - a;
                if (n.problems() != null) {
                    n.problems().forEach(p -> problems.add(new Problem(d, p.cause())));
                }
                long lookupUs = n.lookupUs();
                notes.add(d + ": " + n.mode() + ", round trip " + millis(rtt) + " ms (links looked up in "
                        + lookupUs + " µs), " + by.get(d).size() + " port(s) in one request");
                // one request: the round trip, plus per port one kernel request, plus the verify's lookup
                return new Check(problems, notes, Duration.ofNanos(rtt + lookupUs * 1000L * 2 + by.get(d).size() * 100_000L));
            } catch (GatewayException e) {
                problems.add(new Problem(d, e.getMessage()));
                return new Check(problems, notes, Duration.ZERO);
            }
        });
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Duration expected = Duration.ZERO;
        for (Check c : checks.values()) {
            problems.addAll(c.problems());
            notes.addAll(c.notes());
            expected = c.expected().compareTo(expected) > 0 ? c.expected() : expected;
        }
        return Result.ok(new Preflight(problems, notes, expected));
    }
}

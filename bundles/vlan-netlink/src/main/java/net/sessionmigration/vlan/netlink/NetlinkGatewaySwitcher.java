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
 * daemon (which looks the links up once, moves each port with one rtnetlink request, verifies
 * by reading back and puts back on a partial failure), gateways in parallel; when one gateway
 * fails the others' ports are put back too (all or nothing across gateways).
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
        try {
            T n = c.post(op, body, answer);
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

    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        return run(moves, context, true);
    }

    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        // Best effort per gateway: one unreachable gateway must not keep the others' users away.
        Map<String, List<PortMove>> by;
        try {
            by = plan(moves);
        } catch (PlanProblem e) {
            return Result.failed(e.problem);
        }
        List<Problem> problems = new ArrayList<>();
        List<PortMove> needed = new ArrayList<>();
        for (Map.Entry<String, List<PortMove>> e : by.entrySet()) {
            try {
                Map<AccessPort, VlanId> now = readVlans(e.getKey(), e.getValue().stream().map(PortMove::port).toList(),
                        context, "restore");
                e.getValue().stream().filter(m -> !m.from().equals(now.get(m.port())))
                        .map(m -> new PortMove(m.user(), m.port(), now.get(m.port()), m.from())).forEach(needed::add);
            } catch (GatewayException x) {
                problems.add(new Problem(e.getKey(), x.getMessage()));
            }
        }
        Result<OpReport> done = needed.isEmpty()
                ? Result.ok(OpReport.of("all reachable ports already on their original VLAN"))
                : run(needed, context, false);
        if (problems.isEmpty()) {
            return done;
        }
        String rest = done.isOk() ? "the other gateways' ports are back (" + done.orElseThrow().summary() + ")"
                : "and " + done.failure().orElseThrow();
        return Result.failed(problems.get(0).device(),
                problems.stream().map(Problem::cause).collect(Collectors.joining("; ")) + "; " + rest);
    }

    private Result<OpReport> run(List<PortMove> moves, DriverContext ctx, boolean allOrNothing) {
        DriverContext context = ctx == null ? DriverContext.detached("netlink-gateway") : ctx;
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
        Map<String, Object> answers = parallel(by.keySet(), d -> {
            try {
                return call(d, "move", moveBody(by.get(d), allOrNothing), GatewayMoveAnswer.class,
                        "POST /gateway/v1/move ×" + by.get(d).size() + " " + summary(by.get(d)), context);
            } catch (GatewayException e) {
                return e;
            }
        });
        long t1 = System.nanoTime();
        List<String> failures = new ArrayList<>();
        String first = null;
        List<String> ok = new ArrayList<>();
        long kernelUs = 0;
        long daemonUs = 0;
        for (Map.Entry<String, Object> e : answers.entrySet()) {
            if (e.getValue() instanceof GatewayException x) {
                failures.add(e.getKey() + ": " + x.getMessage());
                first = first == null ? e.getKey() : first;
            } else {
                ok.add(e.getKey());
                GatewayMoveAnswer m = (GatewayMoveAnswer) e.getValue();
                kernelUs = Math.max(kernelUs, m.measurement("kernel_us"));
                daemonUs = Math.max(daemonUs, m.measurement("lookup_us") + m.measurement("kernel_us")
                        + m.measurement("verify_us"));
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
            String summary = "moved " + moves.size() + " port(s) on " + by.size() + " gateway(s), one request each, verified";
            context.progress(summary);
            return Result.ok(new OpReport(summary, measurements));
        }
        // the failing gateways put their own ports back; the cause names gateway, port and why
        String cause = failures.size() <= 3 ? String.join("; ", failures)
                : String.join("; ", failures.subList(0, 3)) + "; and " + (failures.size() - 3) + " more failure(s)";
        if (!allOrNothing || ok.isEmpty()) {
            return Result.failed(first, stripDevice(first, cause));
        }
        context.progress("a gateway failed, putting back the ports of " + ok);
        Map<String, Object> back = parallel(new java.util.LinkedHashSet<>(ok), d -> {
            try {
                return call(d, "move", moveBody(by.get(d).stream().map(PortMove::reversed).toList(), true),
                        GatewayMoveAnswer.class, "POST /gateway/v1/move ×" + by.get(d).size() + " (put back)", context);
            } catch (GatewayException e) {
                return e;
            }
        });
        List<String> putBack = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        back.forEach((d, r) -> {
            if (r instanceof GatewayException x) {
                stuck.add(d + " (" + x.getMessage() + ")");
            } else {
                by.get(d).forEach(m -> putBack.add(m.port().toString()));
            }
        });
        return Result.failed(first, stripDevice(first, cause) + "; put back the ports already moved on the other gateways "
                + putBack + (stuck.isEmpty() ? "" : "; COULD NOT PUT BACK the ports of " + stuck));
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

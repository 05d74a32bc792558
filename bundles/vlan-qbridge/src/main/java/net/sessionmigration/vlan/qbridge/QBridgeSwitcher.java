package net.sessionmigration.vlan.qbridge;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * The Q-BRIDGE-MIB VLAN driver without OSGi: moves access ports by SNMP SET of dot1qPvid
 * (and, in style pvid+static, the static VLAN PortLists), all ports of one switch in one PDU
 * (split at max.varbinds), switches in parallel, verified by reading back, and put back on a
 * partial failure. Device profiles and credentials come from a {@link Profiles} lookup.
 */
public final class QBridgeSwitcher implements AccessPortSwitcher, AutoCloseable {

    /** Where the driver finds how to reach a device and the secrets its profile names. */
    public interface Profiles {
        Optional<DeviceProfile> device(String name);

        Optional<SnmpCredential> credential(String name);
    }

    /** One port of a batch, resolved to its dot1dBasePort. */
    record Planned(PortMove move, int basePort) {
        String label() {
            return "port " + move.port().port() + (move.port().port().equals(Integer.toString(basePort))
                    ? "" : " (dot1dBasePort " + basePort + ")");
        }
    }

    /** What the SET phase did on one switch: its failure (if any) and the port it was about. */
    record SetOutcome(SnmpFailure failure, Planned failedPort, int pdus) {
        /** Failed before any SET reached the agent, or the agent refused the first one's credentials. */
        boolean certainlyUnchanged() {
            return failure != null && (pdus == 0 || pdus == 1 && failure.kind().refusedBeforeProcessing());
        }

    }

    private static final class DeviceProblem extends Exception {
        final Problem problem;

        DeviceProblem(String device, String cause) {
            super(cause);
            this.problem = new Problem(device, cause);
        }
    }

    private final Profiles profiles;
    private final ExecutorService executor;
    private final Map<String, SwitchSession> sessions = new ConcurrentHashMap<>();
    /**
     * Per migration, the switches a failed move certainly never changed (they refused our credentials),
     * so that its restore need not read switches that will refuse again. Memory only: after a restart
     * restore reads every switch.
     */
    private final Map<String, Set<String>> untouched = new ConcurrentHashMap<>();

    public QBridgeSwitcher(Profiles profiles) {
        this(profiles, 32);
    }

    public QBridgeSwitcher(Profiles profiles, int threads) {
        this.profiles = profiles;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "qbridge-snmp-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newFixedThreadPool(threads, factory);
    }

    /** Drops the cached SNMP engine of a device (its profile or credential changed). */
    public void forget(String device) {
        SwitchSession s = sessions.remove(device);
        if (s != null) {
            s.close();
        }
    }

    public void forgetAll() {
        for (String d : List.copyOf(sessions.keySet())) {
            forget(d);
        }
    }

    @Override
    public void close() {
        forgetAll();
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ sessions

    SwitchSession session(String device) throws DeviceProblem {
        DeviceProfile profile = profiles.device(device).orElseThrow(() -> new DeviceProblem(device,
                "no switch profile named " + device + " (configure net.sessionmigration.vlan.qbridge.device with name="
                        + device + ")"));
        SnmpCredential credential = profiles.credential(profile.credential()).orElseThrow(() -> new DeviceProblem(device,
                "credential " + profile.credential() + " named by switch " + device + " is not configured"
                        + " (net.sessionmigration.snmp.credential with name=" + profile.credential() + ")"));
        SwitchSession existing = sessions.get(device);
        if (existing != null && existing.profile().equals(profile) && existing.credential().equals(credential)) {
            return existing;
        }
        synchronized (sessions) {
            existing = sessions.get(device);
            if (existing != null && existing.profile().equals(profile) && existing.credential().equals(credential)) {
                return existing;
            }
            if (existing != null) {
                existing.close();
            }
            try {
                SwitchSession created = new SwitchSession(profile, credential);
                sessions.put(device, created);
                return created;
            } catch (IOException | RuntimeException e) {
                throw new DeviceProblem(device, "cannot open SNMP to " + profile.target() + ": " + e.getMessage());
            }
        }
    }

    private Map<String, List<Planned>> plan(List<PortMove> moves) throws DeviceProblem {
        Map<String, List<Planned>> byDevice = new LinkedHashMap<>();
        Set<AccessPort> seen = new HashSet<>();
        for (PortMove m : moves) {
            String device = m.port().device();
            SwitchSession s = session(device);
            int base = s.profile().basePort(m.port().port()).orElseThrow(() -> new DeviceProblem(device,
                    "port " + m.port().port() + " is neither a dot1dBasePort number nor in port.map of switch " + device));
            if (!seen.add(m.port())) {
                throw new DeviceProblem(device, "port " + m.port().port() + " is listed twice in one batch");
            }
            byDevice.computeIfAbsent(device, d -> new ArrayList<>()).add(new Planned(m, base));
        }
        return byDevice;
    }

    private <T> Map<String, T> parallel(Set<String> devices, DeviceTask<T> task) {
        Map<String, CompletableFuture<T>> futures = new LinkedHashMap<>();
        for (String d : devices) {
            futures.put(d, CompletableFuture.supplyAsync(() -> task.run(d), executor));
        }
        Map<String, T> out = new LinkedHashMap<>();
        futures.forEach((d, f) -> out.put(d, f.join()));
        return out;
    }

    @FunctionalInterface
    private interface DeviceTask<T> {
        T run(String device);
    }

    // ------------------------------------------------------------------ read

    @Override
    public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
        Map<String, List<Planned>> byDevice;
        try {
            byDevice = plan(ports.stream().map(p -> new PortMove("-", p, VlanId.of(1), VlanId.of(1))).toList());
        } catch (DeviceProblem e) {
            return Result.failed(e.problem);
        }
        Map<String, Object> answers = parallel(byDevice.keySet(), d -> {
            try {
                return readPvids(session(d), byDevice.get(d), null, "read");
            } catch (DeviceProblem e) {
                return e.problem;
            } catch (SnmpFailure f) {
                return new Problem(d, f.getMessage());
            }
        });
        Map<AccessPort, VlanId> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : answers.entrySet()) {
            if (e.getValue() instanceof Problem p) {
                return Result.failed(p);
            }
            @SuppressWarnings("unchecked")
            Map<Planned, Integer> pvids = (Map<Planned, Integer>) e.getValue();
            for (Map.Entry<Planned, Integer> pv : pvids.entrySet()) {
                if (pv.getValue() < VlanId.MIN || pv.getValue() > VlanId.MAX) {
                    return Result.failed(e.getKey(), pv.getKey().label() + ": dot1qPvid is " + pv.getValue()
                            + ", not a VLAN id");
                }
                out.put(pv.getKey().move().port(), VlanId.of(pv.getValue()));
            }
        }
        return Result.ok(out);
    }

    /** dot1qPvid of each port, in GETs of at most max.varbinds. */
    Map<Planned, Integer> readPvids(SwitchSession s, List<Planned> ports, DriverContext ctx, String why)
            throws SnmpFailure {
        Map<Planned, Integer> out = new LinkedHashMap<>();
        int max = s.profile().maxVarbinds();
        for (int i = 0; i < ports.size(); i += max) {
            List<Planned> chunk = ports.subList(i, Math.min(ports.size(), i + max));
            Instant start = Instant.now();
            List<VariableBinding> vbs;
            try {
                vbs = s.get(chunk.stream().map(p -> QBridgeMib.pvid(p.basePort())).toList());
            } catch (SnmpFailure f) {
                record(ctx, s, "GET dot1qPvid ×" + chunk.size() + " (" + why + ")", start, f.getMessage());
                throw f;
            }
            record(ctx, s, "GET dot1qPvid ×" + chunk.size() + " (" + why + ")", start, "ok");
            for (int k = 0; k < chunk.size(); k++) {
                Variable v = k < vbs.size() ? vbs.get(k).getVariable() : null;
                if (v == null || v.isException() || !(v instanceof UnsignedInteger32 || v instanceof Integer32)) {
                    throw new SnmpFailure(SnmpFailure.Kind.NO_SUCH_NAME, k + 1, s.profile().name() + " ("
                            + s.profile().target() + "): " + chunk.get(k).label() + ": no dot1qPvid ("
                            + (v == null ? "no answer" : v.toString()) + ") — no such port or no Q-BRIDGE-MIB on the switch");
                }
                out.put(chunk.get(k), v.toInt());
            }
        }
        return out;
    }

    private static void record(DriverContext ctx, SwitchSession s, String op, Instant start, String outcome) {
        if (ctx != null) {
            ctx.operation(s.profile().name(), op, start, Instant.now(), outcome);
        }
    }

    // ------------------------------------------------------------------ write

    /** The SET PDUs for one switch: varbind lists, each at most max.varbinds long. */
    static List<List<VariableBinding>> buildSetPdus(DeviceProfile profile, List<Planned> ports,
                                                     Map<Integer, PortList> egress, Map<Integer, PortList> untagged) {
        List<List<VariableBinding>> pdus = new ArrayList<>();
        int max = profile.maxVarbinds();
        if (profile.style() == DeviceProfile.Style.PVID) {
            for (int i = 0; i < ports.size(); i += max) {
                pdus.add(ports.subList(i, Math.min(ports.size(), i + max)).stream()
                        .map(p -> new VariableBinding(QBridgeMib.pvid(p.basePort()),
                                new UnsignedInteger32(p.move().to().value())))
                        .collect(Collectors.toCollection(ArrayList::new)));
            }
            return pdus;
        }
        // pvid+static: PVIDs first (the port joins its new VLAN), then the full PortLists of every
        // VLAN the chunk touches, so a switch that checks membership sees a consistent PDU.
        Map<Integer, PortList> eg = new TreeMap<>(egress);
        Map<Integer, PortList> un = new TreeMap<>(untagged);
        int i = 0;
        while (i < ports.size()) {
            List<Planned> chunk = new ArrayList<>();
            Set<Integer> vlans = new LinkedHashSet<>();
            while (i < ports.size()) {
                Planned p = ports.get(i);
                Set<Integer> more = new LinkedHashSet<>(vlans);
                more.add(p.move().from().value());
                more.add(p.move().to().value());
                if (!chunk.isEmpty() && chunk.size() + 1 + 2 * more.size() > max) {
                    break;
                }
                chunk.add(p);
                vlans = more;
                i++;
            }
            List<VariableBinding> vbs = new ArrayList<>();
            for (Planned p : chunk) {
                vbs.add(new VariableBinding(QBridgeMib.pvid(p.basePort()), new UnsignedInteger32(p.move().to().value())));
                int from = p.move().from().value();
                int to = p.move().to().value();
                eg.put(from, eg.getOrDefault(from, PortList.empty(0)).without(p.basePort()));
                un.put(from, un.getOrDefault(from, PortList.empty(0)).without(p.basePort()));
                eg.put(to, eg.getOrDefault(to, PortList.empty(0)).with(p.basePort()));
                un.put(to, un.getOrDefault(to, PortList.empty(0)).with(p.basePort()));
            }
            for (int vlan : vlans) {
                vbs.add(new VariableBinding(QBridgeMib.egress(vlan), new OctetString(eg.get(vlan).octets())));
                vbs.add(new VariableBinding(QBridgeMib.untagged(vlan), new OctetString(un.get(vlan).octets())));
            }
            pdus.add(vbs);
        }
        return pdus;
    }

    /** Says what varbind i (1-based) of a SET is, naming the plan's port for a dot1qPvid. */
    static String describe(List<VariableBinding> vbs, List<Planned> ports, int index) {
        if (index < 1 || index > vbs.size()) {
            return "varbind " + index;
        }
        VariableBinding vb = vbs.get(index - 1);
        Optional<Planned> port = portOf(vb, ports);
        if (port.isPresent()) {
            return port.get().label() + " (dot1qPvid." + port.get().basePort() + " = " + vb.getVariable() + ")";
        }
        OID oid = vb.getOid();
        if (oid.startsWith(QBridgeMib.DOT1Q_VLAN_STATIC_EGRESS)) {
            return "dot1qVlanStaticEgressPorts." + oid.last() + " (members of VLAN " + oid.last() + ")";
        }
        if (oid.startsWith(QBridgeMib.DOT1Q_VLAN_STATIC_UNTAGGED)) {
            return "dot1qVlanStaticUntaggedPorts." + oid.last() + " (untagged members of VLAN " + oid.last() + ")";
        }
        return vb.toString();
    }

    static Optional<Planned> portOf(VariableBinding vb, List<Planned> ports) {
        OID oid = vb.getOid();
        if (oid.size() == QBridgeMib.DOT1Q_PVID.size() + 1 && oid.startsWith(QBridgeMib.DOT1Q_PVID)) {
            int base = oid.last();
            return ports.stream().filter(p -> p.basePort() == base).findFirst();
        }
        return Optional.empty();
    }

    /** Sends the SETs of one switch in order; stops at the first failure. Never throws. */
    /**
     * @param checkFrom read the ports just before the SET and set nothing when one is not on its
     *                  move's from VLAN: the plan owns only ports on their fromVlan (a put-back
     *                  sets ports back from wherever they are, and does not check)
     */
    SetOutcome applySets(String device, List<Planned> ports, DriverContext ctx, boolean checkFrom) {
        SwitchSession s;
        try {
            s = session(device);
        } catch (DeviceProblem e) {
            return new SetOutcome(new SnmpFailure(SnmpFailure.Kind.TRANSPORT, 0, e.getMessage()), null, 0);
        }
        if (checkFrom) {
            try {
                Map<Planned, Integer> now = readPvids(s, ports, ctx, "before SET");
                List<String> elsewhere = ports.stream().filter(p -> now.get(p) != p.move().from().value())
                        .map(p -> p.label() + " (user " + p.move().user() + ") is on VLAN " + now.get(p)
                                + ", the plan expects VLAN " + p.move().from()).toList();
                if (!elsewhere.isEmpty()) {
                    return new SetOutcome(new SnmpFailure(SnmpFailure.Kind.INCONSISTENT, 0, device + ": "
                            + String.join("; ", elsewhere) + "; nothing was set"), null, 0);
                }
            } catch (SnmpFailure f) {
                return new SetOutcome(f, null, 0);
            }
        }
        Map<Integer, PortList> egress = new TreeMap<>();
        Map<Integer, PortList> untagged = new TreeMap<>();
        if (s.profile().style() == DeviceProfile.Style.PVID_STATIC) {
            Set<Integer> vlans = new LinkedHashSet<>();
            for (Planned p : ports) {
                vlans.add(p.move().from().value());
                vlans.add(p.move().to().value());
            }
            List<OID> oids = new ArrayList<>();
            for (int v : vlans) {
                oids.add(QBridgeMib.egress(v));
                oids.add(QBridgeMib.untagged(v));
            }
            Instant start = Instant.now();
            try {
                List<VariableBinding> vbs = s.get(oids);
                for (int k = 0; k < oids.size(); k++) {
                    Variable v = vbs.get(k).getVariable();
                    int vlan = oids.get(k).last();
                    if (!(v instanceof OctetString os)) {
                        throw new SnmpFailure(SnmpFailure.Kind.WRONG_VALUE, 0, device + " (" + s.profile().target()
                                + "): VLAN " + vlan + " does not exist on the switch (" + vbs.get(k) + ")");
                    }
                    (k % 2 == 0 ? egress : untagged).put(vlan, PortList.of(os.getValue()));
                }
                record(ctx, s, "GET static PortLists of VLANs " + vlans, start, "ok");
            } catch (SnmpFailure f) {
                record(ctx, s, "GET static PortLists of VLANs " + vlans, start, f.getMessage());
                return new SetOutcome(f, null, 0);
            }
        }
        List<List<VariableBinding>> pdus = buildSetPdus(s.profile(), ports, egress, untagged);
        int sent = 0;
        for (List<VariableBinding> vbs : pdus) {
            Instant start = Instant.now();
            String op = "SET " + summary(vbs, ports);
            try {
                sent++;
                s.set(vbs, i -> describe(vbs, ports, i));
                record(ctx, s, op, start, "ok");
            } catch (SnmpFailure f) {
                record(ctx, s, op, start, f.getMessage());
                Planned failed = f.errorIndex() > 0 && f.errorIndex() <= vbs.size()
                        ? portOf(vbs.get(f.errorIndex() - 1), ports).orElse(null) : null;
                return new SetOutcome(f, failed, sent);
            }
        }
        return new SetOutcome(null, null, sent);
    }

    private static String summary(List<VariableBinding> vbs, List<Planned> ports) {
        List<String> moved = new ArrayList<>();
        int lists = 0;
        for (VariableBinding vb : vbs) {
            Optional<Planned> p = portOf(vb, ports);
            if (p.isPresent()) {
                moved.add(p.get().move().port().port() + "→" + vb.getVariable());
            } else {
                lists++;
            }
        }
        return "dot1qPvid ×" + moved.size() + " " + abbreviate(moved) + (lists > 0 ? " + " + lists + " PortLists" : "");
    }

    private static String abbreviate(List<String> items) {
        return items.size() <= 6 ? items.toString()
                : "[" + String.join(", ", items.subList(0, 3)) + ", … " + items.get(items.size() - 1) + "]";
    }

    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        return run(moves, context, true);
    }

    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        // Best effort per switch: one unreachable switch must not keep the others' users away.
        Set<String> unchanged = context == null ? Set.of() : untouched.getOrDefault(context.migrationId(), Set.of());
        List<PortMove> back = moves.stream().map(PortMove::reversed)
                .filter(m -> !unchanged.contains(m.port().device())).toList();
        Map<String, List<PortMove>> byDevice = new LinkedHashMap<>();
        back.forEach(m -> byDevice.computeIfAbsent(m.port().device(), d -> new ArrayList<>()).add(m));
        if (context != null) {
            untouched.remove(context.migrationId());
        }
        List<Problem> unreadable = new ArrayList<>();
        List<PortMove> needed = new ArrayList<>();
        for (Map.Entry<String, List<PortMove>> e : byDevice.entrySet()) {
            Result<Map<AccessPort, VlanId>> now = readVlans(e.getValue().stream().map(PortMove::port).toList());
            if (now instanceof Result.Failed<Map<AccessPort, VlanId>> f) {
                unreadable.add(f.problem());
                continue;
            }
            Map<AccessPort, VlanId> current = now.orElseThrow();
            e.getValue().stream().filter(m -> !m.to().equals(current.get(m.port())))
                    .map(m -> new PortMove(m.user(), m.port(), current.get(m.port()), m.to())).forEach(needed::add);
        }
        Result<OpReport> done = needed.isEmpty()
                ? Result.ok(OpReport.of("all reachable ports already on their original VLAN"
                        + (unchanged.isEmpty() ? "" : "; never changed (credentials refused): " + unchanged)))
                : run(needed, context, false);
        if (unreadable.isEmpty()) {
            return done;
        }
        String rest = done.isOk() ? "the other switches' ports are back (" + done.orElseThrow().summary() + ")"
                : "and " + done.failure().orElseThrow();
        return Result.failed(unreadable.get(0).device(), unreadable.stream().map(Problem::cause)
                .collect(Collectors.joining("; ")) + "; " + rest);
    }

    private Result<OpReport> run(List<PortMove> moves, DriverContext ctx, boolean rollBack) {
        DriverContext context = ctx == null ? DriverContext.detached("qbridge") : ctx;
        if (moves.isEmpty()) {
            return Result.ok(OpReport.of("no ports to move"));
        }
        Map<String, List<Planned>> byDevice;
        try {
            byDevice = plan(moves);
        } catch (DeviceProblem e) {
            return Result.failed(e.problem);
        }
        long t0 = System.nanoTime();
        Map<String, SetOutcome> sets = parallel(byDevice.keySet(), d -> applySets(d, byDevice.get(d), context, rollBack));
        long t1 = System.nanoTime();
        Map<String, Object> readBack = verify(byDevice, context, "verify");
        long t2 = System.nanoTime();

        List<String> failures = new ArrayList<>();
        String firstDevice = null;
        for (String d : byDevice.keySet()) {
            SetOutcome o = sets.get(d);
            if (o.failure() != null) {
                failures.add(o.failure().getMessage());
                firstDevice = firstDevice == null ? d : firstDevice;
            }
        }
        List<Planned> notMoved = new ArrayList<>();
        for (String d : byDevice.keySet()) {
            Object rb = readBack.get(d);
            if (rb instanceof SnmpFailure f) {
                failures.add("verify: " + f.getMessage());
                firstDevice = firstDevice == null ? d : firstDevice;
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<Planned, Integer> pvids = (Map<Planned, Integer>) rb;
            for (Planned p : byDevice.get(d)) {
                if (pvids.get(p) != p.move().to().value()) {
                    notMoved.add(p);
                    if (sets.get(d).failure() == null) {
                        failures.add(d + ": " + p.label() + ": read back VLAN " + pvids.get(p) + " after the SET, expected "
                                + p.move().to());
                        firstDevice = firstDevice == null ? d : firstDevice;
                    }
                }
            }
        }
        int pdus = sets.values().stream().mapToInt(SetOutcome::pdus).sum();
        Map<String, String> measurements = new LinkedHashMap<>();
        measurements.put("ports", Integer.toString(moves.size()));
        measurements.put("switches", Integer.toString(byDevice.size()));
        measurements.put("set_pdus", Integer.toString(pdus));
        measurements.put("set_ms", millis(t1 - t0));
        measurements.put("verify_ms", millis(t2 - t1));
        if (failures.isEmpty()) {
            measurements.put("total_ms", millis(t2 - t0));
            String summary = "moved " + moves.size() + " port(s) on " + byDevice.size() + " switch(es) in " + pdus
                    + " SET PDU(s), verified";
            context.progress(summary);
            return Result.ok(new OpReport(summary, measurements));
        }
        String cause = String.join("; ", some(failures, 3));
        if (!rollBack) {
            return Result.failed(firstDevice, cause + " (restore: " + notMoved.size() + " port(s) not on their VLAN)");
        }
        // All or nothing: put back every port that is not (known to be) on its from VLAN.
        Set<String> unchanged = new TreeSet<>();
        Map<String, List<Planned>> back = new LinkedHashMap<>();
        for (String d : byDevice.keySet()) {
            if (sets.get(d).certainlyUnchanged()) {
                unchanged.add(d);
                continue;
            }
            Object rb = readBack.get(d);
            for (Planned p : byDevice.get(d)) {
                boolean unknown = rb instanceof SnmpFailure;
                if (unknown || !((Map<?, ?>) rb).get(p).equals(p.move().from().value())) {
                    PortMove m = p.move();
                    back.computeIfAbsent(d, x -> new ArrayList<>())
                            .add(new Planned(new PortMove(m.user(), m.port(), m.to(), m.from()), p.basePort()));
                }
            }
        }
        if (!unchanged.isEmpty()) {
            untouched.computeIfAbsent(context.migrationId(), id -> ConcurrentHashMap.newKeySet()).addAll(unchanged);
        }
        if (back.isEmpty()) {
            return Result.failed(firstDevice, cause + "; no port had moved, nothing to put back");
        }
        context.progress("switch failed, putting back " + back.values().stream().mapToInt(List::size).sum() + " port(s)");
        parallel(back.keySet(), d -> applySets(d, back.get(d), context, false));
        Map<String, Object> after = verify(back, context, "verify put-back");
        List<String> putBack = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        for (String d : back.keySet()) {
            Object rb = after.get(d);
            for (Planned p : back.get(d)) {
                if (rb instanceof Map<?, ?> m && Integer.valueOf(p.move().to().value()).equals(m.get(p))) {
                    putBack.add(p.move().port().toString());
                } else {
                    stuck.add(p.move().port() + (rb instanceof SnmpFailure f ? " (" + f.getMessage() + ")"
                            : " (on VLAN " + ((Map<?, ?>) rb).get(p) + ")"));
                }
            }
        }
        String tail = "; put back " + putBack.size() + " port(s) already moved" + (putBack.isEmpty() ? "" : " " + some(putBack))
                + (stuck.isEmpty() ? "" : "; COULD NOT PUT BACK " + stuck.size() + " port(s) " + some(stuck));
        return Result.failed(firstDevice, cause + tail);
    }

    /** At most 10 items in an operator's message, then how many more. */
    static String some(List<String> items) {
        return items.size() <= 10 ? items.toString()
                : "[" + String.join(", ", items.subList(0, 10)) + ", and " + (items.size() - 10) + " more]";
    }

    private static List<String> some(List<String> items, int max) {
        if (items.size() <= max) {
            return items;
        }
        List<String> out = new ArrayList<>(items.subList(0, max));
        out.add("and " + (items.size() - max) + " more failure(s)");
        return out;
    }

    private Map<String, Object> verify(Map<String, List<Planned>> byDevice, DriverContext ctx, String why) {
        return parallel(byDevice.keySet(), d -> {
            try {
                return readPvids(session(d), byDevice.get(d), ctx, why);
            } catch (SnmpFailure f) {
                return f;
            } catch (DeviceProblem e) {
                return new SnmpFailure(SnmpFailure.Kind.TRANSPORT, 0, e.getMessage());
            }
        });
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    // ------------------------------------------------------------------ preflight

    @Override
    public Result<Preflight> preflight(List<PortMove> moves) {
        Map<String, List<Planned>> byDevice;
        try {
            byDevice = plan(moves);
        } catch (DeviceProblem e) {
            return Result.ok(new Preflight(List.of(e.problem), List.of(), Duration.ZERO));
        }
        record DeviceCheck(List<Problem> problems, List<String> notes, Duration expected) {
        }
        Map<String, DeviceCheck> checks = parallel(byDevice.keySet(), d -> {
            List<Problem> problems = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            try {
                SwitchSession s = session(d);
                long a = System.nanoTime();
                List<VariableBinding> sys = s.get(List.of(QBridgeMib.SYS_NAME, QBridgeMib.SYS_OBJECT_ID));
                long rtt = System.nanoTime() - a;
                if (sys.size() < 2 || sys.get(0).getVariable().isException() || sys.get(1).getVariable().isException()) {
                    problems.add(new Problem(d, "sysName / sysObjectID not readable with "
                            + s.credential().name() + ": " + sys));
                }
                List<Planned> ports = byDevice.get(d);
                long b = System.nanoTime();
                Map<Planned, Integer> pvids = readPvids(s, ports, null, "preflight");
                long read = System.nanoTime() - b;
                for (Planned p : ports) {
                    if (pvids.get(p) != p.move().from().value()) {
                        problems.add(new Problem(d, p.label() + " (user " + p.move().user() + ") is on VLAN "
                                + pvids.get(p) + ", the plan expects VLAN " + p.move().from()));
                    }
                }
                Set<Integer> targets = new LinkedHashSet<>();
                ports.forEach(p -> targets.add(p.move().to().value()));
                List<Integer> vlanList = List.copyOf(targets);
                List<VariableBinding> rows = s.get(vlanList.stream().map(QBridgeMib::rowStatus).toList());
                for (int k = 0; k < vlanList.size(); k++) {
                    Variable v = k < rows.size() ? rows.get(k).getVariable() : null;
                    if (v == null || v.isException() || v.toInt() != 1) {
                        problems.add(new Problem(d, "VLAN " + vlanList.get(k) + " does not exist (or is not active) on"
                                + " the switch: dot1qVlanStaticRowStatus." + vlanList.get(k) + " = " + v));
                    }
                }
                int pdus = buildSetPdus(s.profile(), ports, Map.of(), Map.of()).size();
                // A SET costs about a GET and a write per varbind at the agent; then the verify GETs.
                long expected = 2 * read + read + (s.profile().style() == DeviceProfile.Style.PVID_STATIC ? rtt : 0);
                notes.add(d + ": sysName " + (sys.isEmpty() ? "?" : sys.get(0).getVariable()) + ", sysObjectID "
                        + (sys.size() < 2 ? "?" : sys.get(1).getVariable()) + ", " + s.profile().version().name()
                        .toLowerCase(java.util.Locale.ROOT) + " " + s.credential().securityLevel() + ", style "
                        + s.profile().style() + ", round trip " + millis(rtt) + " ms, " + ports.size() + " port(s) in "
                        + pdus + " SET PDU(s)");
                return new DeviceCheck(problems, notes, Duration.ofNanos(expected));
            } catch (DeviceProblem e) {
                problems.add(e.problem);
            } catch (SnmpFailure f) {
                problems.add(new Problem(d, f.getMessage()));
            }
            return new DeviceCheck(problems, notes, Duration.ZERO);
        });
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Duration expected = Duration.ZERO;
        for (DeviceCheck c : checks.values()) {
            problems.addAll(c.problems());
            notes.addAll(c.notes());
            expected = c.expected().compareTo(expected) > 0 ? c.expected() : expected;
        }
        return Result.ok(new Preflight(problems, notes, expected));
    }
}

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
import net.sessionmigration.api.driver.base.SwitchReports;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * The SNMP VLAN driver without OSGi: moves access ports by SNMP SET of dot1qPvid (and, in style
 * pvid+static, the static VLAN PortLists) or, in style cisco-vmvlan, of Cisco's vmVlan; all ports
 * of one switch in one PDU (split at max.varbinds; with set.mode one-per-pdu one value per PDU, in
 * the order {@link #buildSetPlan} gives), switches in parallel, each switch read just
 * before its SET and verified by reading back. A failed move stops and reports which ports moved;
 * it puts nothing back: undo is {@link #restore}'s, which the coordinator calls for every group of
 * a run, retries and calls again after a crash. The driver keeps no per-migration state. What
 * differs between the styles is behind {@link StyleOps} (Cisco: {@link CiscoVmVlan}); device
 * profiles and credentials come from a {@link Profiles} lookup.
 */
public final class QBridgeSwitcher implements AccessPortSwitcher, AutoCloseable {

    /** Where the driver finds how to reach a device and the secrets its profile names. */
    public interface Profiles {
        Optional<DeviceProfile> device(String name);

        Optional<SnmpCredential> credential(String name);
    }

    /**
     * One port of a batch, resolved to its dot1dBasePort (styles pvid, pvid+static) or ifIndex
     * (style cisco-vmvlan; 0 until known; basePort is 0 when port.map gave the ifIndex). With
     * port.index = ifIndex a Q-BRIDGE port starts with its ifIndex and basePort 0 until
     * {@link BridgePorts} maps it.
     */
    record Planned(PortMove move, int basePort, int ifIndex) {
        Planned(PortMove move, int basePort) {
            this(move, basePort, 0);
        }

        String label() {
            String name = move.port().port();
            if (ifIndex == 0) {
                return "port " + name + (name.equals(Integer.toString(basePort)) ? "" : " (dot1dBasePort " + basePort + ")");
            }
            if (name.equals(Integer.toString(ifIndex))) {
                return "port " + name + (basePort == 0 || basePort == ifIndex ? "" : " (dot1dBasePort " + basePort + ")");
            }
            if (basePort == 0) {
                return "port " + name + " (ifIndex " + ifIndex + ")";
            }
            return "port " + name + (name.equals(Integer.toString(basePort)) ? " (" : " (dot1dBasePort " + basePort + ", ")
                    + "ifIndex " + ifIndex + ")";
        }
    }

    /**
     * What the SET phase did on one switch, from the read just before it: the ports it found
     * already on their {@code to} VLAN (not set again), the ports on another VLAN (with that VLAN),
     * the ports it set (or tried to), how many PDUs it sent, and its failure (if any) with the port
     * it was about.
     */
    record SetOutcome(SnmpFailure failure, Planned failedPort, int pdus, List<Planned> already,
                      Map<Planned, Integer> elsewhere, List<Planned> set) {
        static SetOutcome failed(SnmpFailure failure) {
            return new SetOutcome(failure, null, 0, List.of(), Map.of(), List.of());
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
            Planned planned = style(s).place(s.profile(), m).orElseThrow(() -> new DeviceProblem(device,
                    "port " + m.port().port() + " is neither a dot1dBasePort number nor in port.map of switch " + device));
            if (!seen.add(m.port())) {
                throw new DeviceProblem(device, "port " + m.port().port() + " is listed twice in one batch");
            }
            byDevice.computeIfAbsent(device, d -> new ArrayList<>()).add(planned);
        }
        return byDevice;
    }

    private static StyleOps style(SnmpOps s) {
        return StyleOps.of(s.profile().style());
    }

    /**
     * The plan with every port's index known (style cisco-vmvlan: ifIndex of a dot1dBasePort, read
     * once per session), asked of the switches that need it in parallel, before anything is set.
     */
    private Map<String, List<Planned>> resolve(Map<String, List<Planned>> byDevice, DriverContext ctx)
            throws DeviceProblem {
        Set<String> incomplete = new LinkedHashSet<>();
        for (Map.Entry<String, List<Planned>> e : byDevice.entrySet()) {
            if (!style(session(e.getKey())).complete(e.getValue())) {
                incomplete.add(e.getKey());
            }
        }
        if (incomplete.isEmpty()) {
            return byDevice;
        }
        Map<String, Object> resolved = parallel(incomplete, d -> {
            try {
                SwitchSession s = session(d);
                return style(s).resolve(s, byDevice.get(d), ctx);
            } catch (DeviceProblem e) {
                return e.problem;
            } catch (SnmpFailure f) {
                return new Problem(d, f.getMessage());
            }
        });
        Map<String, List<Planned>> out = new LinkedHashMap<>(byDevice);
        for (Map.Entry<String, Object> e : resolved.entrySet()) {
            if (e.getValue() instanceof Problem p) {
                throw new DeviceProblem(p.device(), p.cause());
            }
            @SuppressWarnings("unchecked")
            List<Planned> ports = (List<Planned>) e.getValue();
            out.put(e.getKey(), ports);
        }
        return out;
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
                SwitchSession s = session(d);
                return readPvids(s, style(s).resolve(s, byDevice.get(d), null), null, "read");
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
                    String object = StyleOps.of(profiles.device(e.getKey()).map(DeviceProfile::style)
                            .orElse(DeviceProfile.Style.PVID)).object();
                    return Result.failed(e.getKey(), pv.getKey().label() + ": " + object + " is " + pv.getValue()
                            + ", not a VLAN id");
                }
                out.put(pv.getKey().move().port(), VlanId.of(pv.getValue()));
            }
        }
        return Result.ok(out);
    }

    /**
     * The VLAN object of each port (dot1qPvid, or vmVlan in style cisco-vmvlan), in GETs of at most
     * max.varbinds. The ports must be resolved ({@link StyleOps#resolve}).
     */
    Map<Planned, Integer> readPvids(SwitchSession s, List<Planned> ports, DriverContext ctx, String why)
            throws SnmpFailure {
        StyleOps st = style(s);
        Map<Planned, Integer> out = new LinkedHashMap<>();
        int max = s.profile().maxVarbinds();
        for (int i = 0; i < ports.size(); i += max) {
            List<Planned> chunk = ports.subList(i, Math.min(ports.size(), i + max));
            Instant start = Instant.now();
            List<VariableBinding> vbs;
            String op = "GET " + st.object() + " ×" + chunk.size() + " (" + why + ")";
            try {
                vbs = s.get(chunk.stream().map(st::oid).toList());
            } catch (SnmpFailure f) {
                record(ctx, s, op, start, f.getMessage());
                throw f;
            }
            record(ctx, s, op, start, "ok");
            for (int k = 0; k < chunk.size(); k++) {
                Variable v = k < vbs.size() ? vbs.get(k).getVariable() : null;
                if (v == null || v.isException() || !(v instanceof UnsignedInteger32 || v instanceof Integer32)) {
                    throw new SnmpFailure(SnmpFailure.Kind.NO_SUCH_NAME, k + 1, s.profile().name() + " ("
                            + s.profile().target() + "): " + chunk.get(k).label() + ": no " + st.object() + " ("
                            + (v == null ? "no answer" : v.toString()) + ") — " + st.absentHint());
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

    /**
     * One SET PDU: its varbinds and, when it belongs to one port only (set.mode one-per-pdu), that
     * port; null for a batch PDU.
     */
    record SetPdu(List<VariableBinding> vbs, Planned port) {
    }

    /** The SET PDUs for one switch: varbind lists, each at most max.varbinds long (one-per-pdu: one). */
    static List<List<VariableBinding>> buildSetPdus(DeviceProfile profile, List<Planned> ports,
                                                     Map<Integer, PortList> egress, Map<Integer, PortList> untagged) {
        return buildSetPlan(profile, ports, egress, untagged).stream().map(SetPdu::vbs).toList();
    }

    /**
     * The SET PDUs for one switch, in the order they are sent.
     * <ul>
     * <li>set.mode batch (the default): at most max.varbinds varbinds per PDU, normally one PDU per switch.
     * pvid+static: set.order pvid-first (the default) puts the PVIDs first, then the full PortLists of every
     * VLAN of the chunk (egress, untagged; the order of 1.x); membership-first puts the lists of the VLANs that
     * gain a port first, then the PVIDs, then the lists of the VLANs that only lose ports (untagged before
     * egress, as untagged must stay a subset of egress).</li>
     * <li>set.mode one-per-pdu: one varbind per PDU, port after port; pvid+static writes per port, in this
     * order, pvid-first: dot1qPvid, the new VLAN's egress then untagged list (with the port), the old VLAN's
     * untagged then egress list (without it); membership-first: the new VLAN's lists, dot1qPvid, the old
     * VLAN's lists. Leaving the old VLAN comes last either way, so the port is never in no VLAN, and a failure
     * leaves at most one port half-way.</li>
     * </ul>
     * The PortLists are read-modify-write, cumulative across PDUs (each holds every port moved so far).
     */
    static List<SetPdu> buildSetPlan(DeviceProfile profile, List<Planned> ports, Map<Integer, PortList> egress,
                                     Map<Integer, PortList> untagged) {
        List<SetPdu> pdus = new ArrayList<>();
        boolean single = profile.setMode() == DeviceProfile.SetMode.ONE_PER_PDU;
        boolean membershipFirst = profile.setOrder() == DeviceProfile.SetOrder.MEMBERSHIP_FIRST;
        int max = single ? 1 : profile.maxVarbinds();
        if (profile.style() != DeviceProfile.Style.PVID_STATIC) {
            // one varbind per port: dot1qPvid.<dot1dBasePort> Gauge32, or vmVlan.<ifIndex> INTEGER
            StyleOps st = StyleOps.of(profile.style());
            for (int i = 0; i < ports.size(); i += max) {
                List<Planned> chunk = ports.subList(i, Math.min(ports.size(), i + max));
                pdus.add(new SetPdu(chunk.stream()
                        .map(p -> new VariableBinding(st.oid(p), st.value(p.move().to().value())))
                        .collect(Collectors.toCollection(ArrayList::new)), single ? chunk.get(0) : null));
            }
            return pdus;
        }
        Map<Integer, PortList> eg = new TreeMap<>(egress);
        Map<Integer, PortList> un = new TreeMap<>(untagged);
        if (single) {
            for (Planned p : ports) {
                int from = p.move().from().value();
                int to = p.move().to().value();
                VariableBinding pvid = new VariableBinding(QBridgeMib.pvid(p.basePort()), new UnsignedInteger32(to));
                eg.put(to, eg.getOrDefault(to, PortList.empty(0)).with(p.basePort()));
                un.put(to, un.getOrDefault(to, PortList.empty(0)).with(p.basePort()));
                eg.put(from, eg.getOrDefault(from, PortList.empty(0)).without(p.basePort()));
                un.put(from, un.getOrDefault(from, PortList.empty(0)).without(p.basePort()));
                List<VariableBinding> join = List.of(list(QBridgeMib.egress(to), eg.get(to)),
                        list(QBridgeMib.untagged(to), un.get(to)));
                List<VariableBinding> leave = List.of(list(QBridgeMib.untagged(from), un.get(from)),
                        list(QBridgeMib.egress(from), eg.get(from)));
                List<VariableBinding> steps = new ArrayList<>();
                if (membershipFirst) {
                    steps.addAll(join);
                    steps.add(pvid);
                } else {
                    steps.add(pvid);
                    steps.addAll(join);
                }
                steps.addAll(leave);
                steps.forEach(vb -> pdus.add(new SetPdu(new ArrayList<>(List.of(vb)), p)));
            }
            return pdus;
        }
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
            List<VariableBinding> pvids = new ArrayList<>();
            Set<Integer> gaining = new LinkedHashSet<>();
            for (Planned p : chunk) {
                pvids.add(new VariableBinding(QBridgeMib.pvid(p.basePort()), new UnsignedInteger32(p.move().to().value())));
                int from = p.move().from().value();
                int to = p.move().to().value();
                gaining.add(to);
                eg.put(from, eg.getOrDefault(from, PortList.empty(0)).without(p.basePort()));
                un.put(from, un.getOrDefault(from, PortList.empty(0)).without(p.basePort()));
                eg.put(to, eg.getOrDefault(to, PortList.empty(0)).with(p.basePort()));
                un.put(to, un.getOrDefault(to, PortList.empty(0)).with(p.basePort()));
            }
            List<VariableBinding> vbs = new ArrayList<>();
            if (!membershipFirst) {
                // PVIDs first (the port joins its new VLAN), then the full PortLists of every VLAN the chunk
                // touches, so a switch that checks membership sees a consistent PDU.
                vbs.addAll(pvids);
                for (int vlan : vlans) {
                    vbs.add(list(QBridgeMib.egress(vlan), eg.get(vlan)));
                    vbs.add(list(QBridgeMib.untagged(vlan), un.get(vlan)));
                }
            } else {
                for (int vlan : gaining) {
                    vbs.add(list(QBridgeMib.egress(vlan), eg.get(vlan)));
                    vbs.add(list(QBridgeMib.untagged(vlan), un.get(vlan)));
                }
                vbs.addAll(pvids);
                for (int vlan : vlans) {
                    if (!gaining.contains(vlan)) {
                        vbs.add(list(QBridgeMib.untagged(vlan), un.get(vlan)));
                        vbs.add(list(QBridgeMib.egress(vlan), eg.get(vlan)));
                    }
                }
            }
            pdus.add(new SetPdu(vbs, null));
        }
        return pdus;
    }

    private static VariableBinding list(OID oid, PortList ports) {
        return new VariableBinding(oid, new OctetString(ports.octets()));
    }

    /** Says what varbind i (1-based) of a SET is, naming the plan's port for a dot1qPvid or vmVlan. */
    static String describe(List<VariableBinding> vbs, List<Planned> ports, int index) {
        if (index < 1 || index > vbs.size()) {
            return "varbind " + index;
        }
        VariableBinding vb = vbs.get(index - 1);
        Optional<Planned> port = portOf(vb, ports);
        if (port.isPresent()) {
            StyleOps st = styleOf(vb.getOid()).orElseThrow();
            return port.get().label() + " (" + st.object() + "." + st.index(port.get()) + " = " + vb.getVariable() + ")";
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

    /** The plan's port a port-VLAN varbind (dot1qPvid or vmVlan) is about. */
    static Optional<Planned> portOf(VariableBinding vb, List<Planned> ports) {
        Optional<StyleOps> st = styleOf(vb.getOid());
        if (st.isEmpty()) {
            return Optional.empty();
        }
        int index = vb.getOid().last();
        return ports.stream().filter(p -> st.get().index(p) == index).findFirst();
    }

    /** The style whose per-port VLAN object this instance OID is, if any. */
    private static Optional<StyleOps> styleOf(OID oid) {
        for (StyleOps st : List.of(StyleOps.QBRIDGE, CiscoVmVlan.STYLE)) {
            if (oid.size() == st.column().size() + 1 && oid.startsWith(st.column())) {
                return Optional.of(st);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads the ports of one switch, then sends the SETs for those on their move's {@code from}
     * VLAN, in order, stopping at the first failure. Never throws. Read before you write: a port
     * already on its {@code to} VLAN is not set again, and the plan owns only ports on one of its
     * two VLANs: a port on another VLAN was taken by someone else.
     *
     * @param putBack false for a move: a port on another VLAN refuses the whole switch (nothing is
     *                set there); true for a restore (the moves reversed): such a port is left
     *                alone, and the others are set
     */
    SetOutcome applySets(String device, List<Planned> planned, DriverContext ctx, boolean putBack) {
        SwitchSession s;
        try {
            s = session(device);
        } catch (DeviceProblem e) {
            return SetOutcome.failed(new SnmpFailure(SnmpFailure.Kind.TRANSPORT, 0, e.getMessage()));
        }
        List<Planned> already = new ArrayList<>();
        Map<Planned, Integer> elsewhere = new LinkedHashMap<>();
        List<Planned> ports = new ArrayList<>();
        try {
            Map<Planned, Integer> now = readPvids(s, planned, ctx, putBack ? "before put-back" : "before SET");
            for (Planned p : planned) {
                int vlan = now.get(p);
                if (vlan == p.move().to().value()) {
                    already.add(p);
                } else if (vlan == p.move().from().value()) {
                    ports.add(p);
                } else {
                    elsewhere.put(p, vlan);
                }
            }
        } catch (SnmpFailure f) {
            return SetOutcome.failed(f);
        }
        if (!putBack && !elsewhere.isEmpty()) {
            List<String> taken = new ArrayList<>();
            elsewhere.forEach((p, vlan) -> taken.add(p.label() + " (user " + p.move().user() + ") is on VLAN " + vlan
                    + ", the plan expects VLAN " + p.move().from() + " (or its target VLAN " + p.move().to() + ")"));
            return new SetOutcome(new SnmpFailure(SnmpFailure.Kind.INCONSISTENT, 0, device + ": "
                    + String.join("; ", taken) + "; nothing was set"), null, 0, already, elsewhere, List.of());
        }
        if (ports.isEmpty()) {
            return new SetOutcome(null, null, 0, already, elsewhere, List.of());
        }
        StyleOps st = style(s);
        if (st.checkVlansBeforeSet()) {
            List<Integer> targets = ports.stream().map(p -> p.move().to().value()).distinct().toList();
            try {
                List<String> unusable = st.unusableVlans(s, targets, ctx, "before SET");
                if (!unusable.isEmpty()) {
                    return new SetOutcome(new SnmpFailure(SnmpFailure.Kind.WRONG_VALUE, 0, device + " ("
                            + s.profile().target() + "): " + String.join("; ", unusable) + "; nothing was set"), null, 0,
                            already, elsewhere, ports);
                }
            } catch (SnmpFailure f) {
                return new SetOutcome(f, null, 0, already, elsewhere, ports);
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
                return new SetOutcome(f, null, 0, already, elsewhere, ports);
            }
        }
        List<SetPdu> pdus = buildSetPlan(s.profile(), ports, egress, untagged);
        int sent = 0;
        for (int k = 0; k < pdus.size(); k++) {
            List<VariableBinding> vbs = pdus.get(k).vbs();
            Instant start = Instant.now();
            String op = "SET " + summary(vbs, ports) + (pdus.get(k).port() != null && portOf(vbs.get(0), ports).isEmpty()
                    ? " for port " + pdus.get(k).port().move().port().port() : "");
            Optional<String> fenced = ctx == null ? Optional.empty() : ctx.fenced();
            if (fenced.isPresent()) {
                SnmpFailure f = new SnmpFailure(SnmpFailure.Kind.FENCED, 0, device + " (" + s.profile().target()
                        + "): SET not sent: " + fenced.get());
                record(ctx, s, op, start, f.getMessage());
                return new SetOutcome(f, pdus.get(k).port(), sent, already, elsewhere, ports);
            }
            try {
                sent++;
                s.set(vbs, i -> describe(vbs, ports, i));
                record(ctx, s, op, start, "ok");
            } catch (SnmpFailure f) {
                record(ctx, s, op, start, f.getMessage());
                Planned failed = f.errorIndex() > 0 && f.errorIndex() <= vbs.size()
                        ? portOf(vbs.get(f.errorIndex() - 1), ports).orElse(pdus.get(k).port()) : pdus.get(k).port();
                return new SetOutcome(halfWay(f, pdus, k, ports), failed, sent, already, elsewhere, ports);
            }
        }
        return new SetOutcome(null, null, sent, already, elsewhere, ports);
    }

    /**
     * set.mode one-per-pdu, style pvid+static: a failure in the middle of a port's steps leaves that port
     * half-way (e.g. already in the new VLAN's lists but still on its old PVID). Says which of its steps were
     * set and which not, after the failure's own text; other failures are returned as they are.
     */
    static SnmpFailure halfWay(SnmpFailure f, List<SetPdu> pdus, int failedPdu, List<Planned> ports) {
        Planned p = pdus.get(failedPdu).port();
        if (p == null) {
            return f;
        }
        List<String> done = new ArrayList<>();
        List<String> notDone = new ArrayList<>();
        for (int k = 0; k < pdus.size(); k++) {
            if (pdus.get(k).port() != p) {
                continue;
            }
            for (VariableBinding vb : pdus.get(k).vbs()) {
                (k < failedPdu ? done : notDone).add(step(vb, p, ports));
            }
        }
        if (done.isEmpty()) {
            return f;
        }
        return new SnmpFailure(f.kind(), f.errorIndex(), f.getMessage() + "; " + p.label() + " stopped half-way"
                + " (set.mode one-per-pdu): set " + done + ", not set " + notDone);
    }

    /** One step of a port's one-per-pdu sequence, in words: dot1qPvid.3 = 2, egress ports of VLAN 2 +3. */
    private static String step(VariableBinding vb, Planned p, List<Planned> ports) {
        OID oid = vb.getOid();
        if (portOf(vb, ports).isPresent()) {
            return styleOf(oid).orElseThrow().object() + "." + oid.last() + " = " + vb.getVariable();
        }
        String sign = oid.last() == p.move().to().value() ? " +" : " −";
        if (oid.startsWith(QBridgeMib.DOT1Q_VLAN_STATIC_EGRESS)) {
            return "egress ports of VLAN " + oid.last() + sign + p.basePort();
        }
        if (oid.startsWith(QBridgeMib.DOT1Q_VLAN_STATIC_UNTAGGED)) {
            return "untagged ports of VLAN " + oid.last() + sign + p.basePort();
        }
        return oid.toString();
    }

    private static String summary(List<VariableBinding> vbs, List<Planned> ports) {
        List<String> moved = new ArrayList<>();
        String object = "dot1qPvid";
        int lists = 0;
        for (VariableBinding vb : vbs) {
            Optional<Planned> p = portOf(vb, ports);
            if (p.isPresent()) {
                moved.add(p.get().move().port().port() + "→" + vb.getVariable());
                object = styleOf(vb.getOid()).map(StyleOps::object).orElse(object);
            } else {
                lists++;
            }
        }
        if (moved.isEmpty() && vbs.size() == 1) {
            OID oid = vbs.get(0).getOid();
            return (oid.startsWith(QBridgeMib.DOT1Q_VLAN_STATIC_EGRESS) ? "dot1qVlanStaticEgressPorts."
                    : oid.startsWith(QBridgeMib.DOT1Q_VLAN_STATIC_UNTAGGED) ? "dot1qVlanStaticUntaggedPorts." : oid + "/")
                    + oid.last();
        }
        return object + " ×" + moved.size() + " " + abbreviate(moved) + (lists > 0 ? " + " + lists + " PortLists" : "");
    }

    private static String abbreviate(List<String> items) {
        return items.size() <= 6 ? items.toString()
                : "[" + String.join(", ", items.subList(0, 3)) + ", … " + items.get(items.size() - 1) + "]";
    }

    /**
     * Every switch of the call in parallel: read, SET the ports still on their from VLAN, verify.
     * On a failure it reports the failed switch and port, and the ports that are on their to VLAN
     * (moved now or before); it puts nothing back (the coordinator's restore does).
     */
    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext ctx) {
        DriverContext context = ctx == null ? DriverContext.detached("qbridge") : ctx;
        if (moves.isEmpty()) {
            return Result.ok(OpReport.of("no ports to move"));
        }
        Map<String, List<Planned>> byDevice;
        try {
            byDevice = resolve(plan(moves), context);
        } catch (DeviceProblem e) {
            return Result.failed(e.problem);
        }
        long t0 = System.nanoTime();
        Map<String, SetOutcome> sets = parallel(byDevice.keySet(), d -> applySets(d, byDevice.get(d), context, false));
        long t1 = System.nanoTime();
        Map<String, List<Planned>> sent = new LinkedHashMap<>();
        sets.forEach((d, o) -> {
            if (o.pdus() > 0) {
                sent.put(d, o.set());
            }
        });
        Map<String, Object> readBack = verify(sent, context, "verify");
        long t2 = System.nanoTime();

        List<String> failures = new ArrayList<>();
        String firstDevice = null;
        List<String> moved = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        int already = 0;
        for (String d : byDevice.keySet()) {
            SetOutcome o = sets.get(d);
            if (o.failure() != null) {
                failures.add(o.failure().getMessage());
                firstDevice = firstDevice == null ? d : firstDevice;
            }
            already += o.already().size();
            o.already().forEach(p -> moved.add(p.move().port().toString()));
            if (!sent.containsKey(d)) {
                continue;
            }
            Object rb = readBack.get(d);
            if (rb instanceof SnmpFailure f) {
                failures.add("verify: " + f.getMessage());
                firstDevice = firstDevice == null ? d : firstDevice;
                o.set().forEach(p -> unknown.add(p.move().port().toString()));
                continue;
            }
            @SuppressWarnings("unchecked")
            Map<Planned, Integer> pvids = (Map<Planned, Integer>) rb;
            for (Planned p : o.set()) {
                if (pvids.get(p) == p.move().to().value()) {
                    moved.add(p.move().port().toString());
                } else if (o.failure() == null) {
                    failures.add(d + ": " + p.label() + ": read back VLAN " + pvids.get(p) + " after the SET, expected "
                            + p.move().to());
                    firstDevice = firstDevice == null ? d : firstDevice;
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
            if (already > 0) {
                measurements.put("already_moved", Integer.toString(already));
            }
            String summary = "moved " + moves.size() + " port(s) on " + byDevice.size() + " switch(es) in " + pdus
                    + " SET PDU(s), verified" + (already == 0 ? ""
                    : " (" + already + " of them already on their target VLAN: not set again)");
            context.progress(summary);
            summary += saveConfigs(byDevice.keySet(), context, measurements);
            return Result.ok(new OpReport(summary, measurements));
        }
        String cause = String.join("; ", some(failures, 3));
        String tail = "; " + SwitchReports.movedBeforeFailure(moved);
        if (!unknown.isEmpty()) {
            tail += "; " + unknown.size() + " port(s) set but not read back " + some(unknown) + ": they may have moved";
        }
        context.progress("switch failed: " + cause + tail);
        return Result.failed(firstDevice, cause + tail);
    }

    /** What a restore did on one switch. */
    private record Restored(List<String> putBack, int already, List<String> elsewhere, int pdus, Problem problem) {
    }

    /**
     * Every switch in parallel, best effort: read the ports; those on their to VLAN are set back to
     * their from VLAN and verified, those on their from VLAN are left alone, and those on any other
     * VLAN are left alone and named (someone else took them since the preflight). A switch that
     * cannot be read or set back is named in the failure, so that the coordinator tries again.
     */
    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext ctx) {
        DriverContext context = ctx == null ? DriverContext.detached("qbridge") : ctx;
        if (moves.isEmpty()) {
            return Result.ok(OpReport.of("no ports to restore"));
        }
        Map<String, List<PortMove>> byDevice = new LinkedHashMap<>();
        moves.forEach(m -> byDevice.computeIfAbsent(m.port().device(), d -> new ArrayList<>()).add(m));
        long t0 = System.nanoTime();
        Map<String, Restored> results = parallel(byDevice.keySet(), d -> restoreOn(d, byDevice.get(d), context));
        long t1 = System.nanoTime();

        List<String> putBack = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Set<String> saving = new LinkedHashSet<>();
        int already = 0;
        int pdus = 0;
        for (Map.Entry<String, Restored> e : results.entrySet()) {
            Restored r = e.getValue();
            putBack.addAll(r.putBack());
            elsewhere.addAll(r.elsewhere());
            already += r.already();
            pdus += r.pdus();
            if (r.problem() != null) {
                problems.add(r.problem());
            } else if (r.pdus() > 0) {
                saving.add(e.getKey());
            }
        }
        Map<String, String> measurements = new LinkedHashMap<>();
        measurements.put("ports", Integer.toString(moves.size()));
        measurements.put("switches", Integer.toString(byDevice.size()));
        measurements.put("set_pdus", Integer.toString(pdus));
        measurements.put("total_ms", millis(t1 - t0));
        String done = SwitchReports.restored(putBack, already, elsewhere);
        if (!putBack.isEmpty()) {
            context.progress(done);
        }
        // a switch whose ports are all back is saved, also when another switch failed
        String saved = saveConfigs(saving, context, measurements);
        if (problems.isEmpty()) {
            return Result.ok(new OpReport(done + saved, measurements));
        }
        return Result.failed(problems.get(0).device(), problems.stream().map(Problem::cause)
                .collect(Collectors.joining("; ")) + "; on the other switches: " + done + saved);
    }

    private Restored restoreOn(String device, List<PortMove> moves, DriverContext context) {
        List<String> ports = moves.stream().map(m -> m.port().toString()).toList();
        List<Planned> back;
        try {
            back = resolve(plan(moves.stream().map(PortMove::reversed).toList()), context).get(device);
        } catch (DeviceProblem e) {
            return new Restored(List.of(), 0, List.of(), 0, new Problem(device, e.getMessage()
                    + "; not confirmed on their original VLAN: " + some(ports)));
        }
        // the moves reversed: "already" is on its original VLAN, "set" is what a move had moved
        SetOutcome o = applySets(device, back, context, true);
        List<String> elsewhere = new ArrayList<>();
        o.elsewhere().forEach((p, vlan) -> elsewhere.add(p.move().port() + " (user " + p.move().user() + ") on VLAN "
                + vlan));
        if (o.pdus() == 0 && o.failure() != null) {
            return new Restored(List.of(), o.already().size(), elsewhere, 0, new Problem(device, o.failure().getMessage()
                    + "; not put back: " + some(o.set().isEmpty() ? ports
                    : o.set().stream().map(p -> p.move().port().toString()).toList())));
        }
        if (o.set().isEmpty()) {
            return new Restored(List.of(), o.already().size(), elsewhere, 0, null);
        }
        List<String> putBack = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        Object rb = verify(Map.of(device, o.set()), context, "verify put-back").get(device);
        for (Planned p : o.set()) {
            if (rb instanceof Map<?, ?> m && Integer.valueOf(p.move().to().value()).equals(m.get(p))) {
                putBack.add(p.move().port().toString());
            } else {
                stuck.add(p.move().port() + (rb instanceof SnmpFailure f ? " (not read back: " + f.getMessage() + ")"
                        : " (on VLAN " + ((Map<?, ?>) rb).get(p) + ")"));
            }
        }
        if (stuck.isEmpty() && o.failure() == null) {
            return new Restored(putBack, o.already().size(), elsewhere, o.pdus(), null);
        }
        String cause = o.failure() == null ? "" : o.failure().getMessage();
        if (!stuck.isEmpty()) {
            cause += (cause.isEmpty() ? "" : "; ") + "COULD NOT PUT BACK " + stuck.size() + " port(s) " + some(stuck);
        }
        return new Restored(putBack, o.already().size(), elsewhere, o.pdus(), new Problem(device, cause));
    }

    /**
     * saveConfig: copy running-config to startup-config on each of these switches that asks for it,
     * in parallel, after its ports were moved and verified. A failed save does not undo the move:
     * the running configuration is what the migration needs and is right; the save only makes it
     * survive a reload, so it is reported (summary, measurements, progress, operation log) for the
     * operator to repeat, and the move stands. Returns the text to append to the summary.
     */
    private String saveConfigs(Set<String> devices, DriverContext ctx, Map<String, String> measurements) {
        Set<String> saving = new LinkedHashSet<>();
        for (String d : devices) {
            profiles.device(d).filter(DeviceProfile::saveConfig).ifPresent(p -> saving.add(d));
        }
        if (saving.isEmpty()) {
            return "";
        }
        Map<String, CiscoVmVlan.SaveResult> results = parallel(saving, d -> {
            try {
                return CiscoVmVlan.saveConfig(session(d), ctx);
            } catch (DeviceProblem e) {
                return new CiscoVmVlan.SaveResult(false, e.getMessage(), Duration.ZERO);
            }
        });
        List<String> saved = new ArrayList<>();
        List<String> failedDevices = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        long longest = 0;
        for (Map.Entry<String, CiscoVmVlan.SaveResult> e : results.entrySet()) {
            longest = Math.max(longest, e.getValue().took().toNanos());
            if (e.getValue().ok()) {
                saved.add(e.getKey());
            } else {
                failedDevices.add(e.getKey());
                failed.add(e.getKey() + ": " + e.getValue().text());
            }
        }
        measurements.put("save_ms", millis(longest));
        if (!saved.isEmpty()) {
            measurements.put("config_saved", String.join(",", saved));
        }
        String text = saved.isEmpty() ? "" : "; saved running-config to startup-config on " + some(saved);
        if (!failed.isEmpty()) {
            measurements.put("config_save_failed", String.join(",", failedDevices));
            String warning = "startup-config NOT saved on " + failed.size() + " switch(es) " + some(failed)
                    + " — the ports are moved (running-config is right); save by hand: copy running-config startup-config";
            ctx.progress(warning);
            text += "; " + warning;
        }
        return text;
    }

    /** At most 10 items in an operator's message, then how many more. */
    static String some(List<String> items) {
        return SwitchReports.some(items);
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

    /** The non-default SET and port settings of a profile, for the preflight notes: ", set.mode one-per-pdu". */
    static String settings(DeviceProfile p) {
        StringBuilder b = new StringBuilder();
        if (p.setMode() != DeviceProfile.SetMode.BATCH) {
            b.append(", set.mode ").append(p.setMode());
        }
        if (p.setOrder() != DeviceProfile.SetOrder.PVID_FIRST) {
            b.append(", set.order ").append(p.setOrder());
        }
        if (p.portIndex() != DeviceProfile.PortIndex.BASE_PORT) {
            b.append(", port.index ").append(p.portIndex());
        }
        return b.toString();
    }

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
                StyleOps st = style(s);
                List<Planned> ports = st.resolve(s, byDevice.get(d), null);
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
                st.unusableVlans(s, List.copyOf(targets), null, "preflight").forEach(x -> problems.add(new Problem(d, x)));
                int pdus = buildSetPdus(s.profile(), ports, Map.of(), Map.of()).size();
                // A SET costs about a GET and a write per varbind at the agent; then the verify GETs.
                // pvid+static first reads the PortLists, cisco-vmvlan first checks the VLANs: one round trip.
                // set.mode one-per-pdu: a round trip per PDU on top.
                boolean single = s.profile().setMode() == DeviceProfile.SetMode.ONE_PER_PDU;
                long expected = 2 * read + read + (s.profile().style() == DeviceProfile.Style.PVID ? 0 : rtt)
                        + (single ? pdus * rtt : 0);
                notes.add(d + ": sysName " + (sys.isEmpty() ? "?" : sys.get(0).getVariable()) + ", sysObjectID "
                        + (sys.size() < 2 ? "?" : sys.get(1).getVariable()) + ", " + s.profile().version().name()
                        .toLowerCase(java.util.Locale.ROOT) + " " + s.credential().securityLevel() + ", style "
                        + s.profile().style() + settings(s.profile()) + ", round trip " + millis(rtt) + " ms, "
                        + ports.size() + " port(s) in " + pdus + " SET PDU(s)" + (s.profile().saveConfig()
                        ? ", then copy running-config startup-config (saveConfig; not in the expected duration)" : ""));
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

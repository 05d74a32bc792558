package net.sessionmigration.vlan.qbridge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.vlan.qbridge.QBridgeSwitcher.Planned;

/**
 * BRIDGE-MIB {@code dot1dBasePortIfIndex.<dot1dBasePort> = ifIndex} of one switch, as it answered,
 * kept as long as its session (a changed profile or credential makes a new session, so a new
 * cache). Both directions use it: style cisco-vmvlan maps a plan's dot1dBasePort to the ifIndex
 * its vmVlan is indexed by (a GET of just those ports), and the Q-BRIDGE styles with
 * {@code port.index = ifIndex} map a plan's ifIndex to the dot1dBasePort their dot1qPvid and
 * PortLists are indexed by (the index is the base port, so that needs the whole column: one walk
 * per session, GETBULK of max.varbinds rows).
 */
final class BridgePorts {
    /** dot1dBasePortIfIndex.&lt;dot1dBasePort&gt; (BRIDGE-MIB dot1dBasePortTable), INTEGER. */
    static final OID DOT1D_BASE_PORT_IFINDEX = new OID("1.3.6.1.2.1.17.1.4.1.2");
    /** A switch with more bridge ports than this is not believed (a looping agent). */
    static final int MAX_ROWS = 100_000;

    private final Map<Integer, Integer> ifIndexByBase = new ConcurrentHashMap<>();
    /** The whole column was read (needed for ifIndex → dot1dBasePort). */
    private volatile boolean walked;

    /** The ifIndex of a bridge port, as far as this session knows it. */
    Integer ifIndex(int basePort) {
        return ifIndexByBase.get(basePort);
    }

    boolean walked() {
        return walked;
    }

    /**
     * The ports with their ifIndex filled in from their dot1dBasePort: from this cache, else one GET
     * (per max.varbinds ports) of just the ports it lacks. {@code hint} ends the error of a bridge port
     * that has no ifIndex (why, and what the operator should do, after "— ").
     */
    List<Planned> withIfIndexes(SnmpOps s, List<Planned> ports, DriverContext ctx, Function<Planned, String> hint)
            throws SnmpFailure {
        List<Planned> missing = new ArrayList<>();
        for (Planned p : ports) {
            if (p.ifIndex() == 0 && !ifIndexByBase.containsKey(p.basePort())
                    && missing.stream().noneMatch(m -> m.basePort() == p.basePort())) {
                missing.add(p);
            }
        }
        int max = s.profile().maxVarbinds();
        for (int i = 0; i < missing.size(); i += max) {
            List<Planned> chunk = missing.subList(i, Math.min(missing.size(), i + max));
            List<OID> oids = chunk.stream().map(p -> new OID(DOT1D_BASE_PORT_IFINDEX).append(p.basePort())).toList();
            Instant start = Instant.now();
            String op = "GET dot1dBasePortIfIndex ×" + chunk.size() + " (ifIndex of the plan's ports)";
            List<VariableBinding> vbs;
            try {
                vbs = s.get(oids);
            } catch (SnmpFailure f) {
                StyleOps.record(ctx, s, op, start, f.getMessage());
                throw f;
            }
            StyleOps.record(ctx, s, op, start, "ok");
            for (int k = 0; k < chunk.size(); k++) {
                Variable v = k < vbs.size() ? vbs.get(k).getVariable() : null;
                Planned p = chunk.get(k);
                if (v == null || v.isException() || !(v instanceof Integer32) || v.toInt() < 1) {
                    throw new SnmpFailure(SnmpFailure.Kind.NO_SUCH_NAME, k + 1, who(s) + ": " + p.label()
                            + ": no dot1dBasePortIfIndex." + p.basePort() + " (" + (v == null ? "no answer" : v)
                            + ") — " + hint.apply(p));
                }
                ifIndexByBase.put(p.basePort(), v.toInt());
            }
        }
        List<Planned> out = new ArrayList<>(ports.size());
        for (Planned p : ports) {
            out.add(p.ifIndex() > 0 ? p : new Planned(p.move(), p.basePort(), ifIndexByBase.get(p.basePort())));
        }
        return out;
    }

    /**
     * The ports with their dot1dBasePort filled in from their ifIndex: the whole dot1dBasePortIfIndex
     * column is read once per session (GETBULK, max.varbinds rows a request), then looked up. An ifIndex
     * that no bridge port has fails naming the port, before anything is set.
     */
    List<Planned> withBasePorts(SnmpOps s, List<Planned> ports, DriverContext ctx) throws SnmpFailure {
        if (ports.stream().allMatch(p -> p.basePort() > 0)) {
            return ports;
        }
        if (!walked) {
            walk(s, ctx);
        }
        Map<Integer, Integer> baseByIfIndex = new TreeMap<>();
        ifIndexByBase.forEach((base, ifIndex) -> baseByIfIndex.merge(ifIndex, base, Math::min));
        List<Planned> out = new ArrayList<>(ports.size());
        for (Planned p : ports) {
            if (p.basePort() > 0) {
                out.add(p);
                continue;
            }
            Integer base = baseByIfIndex.get(p.ifIndex());
            if (base == null) {
                throw new SnmpFailure(SnmpFailure.Kind.NO_SUCH_NAME, 0, who(s) + ": " + p.label() + ": ifIndex "
                        + p.ifIndex() + " is no bridge port of the switch (dot1dBasePortIfIndex lists "
                        + (baseByIfIndex.isEmpty() ? "no port" : baseByIfIndex.size() + " port(s), ifIndex "
                        + range(baseByIfIndex)) + ") — port.index = ifIndex says the port.map numbers (or the plan's "
                        + "port numbers) are ifIndexes: check port.map " + p.move().port().port() + "=<ifIndex>, or use "
                        + "port.index = basePort if they are dot1dBasePorts");
            }
            out.add(new Planned(p.move(), base, p.ifIndex()));
        }
        return out;
    }

    private synchronized void walk(SnmpOps s, DriverContext ctx) throws SnmpFailure {
        if (walked) {
            return;
        }
        OID next = DOT1D_BASE_PORT_IFINDEX;
        int max = s.profile().maxVarbinds();
        Map<Integer, Integer> found = new TreeMap<>();
        boolean end = false;
        while (!end) {
            Instant start = Instant.now();
            String op = "GETBULK dot1dBasePortIfIndex from " + (next.equals(DOT1D_BASE_PORT_IFINDEX) ? "the start"
                    : "." + next.last()) + " ×" + max + " (bridge port of the plan's ifIndexes)";
            List<VariableBinding> vbs;
            try {
                vbs = s.getBulk(next, max);
            } catch (SnmpFailure f) {
                StyleOps.record(ctx, s, op, start, f.getMessage());
                throw f;
            }
            StyleOps.record(ctx, s, op, start, "ok");
            if (vbs.isEmpty()) {
                break;
            }
            for (VariableBinding vb : vbs) {
                OID oid = vb.getOid();
                if (vb.getVariable().isException() || oid.size() != DOT1D_BASE_PORT_IFINDEX.size() + 1
                        || !oid.startsWith(DOT1D_BASE_PORT_IFINDEX)) {
                    end = true;
                    break;
                }
                if (oid.compareTo(next) <= 0 || found.size() >= MAX_ROWS) {
                    throw new SnmpFailure(SnmpFailure.Kind.AGENT_ERROR, 0, who(s) + ": the walk of dot1dBasePortIfIndex"
                            + " does not advance (" + oid + " after " + next + ")");
                }
                next = oid;
                if (vb.getVariable() instanceof Integer32 && vb.getVariable().toInt() > 0) {
                    found.put(oid.last(), vb.getVariable().toInt());
                }
            }
        }
        ifIndexByBase.putAll(found);
        walked = true;
    }

    private static String range(Map<Integer, Integer> baseByIfIndex) {
        List<Integer> ifIndexes = List.copyOf(baseByIfIndex.keySet());
        if (ifIndexes.size() <= 6) {
            return ifIndexes.toString();
        }
        return ifIndexes.get(0) + "…" + ifIndexes.get(ifIndexes.size() - 1);
    }

    private static String who(SnmpOps s) {
        return s.profile().name() + " (" + s.profile().target() + ")";
    }
}

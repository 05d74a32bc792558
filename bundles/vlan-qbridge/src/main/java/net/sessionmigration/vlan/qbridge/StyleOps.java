package net.sessionmigration.vlan.qbridge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.snmp4j.smi.OID;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.vlan.qbridge.QBridgeSwitcher.Planned;

/**
 * Where the write styles differ: which object holds a port's VLAN and how a plan's port becomes
 * its index, how a target VLAN is checked, and whether that check is repeated just before a SET.
 * Everything else — sessions and credentials, batching into PDUs, switches in parallel, the read
 * just before the SET, verify, restore — is {@link QBridgeSwitcher}'s, the same for
 * every style. Styles pvid and pvid+static share {@link #QBRIDGE} (pvid+static's PortLists stay
 * in the switcher); style cisco-vmvlan is {@link CiscoVmVlan}.
 */
interface StyleOps {
    /**
     * dot1qPvid.&lt;dot1dBasePort&gt;, VLANs checked with dot1qVlanStaticRowStatus; with port.index =
     * ifIndex the plan's ifIndexes are mapped to dot1dBasePort by {@link BridgePorts}.
     */
    StyleOps QBRIDGE = new QBridge();

    static StyleOps of(DeviceProfile.Style style) {
        return style == DeviceProfile.Style.CISCO_VMVLAN ? CiscoVmVlan.STYLE : QBRIDGE;
    }

    /** The per-port VLAN object's name, for messages and the operation log: dot1qPvid, vmVlan. */
    String object();

    /** The per-port VLAN object's column; a port's instance is {@code column().index(p)}. */
    OID column();

    /** The instance index of a port's VLAN object: dot1dBasePort, or ifIndex. */
    int index(Planned p);

    default OID oid(Planned p) {
        return new OID(column()).append(index(p));
    }

    /** What a SET writes for VLAN {@code vlan}, in the object's SMI type. */
    Variable value(int vlan);

    /** Why a port may lack the object, after "port 7: no dot1qPvid (noSuchInstance) — ". */
    String absentHint();

    /** The plan's port on this switch, from port.map or the port name as a number; empty if neither. */
    Optional<Planned> place(DeviceProfile profile, PortMove move);

    /** Whether every port already has its index; if not, {@link #resolve} must ask the switch first. */
    boolean complete(List<Planned> ports);

    /** The ports with their indexes filled in; may GET (at most once per port and session). */
    List<Planned> resolve(SnmpOps s, List<Planned> ports, DriverContext ctx) throws SnmpFailure;

    /**
     * One sentence per VLAN of {@code vlans} the switch cannot take ports into (missing, not
     * active), naming the VLAN (the caller's Problem names the switch); empty when all can.
     */
    List<String> unusableVlans(SnmpOps s, List<Integer> vlans, DriverContext ctx, String why) throws SnmpFailure;

    /** Whether the target VLANs are checked again just before each SET, not only at preflight. */
    boolean checkVlansBeforeSet();

    /** Records one PDU in the migration's operation log (when there is a context). */
    static void record(DriverContext ctx, SnmpOps s, String op, Instant start, String outcome) {
        if (ctx != null) {
            ctx.operation(s.profile().name(), op, start, Instant.now(), outcome);
        }
    }

    /** Styles pvid and pvid+static: Q-BRIDGE-MIB dot1qPvid.&lt;dot1dBasePort&gt; (Unsigned32). */
    final class QBridge implements StyleOps {
        private QBridge() {
        }

        @Override
        public String object() {
            return "dot1qPvid";
        }

        @Override
        public OID column() {
            return QBridgeMib.DOT1Q_PVID;
        }

        @Override
        public int index(Planned p) {
            return p.basePort();
        }

        @Override
        public Variable value(int vlan) {
            return new UnsignedInteger32(vlan);
        }

        @Override
        public String absentHint() {
            return "no such port or no Q-BRIDGE-MIB on the switch";
        }

        /**
         * The port.map number or the plan's number: a dot1dBasePort, or with port.index = ifIndex an
         * ifIndex (basePort 0 until {@link #resolve} maps it).
         */
        @Override
        public Optional<Planned> place(DeviceProfile profile, PortMove move) {
            if (profile.portIndex() == DeviceProfile.PortIndex.IF_INDEX) {
                return profile.basePort(move.port().port()).map(ifIndex -> new Planned(move, 0, ifIndex));
            }
            return profile.basePort(move.port().port()).map(base -> new Planned(move, base));
        }

        @Override
        public boolean complete(List<Planned> ports) {
            return ports.stream().allMatch(p -> p.basePort() > 0);
        }

        /** port.index = ifIndex: the bridge port of each ifIndex, from dot1dBasePortIfIndex read once per session. */
        @Override
        public List<Planned> resolve(SnmpOps s, List<Planned> ports, DriverContext ctx) throws SnmpFailure {
            return s.bridgePorts().withBasePorts(s, ports, ctx);
        }

        @Override
        public List<String> unusableVlans(SnmpOps s, List<Integer> vlans, DriverContext ctx, String why)
                throws SnmpFailure {
            List<String> out = new ArrayList<>();
            Instant start = Instant.now();
            List<VariableBinding> rows = s.get(vlans.stream().map(QBridgeMib::rowStatus).toList());
            record(ctx, s, "GET dot1qVlanStaticRowStatus of VLANs " + vlans + " (" + why + ")", start, "ok");
            for (int k = 0; k < vlans.size(); k++) {
                Variable v = k < rows.size() ? rows.get(k).getVariable() : null;
                if (v == null || v.isException() || v.toInt() != 1) {
                    out.add("VLAN " + vlans.get(k) + " does not exist (or is not active) on the switch: "
                            + "dot1qVlanStaticRowStatus." + vlans.get(k) + " = " + v);
                }
            }
            return out;
        }

        @Override
        public boolean checkVlansBeforeSet() {
            // the agent refuses a PVID of a missing VLAN with wrongValue, which the move reports
            return false;
        }
    }
}

package net.sessionmigration.vlan.qbridge;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.vlan.qbridge.QBridgeSwitcher.Planned;

/**
 * Style cisco-vmvlan: Cisco IOS / IOS-XE access ports ({@code switchport mode access}).
 * <ul>
 * <li>A port's VLAN is CISCO-VLAN-MEMBERSHIP-MIB {@code vmVlan.<ifIndex>} (INTEGER 0..4095,
 * read-write); the switch keeps the VLAN's membership in step itself. Trunk ports have no row.</li>
 * <li>Plan port → ifIndex: a port.map number is the ifIndex; otherwise the plan's number is a
 * dot1dBasePort, mapped with BRIDGE-MIB {@code dot1dBasePortIfIndex} once per session ({@link BridgePorts};
 * with port.index = ifIndex the plan's number is the ifIndex). (Cisco IOS
 * serves BRIDGE-MIB per VLAN context only — community@vlan, v3 context vlan-N — so on a real
 * switch the default context may not have it: give port.map.)</li>
 * <li>A target VLAN must be CISCO-VTP-MIB {@code vtpVlanState.1.<vid>} = operational(1), checked at
 * preflight and again just before each SET.</li>
 * <li>{@code saveConfig}: after a successful move or restore, copy running-config to
 * startup-config with CISCO-CONFIG-COPY-MIB ({@link #saveConfig}).</li>
 * </ul>
 * Checked against a real Catalyst 2960-X walk (LibreNMS tests/snmpsim/ios_2960x.snmprec):
 * {@code 1.3.6.1.4.1.9.9.68.1.2.2.1.2.10101 = INTEGER 525} (ifIndex 10101 = GigabitEthernet1/0/1),
 * {@code 1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.99 = INTEGER 1}, no vmVlan row for the trunk ports.
 */
final class CiscoVmVlan implements StyleOps {
    static final CiscoVmVlan STYLE = new CiscoVmVlan();

    /** vmVlan.&lt;ifIndex&gt; (CISCO-VLAN-MEMBERSHIP-MIB vmMembershipTable), INTEGER, read-write. */
    static final OID VM_VLAN = new OID("1.3.6.1.4.1.9.9.68.1.2.2.1.2");
    /** vtpVlanState.&lt;managementDomainIndex 1&gt;.&lt;vid&gt; (CISCO-VTP-MIB), operational(1). */
    static final OID VTP_VLAN_STATE = new OID("1.3.6.1.4.1.9.9.46.1.3.1.1.2.1");
    /** dot1dBasePortIfIndex.&lt;dot1dBasePort&gt; (BRIDGE-MIB), see {@link BridgePorts}. */
    static final OID DOT1D_BASE_PORT_IFINDEX = BridgePorts.DOT1D_BASE_PORT_IFINDEX;
    /** ccCopyEntry (CISCO-CONFIG-COPY-MIB ccCopyTable), indexed by ccCopyIndex. */
    static final OID CC_COPY_ENTRY = new OID("1.3.6.1.4.1.9.9.96.1.1.1.1");
    static final int CC_SOURCE_FILE_TYPE = 3;
    static final int CC_DEST_FILE_TYPE = 4;
    static final int CC_STATE = 10;
    static final int CC_FAIL_CAUSE = 13;
    static final int CC_ROW_STATUS = 14;
    /** ConfigFileType. */
    static final int STARTUP_CONFIG = 3;
    static final int RUNNING_CONFIG = 4;
    /** ConfigCopyState. */
    static final int COPY_WAITING = 1;
    static final int COPY_RUNNING = 2;
    static final int COPY_SUCCESSFUL = 3;
    static final int COPY_FAILED = 4;
    /** RowStatus. */
    static final int CREATE_AND_GO = 4;
    static final int DESTROY = 6;
    static final int VLAN_OPERATIONAL = 1;

    /** How long a copy to startup-config may take (real switches: a few seconds), and the poll interval. */
    static final Duration SAVE_TIMEOUT = Duration.ofSeconds(60);
    static final Duration SAVE_POLL = Duration.ofMillis(200);

    private CiscoVmVlan() {
    }

    // ------------------------------------------------------------------ the port's VLAN

    @Override
    public String object() {
        return "vmVlan";
    }

    @Override
    public OID column() {
        return VM_VLAN;
    }

    @Override
    public int index(Planned p) {
        return p.ifIndex();
    }

    @Override
    public Variable value(int vlan) {
        return new Integer32(vlan);
    }

    @Override
    public String absentHint() {
        return "no such ifIndex, not an access port (a trunk has no vmVlan), or no CISCO-VLAN-MEMBERSHIP-MIB";
    }

    /**
     * A port.map entry is an ifIndex; a plain number is a dot1dBasePort, resolved later, or with
     * port.index = ifIndex an ifIndex too.
     */
    @Override
    public Optional<Planned> place(DeviceProfile profile, PortMove move) {
        Integer ifIndex = profile.portMap().get(move.port().port());
        if (ifIndex != null) {
            return ifIndex >= 1 ? Optional.of(new Planned(move, 0, ifIndex)) : Optional.empty();
        }
        if (profile.portIndex() == DeviceProfile.PortIndex.IF_INDEX) {
            return profile.basePort(move.port().port()).map(n -> new Planned(move, 0, n));
        }
        return profile.basePort(move.port().port()).map(base -> new Planned(move, base, 0));
    }

    @Override
    public boolean complete(List<Planned> ports) {
        return ports.stream().allMatch(p -> p.ifIndex() > 0);
    }

    /** Fills in the ifIndex of ports given as dot1dBasePort: from the session's cache, else one GET. */
    @Override
    public List<Planned> resolve(SnmpOps s, List<Planned> ports, DriverContext ctx) throws SnmpFailure {
        return s.bridgePorts().withIfIndexes(s, ports, ctx, p -> "the switch does not map this bridge port to an ifIndex"
                + " (Cisco IOS serves BRIDGE-MIB per VLAN context only): give port.map " + p.move().port().port()
                + "=<ifIndex>");
    }

    // ------------------------------------------------------------------ the target VLAN

    @Override
    public List<String> unusableVlans(SnmpOps s, List<Integer> vlans, DriverContext ctx, String why)
            throws SnmpFailure {
        List<String> out = new ArrayList<>();
        Instant start = Instant.now();
        String op = "GET vtpVlanState of VLANs " + vlans + " (" + why + ")";
        List<VariableBinding> states;
        try {
            states = s.get(vlans.stream().map(v -> new OID(VTP_VLAN_STATE).append(v)).toList());
        } catch (SnmpFailure f) {
            StyleOps.record(ctx, s, op, start, f.getMessage());
            throw f;
        }
        StyleOps.record(ctx, s, op, start, "ok");
        for (int k = 0; k < vlans.size(); k++) {
            Variable v = k < states.size() ? states.get(k).getVariable() : null;
            if (v == null || v.isException()) {
                out.add("VLAN " + vlans.get(k) + " does not exist on switch " + s.profile().name() + ": vtpVlanState.1."
                        + vlans.get(k) + " = " + (v == null ? "no answer" : v));
            } else if (v.toInt() != VLAN_OPERATIONAL) {
                out.add("VLAN " + vlans.get(k) + " is not operational on switch " + s.profile().name()
                        + ": vtpVlanState.1." + vlans.get(k) + " = " + vlanState(v.toInt()));
            }
        }
        return out;
    }

    private static String vlanState(int state) {
        return switch (state) {
            case 1 -> "operational(1)";
            case 2 -> "suspended(2)";
            case 3 -> "mtuTooBigForDevice(3)";
            case 4 -> "mtuTooBigForTrunk(4)";
            default -> Integer.toString(state);
        };
    }

    /** Also just before each SET: a VLAN deleted after the preflight must not leave ports in nowhere. */
    @Override
    public boolean checkVlansBeforeSet() {
        return true;
    }

    // ------------------------------------------------------------------ saveConfig

    /** What a copy running-config → startup-config did. */
    record SaveResult(boolean ok, String text, Duration took) {
    }

    /** A random ccCopyIndex, 1..2^31-1, so two managers do not share a row. */
    static int randomRow() {
        return ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE) + 1;
    }

    static SaveResult saveConfig(SnmpOps s, DriverContext ctx) {
        return saveConfig(s, ctx, randomRow(), SAVE_TIMEOUT, SAVE_POLL);
    }

    /**
     * copy running-config startup-config through CISCO-CONFIG-COPY-MIB: one SET creates ccCopyTable
     * row {@code row} (source runningConfig, destination startupConfig, createAndGo), ccCopyState is
     * polled until successful or failed, then the row is destroyed. Never throws: a failure is
     * the result's text (the caller reports it; the move it follows stands).
     */
    static SaveResult saveConfig(SnmpOps s, DriverContext ctx, int row, Duration timeout, Duration poll) {
        long t0 = System.nanoTime();
        List<VariableBinding> create = List.of(
                new VariableBinding(copyColumn(CC_SOURCE_FILE_TYPE, row), new Integer32(RUNNING_CONFIG)),
                new VariableBinding(copyColumn(CC_DEST_FILE_TYPE, row), new Integer32(STARTUP_CONFIG)),
                new VariableBinding(copyColumn(CC_ROW_STATUS, row), new Integer32(CREATE_AND_GO)));
        Instant start = Instant.now();
        String op = "SET ccCopyTable." + row + " runningConfig→startupConfig createAndGo";
        java.util.Optional<String> fenced = ctx == null ? java.util.Optional.empty() : ctx.fenced();
        if (fenced.isPresent()) {
            StyleOps.record(ctx, s, op, start, "not sent: " + fenced.get());
            return new SaveResult(false, "not saved: " + fenced.get(), since(t0));
        }
        try {
            s.set(create, i -> describeCopy(create, i));
            StyleOps.record(ctx, s, op, start, "ok");
        } catch (SnmpFailure f) {
            StyleOps.record(ctx, s, op, start, f.getMessage());
            // an SNMP SET is all or nothing: a refused createAndGo left no row behind
            return new SaveResult(false, "the switch refused the copy: " + f.getMessage(), since(t0));
        }
        String outcome;
        boolean ok = false;
        Instant pollStart = Instant.now();
        int polls = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        OID stateOid = copyColumn(CC_STATE, row);
        while (true) {
            polls++;
            int state;
            try {
                Variable v = s.get(List.of(stateOid)).get(0).getVariable();
                if (v.isException()) {
                    outcome = "ccCopyState." + row + " = " + v + " (the row is gone)";
                    break;
                }
                state = v.toInt();
            } catch (SnmpFailure f) {
                outcome = "cannot read ccCopyState: " + f.getMessage();
                break;
            }
            if (state == COPY_SUCCESSFUL) {
                ok = true;
                outcome = "successful";
                break;
            }
            if (state == COPY_FAILED) {
                outcome = "failed" + failCause(s, row);
                break;
            }
            if (System.nanoTime() > deadline) {
                outcome = "not finished after " + timeout.toMillis() + " ms (ccCopyState = "
                        + (state == COPY_WAITING ? "waiting" : state == COPY_RUNNING ? "running" : state) + ")";
                break;
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = "interrupted while waiting for the copy";
                break;
            }
        }
        StyleOps.record(ctx, s, "GET ccCopyState." + row + " ×" + polls + " (poll)", pollStart, outcome);
        String note = "";
        Instant destroyStart = Instant.now();
        List<VariableBinding> destroy = List.of(new VariableBinding(copyColumn(CC_ROW_STATUS, row), new Integer32(DESTROY)));
        try {
            s.set(destroy, i -> describeCopy(destroy, i));
            StyleOps.record(ctx, s, "SET ccCopyEntryRowStatus." + row + " = destroy", destroyStart, "ok");
        } catch (SnmpFailure f) {
            StyleOps.record(ctx, s, "SET ccCopyEntryRowStatus." + row + " = destroy", destroyStart, f.getMessage());
            note = "; ccCopyTable row " + row + " not destroyed: " + f.getMessage();
        }
        return new SaveResult(ok, (ok ? "copied running-config to startup-config" : "copy to startup-config " + outcome)
                + note, since(t0));
    }

    private static String failCause(SnmpOps s, int row) {
        try {
            Variable v = s.get(List.of(copyColumn(CC_FAIL_CAUSE, row))).get(0).getVariable();
            if (v.isException()) {
                return "";
            }
            return ": ccCopyFailCause = " + switch (v.toInt()) {
                case 1 -> "unknown(1)";
                case 2 -> "badFileName(2)";
                case 3 -> "timeout(3)";
                case 4 -> "noMem(4)";
                case 5 -> "noConfig(5)";
                case 6 -> "unsupportedProtocol(6)";
                case 7 -> "someConfigApplyFailed(7)";
                case 8 -> "systemNotReady(8)";
                case 9 -> "requestAborted(9)";
                default -> Integer.toString(v.toInt());
            };
        } catch (SnmpFailure f) {
            return "";
        }
    }

    static OID copyColumn(int column, int row) {
        return new OID(CC_COPY_ENTRY).append(column).append(row);
    }

    private static String describeCopy(List<VariableBinding> vbs, int index) {
        if (index < 1 || index > vbs.size()) {
            return "varbind " + index;
        }
        OID oid = vbs.get(index - 1).getOid();
        String column = switch (oid.get(oid.size() - 2)) {
            case CC_SOURCE_FILE_TYPE -> "ccCopySourceFileType";
            case CC_DEST_FILE_TYPE -> "ccCopyDestFileType";
            case CC_ROW_STATUS -> "ccCopyEntryRowStatus";
            default -> "ccCopyEntry column " + oid.get(oid.size() - 2);
        };
        return column + "." + oid.last() + " = " + vbs.get(index - 1).getVariable();
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static String who(SnmpOps s) {
        return s.profile().name() + " (" + s.profile().target() + ")";
    }
}

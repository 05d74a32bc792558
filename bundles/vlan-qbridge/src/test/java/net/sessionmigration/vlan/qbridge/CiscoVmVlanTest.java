package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.vlan.qbridge.QBridgeSwitcher.Planned;

/**
 * Style cisco-vmvlan against a fake switch session: plan ports → ifIndex (port.map or BRIDGE-MIB,
 * once per session), the vtpVlanState check, and the CISCO-CONFIG-COPY-MIB save sequence.
 * OIDs and types as a real Catalyst 2960-X answers them (LibreNMS tests/snmpsim/ios_2960x.snmprec:
 * vmVlan.10101 = INTEGER 525, vtpVlanState.1.99 = INTEGER 1).
 */
class CiscoVmVlanTest {

    /** A switch that answers GETs from a table (absent = noSuchInstance) and records every request. */
    static final class FakeSwitch implements SnmpOps {
        final DeviceProfile profile;
        final Map<OID, Variable> values = new HashMap<>();
        /** Answers for ccCopyState, one per poll; the last one repeats. */
        final Deque<Integer> copyStates = new ArrayDeque<>();
        final List<List<OID>> gets = new ArrayList<>();
        final List<List<VariableBinding>> sets = new ArrayList<>();
        final BridgePorts bridge = new BridgePorts();
        final List<OID> bulks = new ArrayList<>();
        SnmpFailure refuseSets;

        FakeSwitch(DeviceProfile profile) {
            this.profile = profile;
        }

        @Override
        public DeviceProfile profile() {
            return profile;
        }

        @Override
        public List<VariableBinding> get(List<OID> oids) {
            gets.add(oids);
            List<VariableBinding> out = new ArrayList<>();
            for (OID oid : oids) {
                Variable v = values.get(oid);
                if (oid.startsWith(CiscoVmVlan.CC_COPY_ENTRY) && oid.get(oid.size() - 2) == CiscoVmVlan.CC_STATE
                        && !copyStates.isEmpty()) {
                    v = new Integer32(copyStates.size() > 1 ? copyStates.poll() : copyStates.peek());
                }
                out.add(new VariableBinding(oid, v == null ? Null.noSuchInstance : v));
            }
            return out;
        }

        @Override
        public void set(List<VariableBinding> vbs, IntFunction<String> describer) throws SnmpFailure {
            sets.add(vbs);
            if (refuseSets != null) {
                throw refuseSets;
            }
        }

        /** GETBULK from the table in OID order, endOfMibView after its last object. */
        @Override
        public List<VariableBinding> getBulk(OID oid, int maxRepetitions) {
            bulks.add(oid);
            List<VariableBinding> out = new ArrayList<>();
            for (Map.Entry<OID, Variable> e : new java.util.TreeMap<>(values).tailMap(oid, false).entrySet()) {
                if (out.size() == maxRepetitions) {
                    return out;
                }
                out.add(new VariableBinding(e.getKey(), e.getValue()));
            }
            out.add(new VariableBinding(out.isEmpty() ? oid : out.get(out.size() - 1).getOid(), Null.endOfMibView));
            return out;
        }

        @Override
        public BridgePorts bridgePorts() {
            return bridge;
        }
    }

    static final class Operations implements DriverContext {
        final List<String> log = new ArrayList<>();

        @Override
        public String migrationId() {
            return "t";
        }

        @Override
        public void progress(String message) {
        }

        @Override
        public void operation(String device, String operation, Instant start, Instant end, String outcome) {
            log.add(device + " " + operation + " → " + outcome);
        }
    }

    private static DeviceProfile cisco(Map<String, Integer> portMap) {
        return DeviceProfile.of("c2960", "192.0.2.9", DeviceProfile.Version.V3, "ops", DeviceProfile.Style.CISCO_VMVLAN)
                .withPortMap(portMap);
    }

    private static PortMove move(String port, int from, int to) {
        return new PortMove("u-" + port, new AccessPort("c2960", port), VlanId.of(from), VlanId.of(to));
    }

    private static OID baseIfIndex(int basePort) {
        return new OID(CiscoVmVlan.DOT1D_BASE_PORT_IFINDEX).append(basePort);
    }

    // ------------------------------------------------------------------ plan port → ifIndex

    @Test
    void aPortMapNumberIsTheIfIndexAndAPlainNumberADot1dBasePort() {
        DeviceProfile p = cisco(Map.of("Gi1/0/1", 10101));
        StyleOps st = StyleOps.of(p.style());
        assertEquals(new Planned(move("Gi1/0/1", 1, 2), 0, 10101), st.place(p, move("Gi1/0/1", 1, 2)).orElseThrow());
        assertEquals(new Planned(move("3", 1, 2), 3, 0), st.place(p, move("3", 1, 2)).orElseThrow());
        assertTrue(st.place(p, move("Gi1/0/9", 1, 2)).isEmpty(), "neither in port.map nor a number");
        assertEquals(new OID("1.3.6.1.4.1.9.9.68.1.2.2.1.2.10101"), st.oid(new Planned(move("Gi1/0/1", 1, 2), 0, 10101)));
        assertFalse(st.complete(List.of(new Planned(move("3", 1, 2), 3, 0))));
    }

    @Test
    void dot1dBasePortsAreMappedToIfIndexOncePerSession() throws Exception {
        FakeSwitch sw = new FakeSwitch(cisco(Map.of("Gi1/0/1", 10101)));
        sw.values.put(baseIfIndex(3), new Integer32(10103));
        sw.values.put(baseIfIndex(4), new Integer32(10104));
        Operations ops = new Operations();
        List<Planned> planned = List.of(new Planned(move("Gi1/0/1", 1, 2), 0, 10101), new Planned(move("3", 1, 2), 3, 0),
                new Planned(move("4", 1, 2), 4, 0));
        List<Planned> resolved = CiscoVmVlan.STYLE.resolve(sw, planned, ops);
        assertEquals(List.of(10101, 10103, 10104), resolved.stream().map(Planned::ifIndex).toList());
        assertEquals(List.of(List.of(baseIfIndex(3), baseIfIndex(4))), sw.gets,
                "one GET, only for the ports port.map does not give");
        assertTrue(ops.log.get(0).contains("GET dot1dBasePortIfIndex ×2"), ops.log::toString);
        assertTrue(CiscoVmVlan.STYLE.complete(resolved));
        // again in the same session: from the cache, no packet
        assertEquals(resolved, CiscoVmVlan.STYLE.resolve(sw, planned, null));
        assertEquals(1, sw.gets.size());
    }

    @Test
    void aBridgePortWithoutIfIndexNamesThePortAndSaysToUsePortMap() {
        FakeSwitch sw = new FakeSwitch(cisco(Map.of()));
        SnmpFailure f = assertThrows(SnmpFailure.class, () -> CiscoVmVlan.STYLE.resolve(sw,
                List.of(new Planned(move("5", 1, 2), 5, 0)), null));
        assertEquals(SnmpFailure.Kind.NO_SUCH_NAME, f.kind());
        assertTrue(f.getMessage().startsWith("c2960 (192.0.2.9:161): port 5: no dot1dBasePortIfIndex.5 (noSuchInstance)"),
                f.getMessage());
        assertTrue(f.getMessage().contains("give port.map 5=<ifIndex>"), f.getMessage());
    }

    // ------------------------------------------------------------------ the target VLAN

    @Test
    void vtpVlanStateMustBeOperational() throws Exception {
        FakeSwitch sw = new FakeSwitch(cisco(Map.of()));
        sw.values.put(new OID("1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.2"), new Integer32(1));
        sw.values.put(new OID("1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.4"), new Integer32(2));
        List<String> bad = CiscoVmVlan.STYLE.unusableVlans(sw, List.of(2, 3, 4), null, "preflight");
        assertEquals(List.of("VLAN 3 does not exist on switch c2960: vtpVlanState.1.3 = noSuchInstance",
                "VLAN 4 is not operational on switch c2960: vtpVlanState.1.4 = suspended(2)"), bad);
        assertEquals(List.of(), CiscoVmVlan.STYLE.unusableVlans(sw, List.of(2), null, "before SET"));
        assertTrue(CiscoVmVlan.STYLE.checkVlansBeforeSet());
        assertFalse(StyleOps.QBRIDGE.checkVlansBeforeSet(), "Q-BRIDGE behaves as before");
    }

    // ------------------------------------------------------------------ saveConfig

    private static OID copy(int column, int row) {
        return new OID("1.3.6.1.4.1.9.9.96.1.1.1.1." + column + "." + row);
    }

    @Test
    void saveCreatesTheCopyRowPollsItAndDestroysIt() {
        FakeSwitch sw = new FakeSwitch(cisco(Map.of()).withSaveConfig(true));
        sw.copyStates.addAll(List.of(1, 2, 3)); // waiting, running, successful
        Operations ops = new Operations();
        CiscoVmVlan.SaveResult r = CiscoVmVlan.saveConfig(sw, ops, 424242, Duration.ofSeconds(5), Duration.ofMillis(1));
        assertTrue(r.ok(), r::toString);
        assertEquals("copied running-config to startup-config", r.text());
        assertEquals(2, sw.sets.size());
        // one SET: ccCopySourceFileType = runningConfig(4), ccCopyDestFileType = startupConfig(3), createAndGo(4)
        assertEquals(List.of(new VariableBinding(copy(3, 424242), new Integer32(4)),
                new VariableBinding(copy(4, 424242), new Integer32(3)),
                new VariableBinding(copy(14, 424242), new Integer32(4))), sw.sets.get(0));
        assertEquals(List.of(List.of(copy(10, 424242)), List.of(copy(10, 424242)), List.of(copy(10, 424242))), sw.gets,
                "ccCopyState polled until successful(3)");
        assertEquals(List.of(new VariableBinding(copy(14, 424242), new Integer32(6))), sw.sets.get(1), "then destroy(6)");
        assertEquals(3, ops.log.size(), ops.log::toString);
        assertTrue(ops.log.get(0).startsWith("c2960 SET ccCopyTable.424242 runningConfig→startupConfig createAndGo → ok"));
        assertTrue(ops.log.get(1).contains("GET ccCopyState.424242 ×3 (poll) → successful"), ops.log::toString);
        assertTrue(ops.log.get(2).contains("SET ccCopyEntryRowStatus.424242 = destroy → ok"), ops.log::toString);
    }

    @Test
    void aFailedCopySaysWhyAndStillDestroysTheRow() {
        FakeSwitch sw = new FakeSwitch(cisco(Map.of()).withSaveConfig(true));
        sw.copyStates.add(4);
        sw.values.put(copy(13, 7), new Integer32(5));
        CiscoVmVlan.SaveResult r = CiscoVmVlan.saveConfig(sw, null, 7, Duration.ofSeconds(5), Duration.ofMillis(1));
        assertFalse(r.ok());
        assertEquals("copy to startup-config failed: ccCopyFailCause = noConfig(5)", r.text());
        assertEquals(new Integer32(6), sw.sets.get(sw.sets.size() - 1).get(0).getVariable());
    }

    @Test
    void aCopyThatNeverFinishesTimesOut() {
        FakeSwitch sw = new FakeSwitch(cisco(Map.of()).withSaveConfig(true));
        sw.copyStates.add(2);
        CiscoVmVlan.SaveResult r = CiscoVmVlan.saveConfig(sw, null, 9, Duration.ofMillis(30), Duration.ofMillis(5));
        assertFalse(r.ok());
        assertTrue(r.text().contains("not finished after 30 ms (ccCopyState = running)"), r.text());
        assertEquals(2, sw.sets.size(), "the row is destroyed anyway");
    }

    @Test
    void aRefusedCopyLeavesNoRowAndIsNotPolled() {
        FakeSwitch sw = new FakeSwitch(cisco(Map.of()).withSaveConfig(true));
        PDU refusal = new PDU();
        refusal.setType(PDU.RESPONSE);
        refusal.setErrorStatus(PDU.notWritable);
        refusal.setErrorIndex(3);
        sw.refuseSets = SnmpFailure.classify("c2960", "192.0.2.9:161", "ops", refusal, i -> "ccCopyEntryRowStatus.5 = 4");
        CiscoVmVlan.SaveResult r = CiscoVmVlan.saveConfig(sw, null, 5, Duration.ofSeconds(1), Duration.ofMillis(1));
        assertFalse(r.ok());
        assertTrue(r.text().startsWith("the switch refused the copy: c2960 (192.0.2.9:161): ccCopyEntryRowStatus.5 = 4:"
                + " notWritable"), r.text());
        assertEquals(1, sw.sets.size());
        assertTrue(sw.gets.isEmpty());
    }

    @Test
    void copyRowsAreRandomWithinTheIndexRange() {
        for (int i = 0; i < 1000; i++) {
            int row = CiscoVmVlan.randomRow();
            assertTrue(row >= 1 && row <= Integer.MAX_VALUE, "row " + row);
        }
    }
}

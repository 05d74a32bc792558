package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.vlan.qbridge.DeviceProfile.PortIndex;
import net.sessionmigration.vlan.qbridge.DeviceProfile.SetMode;
import net.sessionmigration.vlan.qbridge.DeviceProfile.SetOrder;
import net.sessionmigration.vlan.qbridge.DeviceProfile.Style;
import net.sessionmigration.vlan.qbridge.QBridgeSwitcher.Planned;
import net.sessionmigration.vlan.qbridge.QBridgeSwitcher.SetPdu;

/**
 * The vendor differences as device settings: set.mode (a switch that applies only the first value of a
 * multi-value SET), set.order (pvid+static: PVID or new membership first; the old VLAN always last) and
 * port.index (ifIndex → dot1dBasePort through dot1dBasePortIfIndex, once per session).
 */
class VendorProfilesTest {

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>(Map.of("name", "sw1", "address", "10.99.1.1", "credential", "ops"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static IllegalArgumentException refused(Object... kv) {
        return assertThrows(IllegalArgumentException.class, () -> DeviceProfile.fromProperties(props(kv)));
    }

    // ------------------------------------------------------------------ parsing and validation

    @Test
    void defaultsKeepTodaysBehaviour() {
        DeviceProfile p = DeviceProfile.fromProperties(props("style", "pvid+static"));
        assertEquals(SetMode.BATCH, p.setMode());
        assertEquals(SetOrder.PVID_FIRST, p.setOrder());
        assertEquals(PortIndex.BASE_PORT, p.portIndex());
        assertEquals(DeviceProfile.fromProperties(props("style", "pvid+static", "set.mode", "", "set.order", " ",
                "port.index", "")), p, "blank = default (what the web console sends)");
        DeviceProfile old = new DeviceProfile("sw1", "10.99.1.1", 161, DeviceProfile.Version.V3, "ops",
                java.time.Duration.ofMillis(1000), 1, 60, Style.PVID_STATIC, Map.of());
        assertEquals(old, p, "the constructors of 1.x give the same profile");
        assertEquals("", QBridgeSwitcher.settings(p), "nothing extra in the preflight notes");
    }

    @Test
    void theNewSettingsParse() {
        DeviceProfile p = DeviceProfile.fromProperties(props("style", "pvid+static", "set.mode", "one-per-pdu",
                "set.order", "membership-first", "port.index", "ifIndex"));
        assertEquals(SetMode.ONE_PER_PDU, p.setMode());
        assertEquals(SetOrder.MEMBERSHIP_FIRST, p.setOrder());
        assertEquals(PortIndex.IF_INDEX, p.portIndex());
        assertEquals(", set.mode one-per-pdu, set.order membership-first, port.index ifIndex", QBridgeSwitcher.settings(p));
        assertEquals(PortIndex.IF_INDEX, DeviceProfile.fromProperties(props("port.index", " IFINDEX ")).portIndex());
        assertEquals(SetMode.ONE_PER_PDU, DeviceProfile.fromProperties(props("style", "cisco-vmvlan",
                "set.mode", "One-Per-PDU")).setMode(), "every style can send one value per SET");
        assertEquals(SetOrder.PVID_FIRST, DeviceProfile.fromProperties(props("style", "pvid",
                "set.order", "pvid-first")).setOrder(), "the default may be written out for any style");
        assertTrue(p.withSets(SetMode.BATCH, SetOrder.PVID_FIRST).equals(
                DeviceProfile.fromProperties(props("style", "pvid+static", "port.index", "ifIndex"))));
    }

    @Test
    void theShippedExampleParses() throws Exception {
        java.util.Properties props = new java.util.Properties();
        try (var in = VendorProfilesTest.class.getResourceAsStream(
                "/etc-examples/net.sessionmigration.vlan.qbridge.device-sw7.cfg")) {
            props.load(in);
        }
        Map<String, Object> map = new HashMap<>();
        props.forEach((k, v) -> map.put(k.toString(), v));
        DeviceProfile p = DeviceProfile.fromProperties(map);
        assertEquals(Style.PVID_STATIC, p.style());
        assertEquals(SetMode.ONE_PER_PDU, p.setMode());
        assertEquals(SetOrder.MEMBERSHIP_FIRST, p.setOrder());
        assertEquals(PortIndex.IF_INDEX, p.portIndex());
        assertEquals(java.util.Optional.of(1002), p.basePort("ge-0/0/2"), "a port.map number, here an ifIndex");
    }

    @Test
    void badValuesNameTheDeviceAndTheSetting() {
        assertEquals("device sw1: set.mode 'single' is not batch or one-per-pdu",
                refused("set.mode", "single").getMessage());
        assertEquals("device sw1: set.order 'pvid-last' is not pvid-first or membership-first",
                refused("style", "pvid+static", "set.order", "pvid-last").getMessage());
        assertEquals("device sw1: port.index 'ifName' is not basePort or ifIndex",
                refused("port.index", "ifName").getMessage());
        IllegalArgumentException e = refused("style", "pvid", "set.order", "membership-first");
        assertEquals("device sw1: set.order membership-first needs style pvid+static (only its SETs hold the VLAN "
                + "PortLists), not pvid", e.getMessage());
        e = refused("style", "cisco-vmvlan", "set.order", "membership-first");
        assertTrue(e.getMessage().endsWith("not cisco-vmvlan"), e.getMessage());
        e = refused("max.varbinds", "1");
        assertTrue(e.getMessage().startsWith("device sw1: max.varbinds must be at least 2")
                && e.getMessage().contains("set.mode = one-per-pdu"), e.getMessage());
        e = refused("port.index", "ifIndex", "port.map", "ge-1:1001");
        assertTrue(e.getMessage().contains("PORTNAME=ifIndex") && e.getMessage().contains("port.index = ifIndex"),
                e.getMessage());
    }

    // ------------------------------------------------------------------ SET PDUs

    private static DeviceProfile profile(Style style, SetMode mode, SetOrder order) {
        return DeviceProfile.of("sw1", "192.0.2.1", DeviceProfile.Version.V2C, "c", style).withSets(mode, order);
    }

    private static VariableBinding list(OID oid, int octet) {
        return new VariableBinding(oid, new OctetString(new byte[] {(byte) octet}));
    }

    private static VariableBinding pvid(int port, int vlan) {
        return new VariableBinding(QBridgeMib.pvid(port), new UnsignedInteger32(vlan));
    }

    /** VLAN 1 has ports 1-8, VLAN 2 none. */
    private static final Map<Integer, PortList> FULL_1 = Map.of(1, PortList.of(new byte[] {(byte) 0xFF}), 2,
            PortList.empty(1));

    @Test
    void onePerPduPvidSendsEveryPortInASetOfItsOwn() {
        List<Planned> ports = PduBuildingTest.ports(3, 1, 2);
        List<SetPdu> pdus = QBridgeSwitcher.buildSetPlan(profile(Style.PVID, SetMode.ONE_PER_PDU, SetOrder.PVID_FIRST),
                ports, Map.of(), Map.of());
        assertEquals(List.of(List.of(pvid(1, 2)), List.of(pvid(2, 2)), List.of(pvid(3, 2))),
                pdus.stream().map(SetPdu::vbs).toList());
        assertEquals(ports, pdus.stream().map(SetPdu::port).toList(), "each PDU knows its port");
        List<List<VariableBinding>> cisco = QBridgeSwitcher.buildSetPdus(profile(Style.CISCO_VMVLAN, SetMode.ONE_PER_PDU,
                SetOrder.PVID_FIRST), PduBuildingTest.ciscoPorts(2, 1, 2), Map.of(), Map.of());
        assertEquals(List.of(List.of(new VariableBinding(new OID("1.3.6.1.4.1.9.9.68.1.2.2.1.2.10101"), new Integer32(2))),
                List.of(new VariableBinding(new OID("1.3.6.1.4.1.9.9.68.1.2.2.1.2.10102"), new Integer32(2)))), cisco);
        assertTrue(QBridgeSwitcher.buildSetPlan(profile(Style.PVID, SetMode.BATCH, SetOrder.PVID_FIRST), ports,
                Map.of(), Map.of()).stream().allMatch(p -> p.port() == null), "a batch PDU is about several ports");
    }

    @Test
    void onePerPduMembershipFirstJoinsThenSetsThePvidThenLeavesPortByPort() {
        List<List<VariableBinding>> pdus = QBridgeSwitcher.buildSetPdus(profile(Style.PVID_STATIC, SetMode.ONE_PER_PDU,
                SetOrder.MEMBERSHIP_FIRST), PduBuildingTest.ports(2, 1, 2), FULL_1, FULL_1);
        assertEquals(List.of(
                // port 1: into VLAN 2 (egress, then untagged), PVID, out of VLAN 1 (untagged, then egress)
                List.of(list(QBridgeMib.egress(2), 0x80)), List.of(list(QBridgeMib.untagged(2), 0x80)),
                List.of(pvid(1, 2)),
                List.of(list(QBridgeMib.untagged(1), 0x7F)), List.of(list(QBridgeMib.egress(1), 0x7F)),
                // port 2: the lists are cumulative
                List.of(list(QBridgeMib.egress(2), 0xC0)), List.of(list(QBridgeMib.untagged(2), 0xC0)),
                List.of(pvid(2, 2)),
                List.of(list(QBridgeMib.untagged(1), 0x3F)), List.of(list(QBridgeMib.egress(1), 0x3F))), pdus);
    }

    @Test
    void onePerPduPvidFirstSetsThePvidThenJoinsThenLeaves() {
        List<List<VariableBinding>> pdus = QBridgeSwitcher.buildSetPdus(profile(Style.PVID_STATIC, SetMode.ONE_PER_PDU,
                SetOrder.PVID_FIRST), PduBuildingTest.ports(1, 1, 2), FULL_1, FULL_1);
        assertEquals(List.of(List.of(pvid(1, 2)), List.of(list(QBridgeMib.egress(2), 0x80)),
                List.of(list(QBridgeMib.untagged(2), 0x80)), List.of(list(QBridgeMib.untagged(1), 0x7F)),
                List.of(list(QBridgeMib.egress(1), 0x7F))), pdus);
    }

    @Test
    void batchMembershipFirstPutsTheGainingVlansListsBeforeThePvidsAndTheLosingOnesAfter() {
        List<List<VariableBinding>> pdus = QBridgeSwitcher.buildSetPdus(profile(Style.PVID_STATIC, SetMode.BATCH,
                SetOrder.MEMBERSHIP_FIRST), PduBuildingTest.ports(2, 1, 2), FULL_1, FULL_1);
        assertEquals(List.of(List.of(list(QBridgeMib.egress(2), 0xC0), list(QBridgeMib.untagged(2), 0xC0),
                pvid(1, 2), pvid(2, 2), list(QBridgeMib.untagged(1), 0x3F), list(QBridgeMib.egress(1), 0x3F))), pdus);
        // pvid-first batch: exactly the PDU of 1.x (PduBuildingTest checks it varbind by varbind)
        assertEquals(QBridgeMib.pvid(1), QBridgeSwitcher.buildSetPdus(profile(Style.PVID_STATIC, SetMode.BATCH,
                SetOrder.PVID_FIRST), PduBuildingTest.ports(2, 1, 2), FULL_1, FULL_1).get(0).get(0).getOid());
    }

    @Test
    void aFailureInTheMiddleOfAPortsStepsSaysWhatWasSetAndWhatNot() {
        List<Planned> ports = PduBuildingTest.ports(2, 1, 2);
        List<SetPdu> pdus = QBridgeSwitcher.buildSetPlan(profile(Style.PVID_STATIC, SetMode.ONE_PER_PDU,
                SetOrder.MEMBERSHIP_FIRST), ports, FULL_1, FULL_1);
        PDU refusal = new PDU();
        refusal.setType(PDU.RESPONSE);
        refusal.setErrorStatus(PDU.inconsistentValue);
        refusal.setErrorIndex(1);
        SnmpFailure f = SnmpFailure.classify("sw1", "192.0.2.1:161", null, refusal,
                i -> QBridgeSwitcher.describe(pdus.get(7).vbs(), ports, i));
        // port 2's PVID (PDU 8) refused after it joined VLAN 2
        SnmpFailure half = QBridgeSwitcher.halfWay(f, pdus, 7, ports);
        assertTrue(half.getMessage().startsWith(f.getMessage() + "; port ge-2 (dot1dBasePort 2) stopped half-way"
                + " (set.mode one-per-pdu): set [egress ports of VLAN 2 +2, untagged ports of VLAN 2 +2], not set"
                + " [dot1qPvid.2 = 2, untagged ports of VLAN 1 −2, egress ports of VLAN 1 −2]"), half.getMessage());
        assertEquals(f.kind(), half.kind());
        assertEquals(f, QBridgeSwitcher.halfWay(f, pdus, 5, ports), "port 2's first step: nothing half-way");
    }

    // ------------------------------------------------------------------ port.index = ifIndex

    private static PortMove move(String port) {
        return new PortMove("u-" + port, new AccessPort("sw1", port), VlanId.of(1), VlanId.of(2));
    }

    private static CiscoVmVlanTest.FakeSwitch bridge(DeviceProfile p, int... ifIndexOfBase) {
        CiscoVmVlanTest.FakeSwitch sw = new CiscoVmVlanTest.FakeSwitch(p);
        for (int base = 1; base <= ifIndexOfBase.length; base++) {
            sw.values.put(new OID(BridgePorts.DOT1D_BASE_PORT_IFINDEX).append(base), new Integer32(ifIndexOfBase[base - 1]));
        }
        // the next column (dot1dBasePortCircuit), so the walk must notice it left its own
        sw.values.put(new OID("1.3.6.1.2.1.17.1.4.1.3.1"), new OID("0.0"));
        return sw;
    }

    @Test
    void ifIndexesAreMappedToBridgePortsByOneWalkPerSession() throws Exception {
        DeviceProfile p = DeviceProfile.of("sw1", "192.0.2.1", DeviceProfile.Version.V3, "ops", Style.PVID_STATIC)
                .withPortIndex(PortIndex.IF_INDEX).withPortMap(Map.of("ge-0/0/1", 1003)).withMaxVarbinds(2);
        // base ports 1..5 are ifIndex 1001..1005: ifIndex 1003 is base port 3, the plan's "1005" is base port 5
        CiscoVmVlanTest.FakeSwitch sw = bridge(p, 1001, 1002, 1003, 1004, 1005);
        StyleOps st = StyleOps.of(p.style());
        List<Planned> placed = List.of(st.place(p, move("ge-0/0/1")).orElseThrow(), st.place(p, move("1005")).orElseThrow());
        assertEquals(List.of(new Planned(move("ge-0/0/1"), 0, 1003), new Planned(move("1005"), 0, 1005)), placed);
        assertTrue(!st.complete(placed), "the bridge ports are not known yet");
        CiscoVmVlanTest.Operations ops = new CiscoVmVlanTest.Operations();
        List<Planned> resolved = st.resolve(sw, placed, ops);
        assertEquals(List.of(3, 5), resolved.stream().map(Planned::basePort).toList());
        assertTrue(st.complete(resolved));
        assertEquals(new OID("1.3.6.1.2.1.17.7.1.4.5.1.1.3"), st.oid(resolved.get(0)), "dot1qPvid.<dot1dBasePort>");
        assertEquals("port ge-0/0/1 (dot1dBasePort 3, ifIndex 1003)", resolved.get(0).label());
        assertEquals("port 1005 (dot1dBasePort 5)", resolved.get(1).label());
        assertEquals(3, sw.bulks.size(), "5 rows, 2 a GETBULK (max.varbinds): 3 requests");
        assertTrue(ops.log.get(0).contains("GETBULK dot1dBasePortIfIndex from the start ×2"), ops.log::toString);
        assertTrue(sw.gets.isEmpty() && sw.sets.isEmpty());
        // again in the same session: from the cache, no packet
        assertEquals(resolved, st.resolve(sw, List.of(st.place(p, move("ge-0/0/1")).orElseThrow(),
                st.place(p, move("1005")).orElseThrow()), null));
        assertEquals(3, sw.bulks.size());
        assertTrue(sw.bridgePorts().walked());
        assertEquals(1004, sw.bridgePorts().ifIndex(4), "the cache serves cisco-vmvlan's direction too");
    }

    @Test
    void anIfIndexWithoutBridgePortIsNamedBeforeAnythingIsSet() {
        DeviceProfile p = DeviceProfile.of("sw1", "192.0.2.1", DeviceProfile.Version.V3, "ops", Style.PVID)
                .withPortIndex(PortIndex.IF_INDEX).withPortMap(Map.of("ge-0/0/9", 1009));
        CiscoVmVlanTest.FakeSwitch sw = bridge(p, 1001, 1002);
        SnmpFailure f = assertThrows(SnmpFailure.class, () -> StyleOps.QBRIDGE.resolve(sw,
                List.of(StyleOps.QBRIDGE.place(p, move("ge-0/0/9")).orElseThrow()), null));
        assertEquals(SnmpFailure.Kind.NO_SUCH_NAME, f.kind());
        assertEquals("sw1 (192.0.2.1:161): port ge-0/0/9 (ifIndex 1009): ifIndex 1009 is no bridge port of the switch"
                + " (dot1dBasePortIfIndex lists 2 port(s), ifIndex [1001, 1002]) — port.index = ifIndex says the port.map"
                + " numbers (or the plan's port numbers) are ifIndexes: check port.map ge-0/0/9=<ifIndex>, or use"
                + " port.index = basePort if they are dot1dBasePorts", f.getMessage());
        assertTrue(sw.sets.isEmpty());
    }

    @Test
    void withoutIfIndexNothingIsRead() throws Exception {
        DeviceProfile p = DeviceProfile.of("sw1", "192.0.2.1", DeviceProfile.Version.V3, "ops", Style.PVID);
        CiscoVmVlanTest.FakeSwitch sw = bridge(p, 1001);
        Planned placed = StyleOps.QBRIDGE.place(p, move("1")).orElseThrow();
        assertEquals(new Planned(move("1"), 1), placed, "port.index basePort: the number is the bridge port");
        assertEquals(List.of(placed), StyleOps.QBRIDGE.resolve(sw, List.of(placed), null));
        assertTrue(sw.bulks.isEmpty() && sw.gets.isEmpty(), "no packet");
    }

    @Test
    void ciscoWithIfIndexTakesAPlainNumberAsTheIfIndex() {
        DeviceProfile p = DeviceProfile.of("c1", "192.0.2.9", DeviceProfile.Version.V3, "ops", Style.CISCO_VMVLAN)
                .withPortIndex(PortIndex.IF_INDEX);
        Planned placed = CiscoVmVlan.STYLE.place(p, move("10103")).orElseThrow();
        assertEquals(10103, placed.ifIndex());
        assertEquals(0, placed.basePort());
        assertTrue(CiscoVmVlan.STYLE.complete(List.of(placed)), "no BRIDGE-MIB read needed");
        assertNull(new BridgePorts().ifIndex(1));
    }
}

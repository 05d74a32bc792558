package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.VlanId;

class PduBuildingTest {

    static List<QBridgeSwitcher.Planned> ports(int n, int from, int to) {
        List<QBridgeSwitcher.Planned> out = new ArrayList<>();
        for (int p = 1; p <= n; p++) {
            out.add(new QBridgeSwitcher.Planned(new PortMove("u" + p, new AccessPort("sw1", "ge-" + p),
                    VlanId.of(from), VlanId.of(to)), p));
        }
        return out;
    }

    static DeviceProfile profile(DeviceProfile.Style style, int max) {
        return DeviceProfile.of("sw1", "192.0.2.1", DeviceProfile.Version.V2C, "c", style).withMaxVarbinds(max);
    }

    @Test
    void pvidStyleIsOneGauge32PerPortSplitAtMaxVarbinds() {
        List<List<VariableBinding>> pdus = QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.PVID, 5),
                ports(12, 1, 2), Map.of(), Map.of());
        assertEquals(List.of(5, 5, 2), pdus.stream().map(List::size).toList());
        VariableBinding first = pdus.get(0).get(0);
        assertEquals(new OID("1.3.6.1.2.1.17.7.1.4.5.1.1.1"), first.getOid());
        assertTrue(first.getVariable() instanceof UnsignedInteger32, "dot1qPvid is Unsigned32 (Gauge32 on the wire)");
        assertEquals(2, first.getVariable().toInt());
        assertEquals(new OID("1.3.6.1.2.1.17.7.1.4.5.1.1.12"), pdus.get(2).get(1).getOid());
    }

    @Test
    void allPortsOfASwitchFitInOnePdu() {
        assertEquals(1, QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.PVID, 60), ports(50, 1, 2),
                Map.of(), Map.of()).size());
    }

    @Test
    void pvidStaticRewritesBothVlansFullPortListsInTheSamePdu() {
        // VLAN 1 has ports 1-8, VLAN 2 none; move ports 1 and 2
        Map<Integer, PortList> egress = Map.of(1, PortList.of(new byte[] {(byte) 0xFF}), 2, PortList.empty(1));
        Map<Integer, PortList> untagged = Map.of(1, PortList.of(new byte[] {(byte) 0xFF}), 2, PortList.empty(1));
        List<List<VariableBinding>> pdus = QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.PVID_STATIC, 60),
                ports(2, 1, 2), egress, untagged);
        assertEquals(1, pdus.size());
        List<VariableBinding> vbs = pdus.get(0);
        assertEquals(6, vbs.size(), "2 PVIDs + egress and untagged of VLAN 1 and 2");
        assertEquals(QBridgeMib.pvid(1), vbs.get(0).getOid(), "PVIDs first");
        assertEquals(QBridgeMib.pvid(2), vbs.get(1).getOid());
        assertEquals(QBridgeMib.egress(1), vbs.get(2).getOid());
        assertEquals(new OctetString(new byte[] {0x3F}), vbs.get(2).getVariable(), "VLAN 1 keeps ports 3-8");
        assertEquals(QBridgeMib.untagged(1), vbs.get(3).getOid());
        assertEquals(QBridgeMib.egress(2), vbs.get(4).getOid());
        assertEquals(new OctetString(new byte[] {(byte) 0xC0}), vbs.get(4).getVariable(), "VLAN 2 gains 1 and 2");
        assertEquals(new OctetString(new byte[] {(byte) 0xC0}), vbs.get(5).getVariable());
    }

    @Test
    void pvidStaticChunksCarryTheirOwnPortListsAndStayWithinMax() {
        Map<Integer, PortList> egress = Map.of(1, PortList.of(new byte[] {(byte) 0xFF, (byte) 0xFF}), 2,
                PortList.empty(2));
        List<List<VariableBinding>> pdus = QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.PVID_STATIC, 8),
                ports(10, 1, 2), egress, egress);
        assertEquals(List.of(8, 8, 6), pdus.stream().map(List::size).toList(), "4 PVIDs + 4 PortLists per PDU");
        // the last PDU's VLAN 2 list holds every port moved so far (cumulative read-modify-write)
        VariableBinding lastEgress2 = pdus.get(2).stream().filter(v -> v.getOid().equals(QBridgeMib.egress(2)))
                .findFirst().orElseThrow();
        assertEquals(new OctetString(new byte[] {(byte) 0xFF, (byte) 0xC0}), lastEgress2.getVariable());
    }

    /** Cisco ports by ifIndex, as a 2960-X numbers them: GigabitEthernet1/0/N = ifIndex 10100 + N. */
    static List<QBridgeSwitcher.Planned> ciscoPorts(int n, int from, int to) {
        List<QBridgeSwitcher.Planned> out = new ArrayList<>();
        for (int p = 1; p <= n; p++) {
            out.add(new QBridgeSwitcher.Planned(new PortMove("u" + p, new AccessPort("sw1", "Gi1/0/" + p),
                    VlanId.of(from), VlanId.of(to)), 0, 10100 + p));
        }
        return out;
    }

    @Test
    void ciscoStyleIsOneIntegerVmVlanPerIfIndexSplitAtMaxVarbinds() {
        List<List<VariableBinding>> pdus = QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.CISCO_VMVLAN, 5),
                ciscoPorts(12, 1, 2), Map.of(), Map.of());
        assertEquals(List.of(5, 5, 2), pdus.stream().map(List::size).toList());
        VariableBinding first = pdus.get(0).get(0);
        // CISCO-VLAN-MEMBERSHIP-MIB vmVlan.<ifIndex>; a real 2960-X walk: ...68.1.2.2.1.2.10101 = INTEGER: 525
        assertEquals(new OID("1.3.6.1.4.1.9.9.68.1.2.2.1.2.10101"), first.getOid());
        assertEquals(Integer32.class, first.getVariable().getClass(), "vmVlan is INTEGER, not Gauge32");
        assertEquals(2, first.getVariable().toInt());
        assertEquals(new OID("1.3.6.1.4.1.9.9.68.1.2.2.1.2.10112"), pdus.get(2).get(1).getOid());
        assertEquals(1, QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.CISCO_VMVLAN, 60), ciscoPorts(48, 1, 2),
                Map.of(), Map.of()).size(), "a 48-port switch in one SET");
    }

    @Test
    void ciscoErrorIndexMapsBackToThePortNameAndIfIndex() {
        List<QBridgeSwitcher.Planned> ports = ciscoPorts(3, 1, 2);
        List<VariableBinding> vbs = QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.CISCO_VMVLAN, 60), ports,
                Map.of(), Map.of()).get(0);
        assertEquals("port Gi1/0/2 (ifIndex 10102) (vmVlan.10102 = 2)", QBridgeSwitcher.describe(vbs, ports, 2));
        assertEquals(ports.get(2), QBridgeSwitcher.portOf(vbs.get(2), ports).orElseThrow());
        // a dot1qPvid with the same number is another object: not this port
        assertFalse(QBridgeSwitcher.portOf(new VariableBinding(QBridgeMib.pvid(10102)), ports).isPresent());
        SnmpFailure f = SnmpFailure.classify("sw1", "192.0.2.1:161", null, wrongValueAt(2),
                i -> QBridgeSwitcher.describe(vbs, ports, i));
        assertEquals("sw1 (192.0.2.1:161): port Gi1/0/2 (ifIndex 10102) (vmVlan.10102 = 2): wrongValue — the VLAN "
                + "does not exist on the switch", f.getMessage());
    }

    @Test
    void ciscoLabelsSayWhereTheIfIndexCameFrom() {
        PortMove m3 = new PortMove("u", new AccessPort("sw1", "3"), VlanId.of(1), VlanId.of(2));
        PortMove gi = new PortMove("u", new AccessPort("sw1", "Gi1/0/3"), VlanId.of(1), VlanId.of(2));
        assertEquals("port 3 (ifIndex 10103)", new QBridgeSwitcher.Planned(m3, 3, 10103).label());
        assertEquals("port Gi1/0/3 (dot1dBasePort 3, ifIndex 10103)", new QBridgeSwitcher.Planned(gi, 3, 10103).label());
        assertEquals("port Gi1/0/3 (ifIndex 10103)", new QBridgeSwitcher.Planned(gi, 0, 10103).label());
        assertEquals("port Gi1/0/3 (dot1dBasePort 3)", new QBridgeSwitcher.Planned(gi, 3).label(), "Q-BRIDGE unchanged");
    }

    private static org.snmp4j.PDU wrongValueAt(int index) {
        org.snmp4j.PDU pdu = new org.snmp4j.PDU();
        pdu.setType(org.snmp4j.PDU.RESPONSE);
        pdu.setErrorStatus(org.snmp4j.PDU.wrongValue);
        pdu.setErrorIndex(index);
        return pdu;
    }

    @Test
    void errorIndexMapsBackToThePlansPortName() {
        List<QBridgeSwitcher.Planned> ports = ports(3, 1, 2);
        List<VariableBinding> vbs = QBridgeSwitcher.buildSetPdus(profile(DeviceProfile.Style.PVID_STATIC, 60), ports,
                Map.of(1, PortList.empty(1), 2, PortList.empty(1)), Map.of(1, PortList.empty(1), 2, PortList.empty(1)))
                .get(0);
        assertEquals("port ge-2 (dot1dBasePort 2) (dot1qPvid.2 = 2)", QBridgeSwitcher.describe(vbs, ports, 2));
        assertTrue(QBridgeSwitcher.describe(vbs, ports, 4).startsWith("dot1qVlanStaticEgressPorts.1"));
        assertFalse(QBridgeSwitcher.portOf(vbs.get(3), ports).isPresent());
        assertEquals("varbind 99", QBridgeSwitcher.describe(vbs, ports, 99));
    }
}

package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
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

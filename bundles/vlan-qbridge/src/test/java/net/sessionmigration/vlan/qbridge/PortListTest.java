package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PortListTest {

    @Test
    void portOneIsTheMostSignificantBitOfTheFirstOctet() {
        assertArrayEquals(new byte[] {(byte) 0x80}, PortList.ofPorts(1, List.of(1)).octets());
        assertArrayEquals(new byte[] {0x01}, PortList.ofPorts(1, List.of(8)).octets());
        assertArrayEquals(new byte[] {0x00, (byte) 0x80}, PortList.ofPorts(2, List.of(9)).octets());
        assertArrayEquals(new byte[] {(byte) 0xA0, 0x01}, PortList.ofPorts(2, List.of(1, 3, 16)).octets());
    }

    @Test
    void parsesWhatTheLabSwitchAnswers() {
        // snmpwalk of the lab: EgressPorts.1 = BF (ports 1,3..8), EgressPorts.2 = 40 (port 2)
        assertEquals(Set.of(1, 3, 4, 5, 6, 7, 8), PortList.of(new byte[] {(byte) 0xBF}).ports());
        assertEquals(Set.of(2), PortList.of(new byte[] {0x40}).ports());
    }

    @Test
    void withAndWithoutKeepTheLengthAndGrowOnlyWhenNeeded() {
        PortList l = PortList.empty(4);
        PortList one = l.with(50);
        assertEquals(7, one.octets().length, "port 50 needs 7 octets");
        assertTrue(one.contains(50));
        assertEquals(4, l.with(3).octets().length);
        assertFalse(l.with(3).without(3).contains(3));
        assertEquals(l, l.with(3).without(3));
        assertEquals(l, l.without(100), "removing a port past the end changes nothing");
        assertFalse(l.contains(200));
    }

    @Test
    void fiftyPortsOfALabSwitch() {
        PortList all = PortList.empty(7);
        for (int p = 1; p <= 50; p++) {
            all = all.with(p);
        }
        byte[] o = all.octets();
        for (int i = 0; i < 6; i++) {
            assertEquals((byte) 0xFF, o[i]);
        }
        assertEquals((byte) 0xC0, o[6]);
        assertEquals(50, all.ports().size());
    }

    @Test
    void portZeroIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PortList.empty(1).with(0));
    }
}

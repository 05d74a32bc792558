package org.example.vlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.VlanId;

/** What the kit does not cover: configuration, refusals and the device file. */
class ExampleVlanDriverTest {
    @TempDir
    Path dir;

    @Test
    void aBadDevicesSettingIsRefusedNamingTheField() {
        for (String bad : List.of("", "sw9", "sw9=", "sw9=relative/sw9.vlans", "-sw9=/x", "sw9=/a, sw9=/b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ExampleVlanDriver().configure(bad), "devices = " + bad);
            assertTrue(e.getMessage().startsWith("devices: "), "the message names the field: " + e.getMessage());
        }
        assertEquals(Path.of("/var/lib/example/sw9.vlans"),
                ExampleVlanDriver.parseDevices(" sw9 = /var/lib/example/sw9.vlans ").get("sw9"));
    }

    @Test
    void aMoveRefusesAPortNotOnItsFromVlanAndWritesNothing() throws IOException {
        Path file = dir.resolve("sw9.vlans");
        Files.writeString(file, "vlans = 10, 20, 30\nport.1 = 10\nport.2 = 30\n");
        ExampleVlanDriver driver = driverFor("sw9", file);

        List<PortMove> moves = List.of(move("sw9", "1"), move("sw9", "2"));
        Problem p = driver.move(moves, DriverContext.detached("t")).failure().orElseThrow();

        assertEquals("sw9", p.device());
        assertTrue(p.cause().contains("port 2 (user u2) is on VLAN 30, the plan expects VLAN 10"), p.cause());
        assertEquals("vlans = 10, 20, 30\nport.1 = 10\nport.2 = 30\n", Files.readString(file), "nothing written");
    }

    @Test
    void anUnconfiguredDeviceFailsNamingTheDeviceAndTheSetting() throws IOException {
        ExampleVlanDriver driver = driverFor("sw9", dir.resolve("sw9.vlans"));

        Problem p = driver.readVlans(List.of(new AccessPort("sw8", "1"))).failure().orElseThrow();

        assertEquals("sw8", p.device());
        assertTrue(p.cause().contains("add sw8=/path/to/its.vlans to 'devices' in org.example.vlan.cfg"), p.cause());
    }

    @Test
    void aBrokenTableFailsNamingTheFileAndTheLine() throws IOException {
        Path file = dir.resolve("sw9.vlans");
        Files.writeString(file, "vlans = 10, 20\nport.1 = ten\n");

        Problem p = driverFor("sw9", file).readVlans(List.of(new AccessPort("sw9", "1"))).failure().orElseThrow();

        assertTrue(p.cause().contains(file + " line 2 'port.1 = ten': 'ten' is not a VLAN number"), p.cause());
    }

    private static ExampleVlanDriver driverFor(String device, Path file) {
        ExampleVlanDriver driver = new ExampleVlanDriver();
        driver.configure(device + "=" + file);
        return driver;
    }

    private static PortMove move(String device, String port) {
        return new PortMove("u" + port, new AccessPort(device, port), VlanId.of(10), VlanId.of(20));
    }
}

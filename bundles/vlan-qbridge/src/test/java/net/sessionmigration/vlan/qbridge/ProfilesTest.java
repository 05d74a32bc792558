package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.VlanId;

class ProfilesTest {

    @Test
    void deviceFromConfigAdminProperties() {
        DeviceProfile p = DeviceProfile.fromProperties(Map.of("name", "sw1", "address", "10.99.1.1", "version", "v3",
                "credential", "ops", "timeout.millis", "250", "retries", 2, "max.varbinds", "40", "style", "pvid+static",
                "port.map", "ge-0/0/1=1, ge-0/0/2=2"));
        assertEquals(DeviceProfile.Version.V3, p.version());
        assertEquals(Duration.ofMillis(250), p.timeout());
        assertEquals(2, p.retries());
        assertEquals(40, p.maxVarbinds());
        assertEquals(DeviceProfile.Style.PVID_STATIC, p.style());
        assertEquals(Optional.of(2), p.basePort("ge-0/0/2"));
        assertEquals(Optional.of(7), p.basePort("7"), "without a mapping the name is the number");
        assertEquals(Optional.empty(), p.basePort("ge-0/0/9"));
        assertEquals(161, p.port());
    }

    @Test
    void ciscoStyleWithSaveConfigAndIfIndexPortMap() {
        DeviceProfile p = DeviceProfile.fromProperties(Map.of("name", "c2960", "address", "10.99.2.1", "credential", "ops",
                "style", "cisco-vmvlan", "saveConfig", "true", "port.map", "Gi1/0/1=10101, Gi1/0/2=10102"));
        assertEquals(DeviceProfile.Style.CISCO_VMVLAN, p.style());
        assertEquals("cisco-vmvlan", p.style().toString());
        assertTrue(p.saveConfig());
        assertEquals(Optional.of(10102), p.basePort("Gi1/0/2"), "a port.map number, here an ifIndex");
        DeviceProfile q = DeviceProfile.fromProperties(Map.of("name", "c", "address", "a", "credential", "c",
                "style", "cisco-vmvlan"));
        assertFalse(q.saveConfig(), "saveConfig is off unless asked for");
        assertTrue(DeviceProfile.fromProperties(Map.of("name", "c", "address", "a", "credential", "c",
                "style", "cisco-vmvlan", "saveConfig", Boolean.TRUE)).saveConfig(), "metatype hands a Boolean");
        assertFalse(DeviceProfile.fromProperties(Map.of("name", "c", "address", "a", "credential", "c",
                "style", "cisco-vmvlan", "saveConfig", " False ")).saveConfig());
        assertEquals(q.withSaveConfig(true), q.withSaveConfig(true));
        assertFalse(q.withSaveConfig(true).equals(q), "a changed saveConfig makes a new session");
    }

    @Test
    void theShippedCiscoExampleParses() throws Exception {
        java.util.Properties props = new java.util.Properties();
        try (var in = ProfilesTest.class.getResourceAsStream("/etc-examples/net.sessionmigration.vlan.qbridge.device-c2960.cfg")) {
            props.load(in);
        }
        Map<String, Object> map = new java.util.HashMap<>();
        props.forEach((k, v) -> map.put(k.toString(), v));
        DeviceProfile p = DeviceProfile.fromProperties(map);
        assertEquals(DeviceProfile.Style.CISCO_VMVLAN, p.style());
        assertTrue(p.saveConfig());
        assertEquals(Optional.of(10101), p.basePort("Gi1/0/1"));
    }

    @Test
    void saveConfigIsOnlyForCiscoAndOnlyTrueOrFalse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceProfile.fromProperties(
                Map.of("name", "sw1", "address", "a", "credential", "c", "style", "pvid", "saveConfig", "true")));
        assertTrue(e.getMessage().contains("device sw1: saveConfig needs style cisco-vmvlan"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeviceProfile.fromProperties(Map.of("name", "sw1",
                "address", "a", "credential", "c", "style", "cisco-vmvlan", "saveConfig", "yes")));
        assertTrue(e.getMessage().contains("saveConfig 'yes' is not true or false"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeviceProfile.fromProperties(Map.of("name", "sw1",
                "address", "a", "credential", "c", "style", "cisco")));
        assertTrue(e.getMessage().contains("is not pvid, pvid+static or cisco-vmvlan"), e.getMessage());
    }

    @Test
    void badDeviceConfigNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceProfile.fromProperties(
                Map.of("name", "sw1", "address", "10.99.1.1", "credential", "c", "style", "vlan")));
        assertTrue(e.getMessage().contains("style 'vlan'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeviceProfile.fromProperties(
                Map.of("name", "sw1", "address", "10.99.1.1")));
        assertTrue(e.getMessage().contains("credential"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DeviceProfile.fromProperties(
                Map.of("name", "sw1", "address", "a", "credential", "c", "port.map", "ge1:1")));
        assertTrue(e.getMessage().contains("port.map"), e.getMessage());
    }

    @Test
    void credentialsParseProtocolsAndNeverShowSecrets() {
        SnmpCredential c = SnmpCredential.fromProperties(Map.of("name", "ops", "user", "lab-sha256-aes256",
                "auth.protocol", "SHA-256", "auth.passphrase", "s3cret-auth", "priv.protocol", "AES-256",
                "priv.passphrase", "s3cret-priv"));
        assertEquals(SnmpCredential.AuthProtocol.SHA256, c.auth());
        assertEquals(SnmpCredential.PrivProtocol.AES256, c.priv());
        assertEquals("authPriv", c.securityLevel());
        assertFalse(c.toString().contains("s3cret"), c.toString());
        SnmpCredential v2 = SnmpCredential.fromProperties(Map.of("name", "ro", "community", "public-s3cret"));
        assertFalse(v2.toString().contains("s3cret"), v2.toString());
        assertEquals(SnmpCredential.AuthProtocol.SHA, SnmpCredential.AuthProtocol.parse("sha1"));
        assertEquals(SnmpCredential.PrivProtocol.AES128, SnmpCredential.PrivProtocol.parse("AES"));
        assertThrows(IllegalArgumentException.class, () -> SnmpCredential.fromProperties(Map.of("name", "x",
                "user", "u", "auth.protocol", "SHA", "auth.passphrase", "short")));
        assertThrows(IllegalArgumentException.class, () -> SnmpCredential.fromProperties(Map.of("name", "x")));
    }

    @Test
    void aV3UserWithoutProtocolsIsAuthPrivAndALowerLevelMustBeAskedFor() {
        SnmpCredential c = SnmpCredential.fromProperties(Map.of("name", "ops", "user", "u",
                "auth.passphrase", "s3cret-auth", "priv.passphrase", "s3cret-priv"));
        assertEquals("authPriv", c.securityLevel());
        assertEquals(SnmpCredential.AuthProtocol.SHA256, c.auth());
        assertEquals(SnmpCredential.PrivProtocol.AES256, c.priv());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SnmpCredential.fromProperties(Map.of("name", "ops", "user", "u")));
        assertTrue(e.getMessage().contains("auth.passphrase"), e.getMessage());
        SnmpCredential none = SnmpCredential.fromProperties(Map.of("name", "lab", "user", "u",
                "auth.protocol", "none", "priv.protocol", "none"));
        assertEquals("noAuthNoPriv", none.securityLevel());
        assertEquals("community", SnmpCredential.fromProperties(Map.of("name", "ro", "community", "c")).securityLevel());
    }

    @Test
    void protocolSetIsExplicitWithSha1AndDesOnlyWhenAsked() {
        SnmpCredential sha = SnmpCredential.user("a", "u", SnmpCredential.AuthProtocol.SHA, "12345678",
                SnmpCredential.PrivProtocol.AES128, "12345678");
        var protocols = SwitchSession.protocolsFor(sha);
        assertTrue(protocols.getAuthenticationProtocol(SwitchSession.authOid(SnmpCredential.AuthProtocol.SHA)) != null);
        assertTrue(protocols.getPrivacyProtocol(SwitchSession.privOid(SnmpCredential.PrivProtocol.DES)) == null);
        SnmpCredential des = SnmpCredential.user("b", "u", SnmpCredential.AuthProtocol.MD5, "12345678",
                SnmpCredential.PrivProtocol.DES, "12345678");
        assertTrue(SwitchSession.protocolsFor(des).getPrivacyProtocol(SwitchSession.privOid(SnmpCredential.PrivProtocol.DES)) != null);
    }

    @Test
    void unknownDeviceOrPortFailsBeforeAnyPacket() {
        QBridgeSwitcher s = new QBridgeSwitcher(QBridgeLabIT.profiles(
                Map.of("sw1", DeviceProfile.of("sw1", "192.0.2.1", DeviceProfile.Version.V2C, "missing",
                        DeviceProfile.Style.PVID)), Map.of()));
        try (s) {
            Problem p = s.move(List.of(new PortMove("u", new AccessPort("sw9", "1"), VlanId.of(1), VlanId.of(2))),
                    DriverContext.detached("t")).failure().orElseThrow();
            assertEquals("sw9", p.device());
            assertTrue(p.cause().contains("net.sessionmigration.vlan.qbridge.device"), p.cause());
            p = s.move(List.of(new PortMove("u", new AccessPort("sw1", "1"), VlanId.of(1), VlanId.of(2))),
                    DriverContext.detached("t")).failure().orElseThrow();
            assertTrue(p.cause().contains("credential missing"), p.cause());
            assertFalse(s.preflight(List.of(new PortMove("u", new AccessPort("sw9", "x"), VlanId.of(1),
                    VlanId.of(2)))).orElseThrow().go());
        }
    }
}

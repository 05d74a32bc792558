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

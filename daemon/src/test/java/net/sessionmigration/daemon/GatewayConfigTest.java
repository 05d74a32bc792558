package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
    @TempDir
    Path dir;

    @Test
    void bridgeNamePatternBothWays() {
        GatewayConfig c = new GatewayConfig(null, null, null);
        assertEquals("bridge-per-vlan", c.mode());
        assertEquals("br-v2", c.bridgeOf(2));
        assertEquals(OptionalInt.of(2), c.vlanOfBridge("br-v2"));
        assertEquals(OptionalInt.of(4094), c.vlanOfBridge("br-v4094"));
        assertEquals(OptionalInt.empty(), c.vlanOfBridge("br-v4095"));
        assertEquals(OptionalInt.empty(), c.vlanOfBridge("br-v02"));
        assertEquals(OptionalInt.empty(), c.vlanOfBridge("sm-ctl"));
        GatewayConfig other = new GatewayConfig("bridge-per-vlan", "vlan{vlan}.br", null);
        assertEquals(OptionalInt.of(30), other.vlanOfBridge("vlan30.br"));
        assertEquals(OptionalInt.empty(), other.vlanOfBridge("vlan30xbr"));
    }

    @Test
    void badGatewaySectionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GatewayConfig("ovs", null, null));
        assertThrows(IllegalArgumentException.class, () -> new GatewayConfig(null, "br-v", null));
        assertThrows(IllegalArgumentException.class, () -> new GatewayConfig(null, "{vlan}{vlan}", null));
        assertThrows(IllegalArgumentException.class, () -> new GatewayConfig(null, "a-very-long-bridge-{vlan}", null));
        assertThrows(IllegalArgumentException.class, () -> new GatewayConfig("vlan-filtering", null, null));
        assertEquals("br0", new GatewayConfig("vlan-filtering", null, "br0").bridge());
    }

    @Test
    void configFilesWithAndWithoutTheGatewayRole() throws IOException {
        String tls = "\"tls\": {\"keystore\": \"k\", \"keystorePasswordFile\": \"p\", \"truststore\": \"t\", "
                + "\"truststorePasswordFile\": \"p\"}";
        Path plain = dir.resolve("srv.json");
        Files.writeString(plain, "{\"name\": \"main-srv\", \"listenAddress\": \"0.0.0.0\", \"listenPort\": 7443, " + tls + "}");
        assertNull(DaemonConfig.load(plain).gateway());
        Path gw = dir.resolve("gw.json");
        Files.writeString(gw, "{\"name\": \"gw\", \"listenAddress\": \"0.0.0.0\", \"listenPort\": 7443, " + tls
                + ", \"gateway\": {\"mode\": \"bridge-per-vlan\", \"vlanBridge\": \"br-v{vlan}\"}}");
        assertEquals("br-v{vlan}", DaemonConfig.load(gw).gateway().vlanBridge());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"name\": \"gw\", \"listenAddress\": \"0.0.0.0\", \"listenPort\": 7443, " + tls
                + ", \"gateway\": {\"bridges\": \"x\"}}");
        IOException e = assertThrows(IOException.class, () -> DaemonConfig.load(bad));
        assertTrue(e.getMessage().contains("bridges"), e.getMessage());
    }
}

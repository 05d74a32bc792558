package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.VlanId;

/** A switch that never answers (a silent UDP socket on loopback): every operation says so, naming it. */
class SilentAgentTest {

    @Test
    void everyOperationReportsNoAnswerNamingTheSwitch() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DeviceProfile p = new DeviceProfile("sw-silent", "127.0.0.1", silent.getLocalPort(), DeviceProfile.Version.V2C,
                    "c", Duration.ofMillis(100), 0, 60, DeviceProfile.Style.PVID, Map.of());
            SnmpCredential c = SnmpCredential.community("c", "not-a-secret-but-hidden");
            try (QBridgeSwitcher s = new QBridgeSwitcher(QBridgeLabIT.profiles(Map.of("sw-silent", p), Map.of("c", c)))) {
                List<PortMove> moves = List.of(new PortMove("u1", new AccessPort("sw-silent", "1"), VlanId.of(1), VlanId.of(2)));
                Problem read = s.readVlans(List.of(new AccessPort("sw-silent", "1"))).failure().orElseThrow();
                assertEquals("sw-silent", read.device());
                assertTrue(read.cause().contains("timeout: no answer — check address, community or privacy password"),
                        read.cause());
                Problem moved = s.move(moves, DriverContext.detached("t")).failure().orElseThrow();
                assertTrue(moved.cause().startsWith("sw-silent (127.0.0.1:"), moved.cause());
                // the ports are read just before the SET: unanswered, so no SET was sent and nothing moved
                assertTrue(moved.cause().endsWith("; no port moved"), moved.cause());
                assertFalse(moved.toString().contains("not-a-secret"));
                Preflight pre = s.preflight(moves).orElseThrow();
                assertFalse(pre.go());
                assertTrue(pre.problems().get(0).cause().contains("no answer"), pre.toString());
                // the driver keeps nothing from the move: the restore must read the switch, which does not
                // answer, so the ports cannot be confirmed and the coordinator is told to try again
                for (int attempt = 1; attempt <= 2; attempt++) {
                    Problem restored = s.restore(moves, DriverContext.detached("t")).failure().orElseThrow();
                    assertEquals("sw-silent", restored.device());
                    assertTrue(restored.cause().contains("no answer") && restored.cause().contains("not put back: [sw-silent/1]"),
                            restored.cause());
                    assertFalse(restored.toString().contains("not-a-secret"));
                }
            }
        }
    }
}

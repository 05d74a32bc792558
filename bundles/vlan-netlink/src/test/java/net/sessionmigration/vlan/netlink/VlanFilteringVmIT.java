package net.sessionmigration.vlan.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import net.sessionmigration.driverkit.RecordingContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * The gateway role's {@code vlan-filtering} mode on a real kernel (issue #19 item 6): this host's
 * kernel has no CONFIG_BRIDGE_VLAN_FILTERING, so the gateway is a VM ({@link GatewayVm}: Debian's
 * 6.1 kernel under QEMU TCG) running the real daemon jar with {@code "gateway": {"mode":
 * "vlan-filtering", "bridge": "br0"}}, and the real driver ({@link NetlinkGatewaySwitcher}) drives
 * it over mutual TLS, as {@link GatewayLabIT} does for {@code bridge-per-vlan} on the lab.
 * <p>
 * The guest's gateway: a VLAN-aware bridge br0 with three access ports p1-p3 (veth; the far end of
 * each in a namespace u1-u3, 10.9.0.1-3/24) on VLAN 1 (PVID, untagged) and an uplink up1 that
 * carries VLANs 2 and 3, so they exist. Every result is checked three ways: the driver's own read
 * back, the guest kernel's view ({@code bridge -j vlan show}, iproute2's own reading, not the
 * daemon's), and the frames themselves (ping between the users' namespaces: same VLAN answers,
 * another VLAN does not).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VlanFilteringVmIT {
    private static final VlanId V1 = VlanId.of(1);
    private static final VlanId V2 = VlanId.of(2);
    private static final String ACCESS = " pvid untagged";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SETUP = String.join("\n",
            "ip link add br0 type bridge vlan_filtering 1",
            "ip link set br0 up",
            "ip link add up1 type veth peer name up1-far",
            "ip link set up1 master br0",
            "bridge vlan add dev up1 vid 2",
            "bridge vlan add dev up1 vid 3",
            "ip link set up1 up",
            "ip link set up1-far up",
            "for i in 1 2 3; do",
            "  ip netns add u$i",
            "  ip link add p$i type veth peer name eth0 netns u$i",
            "  ip link set p$i master br0",
            "  ip link set p$i up",
            "  ip -n u$i link set lo up",
            "  ip -n u$i addr add 10.9.0.$i/24 dev eth0",
            "  ip -n u$i link set eth0 up",
            "done",
            "bridge vlan show", "");

    private GatewayVm vm;
    private NetlinkGatewaySwitcher switcher;
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private final RecordingContext ctx = new RecordingContext("vlan-filtering-vm-it");
    private final List<String> ops = ctx.operations();

    @BeforeAll
    void boot() throws Exception {
        // outside /tmp and /run (the guest mounts tmpfs there) wherever the build runs, also from a
        // clone under /tmp; kept after the run for a look, emptied at the next start
        Path work = Path.of(System.getProperty("vlan.vm.dir", "/var/tmp/sm-vlan-filtering-vm"));
        vm = GatewayVm.boot(work, SETUP, "{\"mode\": \"vlan-filtering\", \"bridge\": \"br0\"}");
        timings.put("boot_ms", vm.bootMs);
        timings.put("daemon_start_ms", vm.daemonMs);
        // the first request pays for the guest JVM's TLS and JSON code paths under TCG: a long timeout
        GatewayClient client = vm.client(60_000);
        switcher = new NetlinkGatewaySwitcher(n -> n.equals("gw") ? Optional.of(client) : Optional.empty());
    }

    @AfterAll
    void shutDown() throws Exception {
        try {
            if (switcher != null) {
                switcher.close();
            }
        } finally {
            if (vm != null) {
                vm.close();
            }
            System.out.println("VlanFilteringVmIT: kernel " + (vm == null ? "?" : vm.image.get("kernel_package"))
                    + ", timings " + timings + "; operations " + ops);
        }
    }

    private static PortMove move(String port, VlanId from, VlanId to) {
        return new PortMove("u" + port.substring(1), new AccessPort("gw", port), from, to);
    }

    private static List<AccessPort> ports(String... names) {
        List<AccessPort> out = new ArrayList<>();
        for (String n : names) {
            out.add(new AccessPort("gw", n));
        }
        return out;
    }

    private <T> T timed(String what, Supplier<T> call) {
        long t0 = System.nanoTime();
        T t = call.get();
        timings.merge(what, (System.nanoTime() - t0) / 1_000_000, (a, b) -> a);
        return t;
    }

    /** The guest kernel's own view, from iproute2: port → "vid[ pvid][ untagged], …". */
    private Map<String, String> kernelVlans() throws Exception {
        JsonNode all = JSON.readTree(vm.guest("bridge -j vlan show"));
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode port : all) {
            List<String> vlans = new ArrayList<>();
            for (JsonNode v : port.path("vlans")) {
                StringBuilder s = new StringBuilder(v.path("vlan").asText());
                List<String> flags = new ArrayList<>();
                v.path("flags").forEach(f -> flags.add(f.asText()));
                s.append(flags.contains("PVID") ? " pvid" : "").append(flags.contains("Egress Untagged") ? " untagged" : "");
                vlans.add(s.toString());
            }
            out.put(port.path("ifname").asText(), String.join(", ", vlans));
        }
        return out;
    }

    private void assertKernel(String p1, String p2, String p3) throws Exception {
        Map<String, String> k = kernelVlans();
        assertEquals(List.of(p1, p2, p3), List.of(k.get("p1"), k.get("p2"), k.get("p3")), "bridge vlan show: " + k);
    }

    /** A frame from user {@code from}'s namespace reaches user {@code to} (same VLAN) or not. */
    private boolean reaches(int from, int to) throws Exception {
        return vm.guestRun("ip netns exec u" + from + " " + vm.work.resolve("busybox") + " ping -c 1 -W 2 10.9.0." + to)
                .rc() == 0;
    }

    private Map<AccessPort, VlanId> driverVlans(String... names) {
        Result<Map<AccessPort, VlanId>> r = timed("readVlans_ms", () -> switcher.readVlans(ports(names)));
        assertTrue(r.isOk(), () -> r.failure().toString());
        return r.orElseThrow();
    }

    private static Map<AccessPort, VlanId> vlans(Object... portThenVlan) {
        Map<AccessPort, VlanId> out = new LinkedHashMap<>();
        for (int i = 0; i < portThenVlan.length; i += 2) {
            out.put(new AccessPort("gw", (String) portThenVlan[i]), (VlanId) portThenVlan[i + 1]);
        }
        return out;
    }

    @Test
    @Order(1)
    void theGuestBridgeFiltersVlansAndTheDriverReadsThem() throws Exception {
        assertEquals("1", vm.guest("cat /sys/class/net/br0/bridge/vlan_filtering").strip(),
                "the guest kernel has bridge VLAN filtering on br0");
        assertKernel("1" + ACCESS, "1" + ACCESS, "1" + ACCESS);
        assertEquals("1" + ACCESS + ", 2, 3", kernelVlans().get("up1"), "the uplink carries VLANs 2 and 3 tagged");
        assertTrue(reaches(1, 3), "u1 and u3 share VLAN 1");
        assertEquals(vlans("p1", V1, "p2", V1, "p3", V1), driverVlans("p1", "p2", "p3"));
        Preflight pf = timed("preflight_ms", () -> switcher.preflight(List.of(move("p1", V1, V2), move("p2", V1, V2))))
                .orElseThrow();
        assertTrue(pf.go(), pf.problems().toString());
        assertTrue(pf.notes().stream().anyMatch(n -> n.startsWith("gw: vlan-filtering (bridge br0)")), pf.notes().toString());
    }

    @Test
    @Order(2)
    void twoPortsMoveToVlan2InTheKernel() throws Exception {
        Result<OpReport> r = timed("move_ms", () -> switcher.move(List.of(move("p1", V1, V2), move("p2", V1, V2)), ctx));
        assertTrue(r.isOk(), () -> r.failure().toString());
        System.out.println("VlanFilteringVmIT: " + r.orElseThrow().summary() + " " + r.orElseThrow().measurements());
        assertEquals(vlans("p1", V2, "p2", V2, "p3", V1), driverVlans("p1", "p2", "p3"));
        // the kernel: VLAN 2 is the PVID and untagged, VLAN 1 is gone from the port (not merely no longer the PVID)
        assertKernel("2" + ACCESS, "2" + ACCESS, "1" + ACCESS);
        assertTrue(reaches(1, 2), "u1 and u2 are both on VLAN 2 now");
        assertFalse(reaches(1, 3), "u1 (VLAN 2) no longer reaches u3 (VLAN 1)");

        Result<OpReport> again = switcher.move(List.of(move("p1", V1, V2), move("p2", V1, V2)), ctx);
        assertTrue(again.isOk() && again.orElseThrow().summary().contains("2 of them already on their target VLAN"),
                again::toString);
        assertKernel("2" + ACCESS, "2" + ACCESS, "1" + ACCESS);
    }

    @Test
    @Order(3)
    void aBadBatchMovesNothing() throws Exception {
        Result<OpReport> unknown = switcher.move(List.of(move("p3", V1, V2), move("p99", V1, V2)), ctx);
        assertEquals(new Problem("gw", "port p99 does not exist on the gateway"), unknown.failure().orElseThrow());
        Result<OpReport> missing = switcher.move(List.of(move("p3", V1, VlanId.of(7))), ctx);
        assertEquals(new Problem("gw", "VLAN 7 does not exist on the gateway (VLAN 7 on bridge br0 is missing);"
                + " nothing was moved"), missing.failure().orElseThrow());
        Preflight pf = switcher.preflight(List.of(move("p3", V1, VlanId.of(7)))).orElseThrow();
        assertEquals(List.of(new Problem("gw", "VLAN 7 does not exist on the gateway (VLAN 7 on bridge br0 is missing)")),
                pf.problems());
        assertKernel("2" + ACCESS, "2" + ACCESS, "1" + ACCESS);
        assertEquals("1" + ACCESS + ", 2, 3", kernelVlans().get("up1"));
    }

    @Test
    @Order(4)
    void restorePutsBackWhatIsOnVlan2AndLeavesAPortOnAThirdVlan() throws Exception {
        // someone else takes p2 to VLAN 3 after the move (by hand, in the guest): restore must leave it there
        vm.guest("bridge vlan add dev p2 vid 3 pvid untagged && bridge vlan del dev p2 vid 2");
        assertKernel("2" + ACCESS, "3" + ACCESS, "1" + ACCESS);
        List<PortMove> plan = List.of(move("p1", V1, V2), move("p2", V1, V2));
        Result<OpReport> back = timed("restore_ms", () -> switcher.restore(plan, ctx));
        assertTrue(back.isOk(), () -> back.failure().toString());
        String summary = back.orElseThrow().summary();
        assertTrue(summary.startsWith("put back 1 port(s) [gw/p1], verified"), summary);
        assertTrue(summary.contains("left alone, on another VLAN than the plan's two") && summary.contains("gw/p2 (user u2)"
                + " on VLAN 3"), summary);
        assertEquals(vlans("p1", V1, "p2", VlanId.of(3), "p3", V1), driverVlans("p1", "p2", "p3"));
        assertKernel("1" + ACCESS, "3" + ACCESS, "1" + ACCESS);
        assertTrue(reaches(1, 3), "u1 is back on VLAN 1 with u3");
        assertFalse(reaches(1, 2), "u2 (VLAN 3) is reached by nobody on VLAN 1");

        Result<OpReport> twice = switcher.restore(plan, ctx);
        assertTrue(twice.isOk() && twice.orElseThrow().summary().startsWith("no port to put back; 1 port(s) already on"
                + " their original VLAN; left alone"), twice::toString);
        assertKernel("1" + ACCESS, "3" + ACCESS, "1" + ACCESS);
    }
}

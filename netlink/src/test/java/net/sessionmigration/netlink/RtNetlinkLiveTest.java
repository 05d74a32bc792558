package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The library against the real kernel, each test in a fresh namespace holding the lab's
 * bridge-per-VLAN shape: br-v1 and br-v2 (one bridge per VLAN) and a user's access port
 * veth-u1 (peer veth-u1p) in br-v1. Results are checked with {@code ip -j}.
 */
class RtNetlinkLiveTest {
    private LiveNamespace ns;
    private RtNetlink rt;

    @BeforeEach
    void setUp() throws IOException {
        ns = LiveNamespace.create();
        try {
            ns.ip("link", "add", "br-v1", "type", "bridge");
            ns.ip("link", "add", "br-v2", "type", "bridge");
            ns.ip("link", "add", "veth-u1", "type", "veth", "peer", "name", "veth-u1p");
            ns.ip("link", "set", "dev", "veth-u1", "master", "br-v1");
            ns.ip("link", "set", "dev", "br-v1", "up");
            ns.ip("link", "set", "dev", "br-v2", "up");
            ns.ip("link", "set", "dev", "veth-u1p", "up");
            rt = RtNetlink.openInNamespace(ns.name);
        } catch (RuntimeException | Error | IOException e) {
            ns.close();
            throw e;
        }
    }

    @AfterEach
    void tearDown() {
        try {
            if (rt != null) {
                rt.close();
            }
        } finally {
            ns.close();
        }
    }

    @Test
    void listsTheNamespacesLinks() throws Exception {
        Map<String, Link> links = rt.links().stream().collect(Collectors.toMap(Link::name, Function.identity()));
        assertEquals(Set.of("lo", "br-v1", "br-v2", "veth-u1", "veth-u1p"), links.keySet(),
                "only the test namespace's links, never the host's");
        Link port = links.get("veth-u1");
        assertEquals(links.get("br-v1").index(), port.masterIndex());
        assertEquals(ns.link("veth-u1").get("address").asText(), port.mac().orElseThrow().toString());
        assertEquals(ns.link("veth-u1").get("ifindex").asInt(), port.index());
        assertEquals("veth", port.kind());
        assertEquals("bridge", links.get("br-v2").kind());
        assertTrue(links.get("br-v1").isUp());
        assertFalse(port.isUp());
        assertFalse(links.get("br-v2").hasMaster());

        assertEquals(port, rt.link("veth-u1").orElseThrow());
        assertTrue(rt.link("nosuch").isEmpty());
    }

    @Test
    void movesAnAccessPortBetweenVlanBridges() throws Exception {
        rt.setMaster("veth-u1", "br-v2");
        assertEquals("br-v2", ns.link("veth-u1").path("master").asText());

        Link port = rt.requireLink("veth-u1");
        rt.setMaster(port, rt.requireLink("br-v1"));
        assertEquals("br-v1", ns.link("veth-u1").path("master").asText());
        assertEquals(rt.requireLink("br-v1").index(), rt.requireLink("veth-u1").masterIndex());

        rt.removeMaster("veth-u1");
        assertFalse(ns.link("veth-u1").has("master"));
    }

    @Test
    void setsLinksUpAndDown() throws Exception {
        rt.setUp("veth-u1");
        assertTrue(flags(ns.link("veth-u1")).contains("UP"));
        assertTrue(rt.requireLink("veth-u1").isUp());
        rt.setDown("veth-u1");
        assertFalse(flags(ns.link("veth-u1")).contains("UP"));
    }

    @Test
    void addsListsAndDeletesAVirtualIp() throws Exception {
        InetAddress vip = InetAddress.getByName("10.77.0.1");
        InetAddress vip6 = InetAddress.getByName("fd00:77::1");
        rt.addAddress("veth-u1", vip, 24);
        rt.addAddress("veth-u1", vip6, 64);
        assertEquals(Set.of("10.77.0.1/24", "fd00:77::1/64"), ipAddresses("veth-u1"));
        List<Address> listed = rt.addresses("veth-u1");
        assertTrue(listed.stream().anyMatch(a -> a.address().equals(vip) && a.prefixLength() == 24
                && a.label().equals("veth-u1")), listed.toString());
        assertTrue(listed.stream().anyMatch(a -> a.address().equals(vip6) && a.prefixLength() == 64
                && (a.flags() & Rtnl.IFA_F_NODAD) != 0), listed.toString());

        NetlinkException dup = assertThrows(NetlinkException.class, () -> rt.addAddress("veth-u1", vip, 24));
        assertEquals("EEXIST", dup.errnoName());
        assertTrue(dup.getMessage().startsWith("add address 10.77.0.1/24 to veth-u1: File exists (EEXIST)"),
                dup.getMessage());

        rt.deleteAddress("veth-u1", vip, 24);
        rt.deleteAddress("veth-u1", vip6, 64);
        assertEquals(Set.of(), ipAddresses("veth-u1"));

        NetlinkException gone = assertThrows(NetlinkException.class, () -> rt.deleteAddress("veth-u1", vip, 24));
        assertEquals(Errno.EADDRNOTAVAIL, gone.errno());
        assertTrue(gone.getMessage().startsWith(
                "delete address 10.77.0.1/24 from veth-u1: Cannot assign requested address (EADDRNOTAVAIL)"),
                gone.getMessage());
    }

    @Test
    void errorsNameTheOperationAndTheErrno() throws Exception {
        Link port = rt.requireLink("veth-u1");
        Link target = rt.requireLink("br-v2");
        ns.ip("link", "del", "dev", "veth-u1");   // the port vanishes between lookup and move
        NetlinkException e = assertThrows(NetlinkException.class, () -> rt.setMaster(port, target));
        assertEquals("set master of veth-u1 to br-v2: No such device (ENODEV)", e.getMessage());

        NetlinkException byName = assertThrows(NetlinkException.class, () -> rt.setMaster("veth-u9", "br-v2"));
        assertEquals("set master of veth-u9 to br-v2: no link named veth-u9 (ENODEV)", byName.getMessage());
        assertEquals(Errno.ENODEV, byName.errno());

        // enslaving a bridge to a non-bridge: the kernel refuses and (with extended ack) says why
        NetlinkException notABridge = assertThrows(NetlinkException.class, () -> rt.setMaster("br-v1", "lo"));
        assertTrue(notABridge.getMessage().startsWith("set master of br-v1 to lo: "), notABridge.getMessage());
        assertNotEquals(0, notABridge.errno());

        // the socket is still in step after errors: sequence numbers keep matching
        assertEquals(Set.of("lo", "br-v1", "br-v2"), // deleting veth-u1 took its peer with it
                rt.links().stream().map(Link::name).collect(Collectors.toSet()));
    }

    @Test
    void bridgeVlanFilteringWorksOrIsReportedAsUnsupported() throws Exception {
        List<BridgePortVlans> ports = rt.bridgeVlans();
        BridgePortVlans port = ports.stream().filter(p -> p.name().equals("veth-u1")).findFirst().orElseThrow();
        assertEquals(rt.requireLink("br-v1").index(), port.masterIndex());

        try {
            rt.addBridgeVlan("veth-u1", BridgeVlanInfo.accessVlan(20));
        } catch (NetlinkException e) {
            // the lab kernel (no CONFIG_BRIDGE_VLAN_FILTERING): a clear error, nothing else
            assertEquals("add VLAN 20 pvid untagged on veth-u1: Operation not supported (EOPNOTSUPP)", e.getMessage());
            return;
        }
        // a kernel with VLAN filtering (a real gateway): the full access-port move
        rt.moveAccessVlan("veth-u1", 20, 30);
        BridgePortVlans after = rt.bridgeVlans().stream().filter(p -> p.name().equals("veth-u1")).findFirst()
                .orElseThrow();
        assertEquals(30, after.pvid().orElseThrow());
        assertTrue(after.vlans().stream().noneMatch(v -> v.vid() == 20));
    }

    @Test
    void runsInTheNamespaceWithoutMovingTheCaller() throws Exception {
        Path self = Path.of("/proc/thread-self/ns/net");
        Path before = Files.readSymbolicLink(self);
        Path inside = NetNamespace.call(ns.name, () -> Files.readSymbolicLink(self));
        assertNotEquals(before, inside);
        assertEquals(before, Files.readSymbolicLink(self));

        NetlinkException missing = assertThrows(NetlinkException.class,
                () -> RtNetlink.openInNamespace("smnl-does-not-exist"));
        assertEquals("enter network namespace /run/netns/smnl-does-not-exist: No such file or directory (ENOENT)",
                missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RtNetlink.openInNamespace("../etc"));
    }

    private static Set<String> flags(JsonNode link) {
        return StreamSupport.stream(link.get("flags").spliterator(), false).map(JsonNode::asText)
                .collect(Collectors.toSet());
    }

    private Set<String> ipAddresses(String dev) {
        JsonNode info = ns.ipJson("addr", "show", "dev", dev).get(0).get("addr_info");
        return StreamSupport.stream(info.spliterator(), false)
                .filter(a -> !"link".equals(a.path("scope").asText()))
                .map(a -> a.get("local").asText() + "/" + a.get("prefixlen").asInt())
                .collect(Collectors.toSet());
    }
}

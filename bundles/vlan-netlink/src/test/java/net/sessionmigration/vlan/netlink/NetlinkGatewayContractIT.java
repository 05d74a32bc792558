package net.sessionmigration.vlan.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.driverkit.AccessPortSwitcherContract;

/**
 * The driver kit's contract ({@link AccessPortSwitcherContract}) against the real netlink-gateway
 * driver, the real gateway daemon (lab/daemons/daemons start gw, over mTLS with the lab's
 * coordinator certificate) and the real kernel of the lab's gateway namespace (sm-gw, mode
 * bridge-per-vlan: VLAN N is bridge br-vN, a port's VLAN is its master). {@link LabGateway} brings
 * the lab up if it is down, holds the lab lock for the whole class, starts the daemon if it does not
 * run, and undoes that at the end.
 *
 * <p>The plan's ports, all on gateway {@code gw}, in this order:
 * <ol>
 * <li>{@code kitA}: a veth made here (its peer {@code kitA-peer} stays, up and unattached, in sm-gw);
 * the port the kit puts on VLANs by hand (elsewhere, third VLAN).</li>
 * <li>gu1's port ({@code p1}): the lab's own user port, its far end in sm-gu1. It is put back in
 * br-v1 at the end, where GatewayLabIT expects it.</li>
 * <li>{@code kitB}: a VXLAN device made here (VNI 4242, kept DOWN, so it never opens a socket nor
 * carries a frame), the port {@link #failNextMoveOf} can make the kernel refuse.</li>
 * </ol>
 * The hooks:
 * <ul>
 * <li>{@link #putOn}: in the kernel, {@code ip -n sm-gw link set PORT master br-vN}; not through the
 * driver.</li>
 * <li>{@link #failNextMoveOf}: the kernel's own refusal, for kitB only (empty for the others). A VXLAN
 * device is stacked on its lower device, and the kernel refuses to enslave a device to a bridge it
 * is stacked on (net/core/dev.c, {@code __netdev_upper_dev_link}: "prevent circular dependency",
 * EBUSY). The hook sets kitB's lower device to br-v2 ({@code ip link set kitB type vxlan dev br-v2}):
 * the daemon's RTM_NEWLINK {@code IFLA_MASTER br-v2} for kitB then fails with EBUSY, after the kernel
 * has already taken kitB out of br-v1 (rtnetlink's do_set_master releases the old master first), and
 * the daemon puts its batch back, kitB included. Every other port still goes into br-v2, and kitB
 * still goes into br-v1. The refusal holds until this class's {@code @AfterEach} sets kitB's lower
 * device back to {@code kitB-lo} (an ifb of MTU 1550, so that kitB has MTU 1500 again); meanwhile
 * the kit makes no other move of kitB to VLAN 2, so it refuses exactly the next one (a move of kitB
 * to VLAN 3 would go through: the refusal is of br-v2, not of every bridge). Side effect
 * while it holds: kitB's MTU is 1450 (the VXLAN header under br-v2's 1500), and br-v1, which takes
 * the smallest MTU of its ports, has 1450 too; br-v1 has no address on the gateway, and forwarding
 * is bounded by each outgoing port's MTU, not the bridge's.</li>
 * <li>{@link #thirdVlan}: VLAN 3, bridge br-v3, made here when the gateway has none (then deleted at
 * the end); set-up checks that the daemon's preflight accepts it as a target.
 * {@link #vlanMissingOnDevice}: VLAN 4000, no br-v4000 (set-up checks).</li>
 * </ul>
 * Everything made here is deleted in {@link #gatewayAsFound}, also when set-up or a test failed;
 * leftovers of a killed run (same names) are deleted before set-up. {@link
 * #theRefusalIsTheKernelsAndTheDaemonPutsItsBatchBack} checks that the kit's failure tests see the
 * kernel's refusal and not some other failure.
 *
 * <p>What this cannot show: the lab has one gateway, so a failed move never leaves ports moved on
 * another gateway; the daemon puts its own batch back, the restore after the failed move finds every
 * port on its from VLAN, and the coordinator-side put-back across gateways is left to
 * NetlinkGatewaySwitcherTest (in-memory kernels) and GatewayLabIT (an unreachable second gateway).
 * Only mode bridge-per-vlan runs here (vlan-filtering: VlanFilteringVmIT). No timing is checked.
 *
 * <p>As root: {@code mvn -o verify -pl bundles/vlan-netlink -Dit.test=NetlinkGatewayContractIT}
 * (the kit's 14 tests and the one above; none is skipped).
 */
class NetlinkGatewayContractIT extends AccessPortSwitcherContract {
    static final String GW = "gw";
    static final String VETH = "kitA";
    static final String VETH_PEER = "kitA-peer";
    static final String VXLAN = "kitB";
    /** kitB's lower device while kitB is not refused: room for the VXLAN header over MTU 1500. */
    static final String VXLAN_LOWER = "kitB-lo";
    static final VlanId HOME = VlanId.of(1);
    static final VlanId OTHER = VlanId.of(2);
    static final VlanId THIRD = VlanId.of(3);
    static final VlanId MISSING = VlanId.of(4000);

    private static LabGateway lab;
    private static String gu1Port;
    private static GatewayClient client;
    /** The links this class made in sm-gw, newest first; deleted at the end. */
    private static final Deque<String> made = new ArrayDeque<>();

    private NetlinkGatewaySwitcher current;
    private boolean refusing;

    // ------------------------------------------------------------------ the gateway and the kit's ports

    @BeforeAll
    static void gatewayWithTheKitsPorts() throws Exception {
        lab = LabGateway.open();
        gu1Port = lab.user("gu1").get("interface");
        assertEquals(bridge(HOME), lab.masterOf(gu1Port), "gu1's port must start on VLAN 1 (lab/lab status)");
        assertFalse(links().contains(bridge(MISSING)), "VLAN 4000 is to be missing, yet sm-gw has " + bridge(MISSING));
        for (String leftover : List.of(VXLAN, VXLAN_LOWER, VETH)) {
            deleteIfPresent(leftover);
        }
        ip("link", "add", VETH, "type", "veth", "peer", "name", VETH_PEER);
        made.push(VETH);
        ip("link", "set", VETH, "master", bridge(HOME));
        ip("link", "set", VETH_PEER, "up");
        ip("link", "set", VETH, "up");
        ip("link", "add", VXLAN_LOWER, "mtu", "1550", "type", "ifb");
        made.push(VXLAN_LOWER);
        ip("link", "add", VXLAN, "type", "vxlan", "id", "4242", "dstport", "4789", "dev", VXLAN_LOWER);
        made.push(VXLAN);
        ip("link", "set", VXLAN, "master", bridge(HOME));
        if (!links().contains(bridge(THIRD))) {
            ip("link", "add", bridge(THIRD), "type", "bridge");
            made.push(bridge(THIRD));
            ip("link", "set", bridge(THIRD), "up");
        }
        client = lab.client(GW, lab.url());
        try (NetlinkGatewaySwitcher s = lab.switcher(Map.of(GW, client))) {
            Preflight pf = s.preflight(List.of(new PortMove("kit", new AccessPort(GW, VETH), HOME, THIRD))).orElseThrow();
            assertTrue(pf.go(), "the gateway daemon should take bridge " + bridge(THIRD) + " for VLAN 3: " + pf.problems());
        }
    }

    /** gu1's port back in br-v1, every link made here deleted, the lab as LabGateway found it; also after a failed set-up. */
    @AfterAll
    static void gatewayAsFound() throws Exception {
        List<Exception> failures = new ArrayList<>();
        if (lab != null && gu1Port != null) {
            attempt(failures, () -> ip("link", "set", gu1Port, "master", bridge(HOME)));
        }
        while (!made.isEmpty()) {
            String link = made.pop();
            attempt(failures, () -> deleteIfPresent(link));
        }
        if (lab != null) {
            attempt(failures, lab::close);
            lab = null;
        }
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** Lifts the refusal (kitB back on its own lower device, MTU 1500) and closes this test's driver. */
    @AfterEach
    void liftRefusalAndClose() throws Exception {
        try {
            if (refusing) {
                ip("link", "set", VXLAN, "type", "vxlan", "dev", VXLAN_LOWER);
                ip("link", "set", VXLAN, "mtu", "1500");
                refusing = false;
            }
        } finally {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    // ------------------------------------------------------------------ the kit's hooks

    @Override
    protected AccessPortSwitcher switcher() {
        current = lab.switcher(Map.of(GW, client));
        return current;
    }

    @Override
    protected List<AccessPort> ports() {
        return List.of(new AccessPort(GW, VETH), new AccessPort(GW, gu1Port), new AccessPort(GW, VXLAN));
    }

    @Override
    protected VlanId homeVlan() {
        return HOME;
    }

    @Override
    protected VlanId otherVlan() {
        return OTHER;
    }

    /** In the gateway's kernel: the port enslaved to br-v&lt;vlan&gt;, which the daemon reads as its VLAN. */
    @Override
    protected void putOn(AccessPort port, VlanId vlan) {
        try {
            ip("link", "set", port.port(), "master", bridge(vlan));
        } catch (Exception e) {
            throw new IllegalStateException("could not put " + port + " on VLAN " + vlan + " in sm-gw's kernel", e);
        }
    }

    /** kitB only: stacked on br-v2, so the kernel refuses to enslave it to br-v2 (EBUSY) until {@code @AfterEach}. */
    @Override
    protected Optional<Runnable> failNextMoveOf(AccessPort port) {
        if (!port.equals(new AccessPort(GW, VXLAN))) {
            return Optional.empty();
        }
        return Optional.of(() -> {
            refusing = true;
            try {
                ip("link", "set", VXLAN, "type", "vxlan", "dev", bridge(OTHER));
            } catch (Exception e) {
                throw new IllegalStateException("could not stack " + VXLAN + " on " + bridge(OTHER), e);
            }
        });
    }

    @Override
    protected Optional<VlanId> vlanMissingOnDevice() {
        return Optional.of(MISSING);
    }

    @Override
    protected Optional<VlanId> thirdVlan() {
        return Optional.of(THIRD);
    }

    // ------------------------------------------------------------------ the refusal itself

    /**
     * The failure the kit's refusal tests get is the kernel's: the daemon names the rtnetlink request
     * the kernel refused (set master of kitB to br-v2, EBUSY), puts back its batch (kitB too, which the
     * kernel had taken out of br-v1), and ip(8) shows every port in br-v1 again. Fails if the move goes
     * through, or fails for another reason.
     */
    @Test
    void theRefusalIsTheKernelsAndTheDaemonPutsItsBatchBack() throws Exception {
        failNextMoveOf(new AccessPort(GW, VXLAN)).orElseThrow().run();
        List<PortMove> moves = ports().stream().map(p -> new PortMove("user-" + p.port(), p, HOME, OTHER)).toList();
        Problem p = current.move(moves, context()).failure().orElseThrow(() -> new AssertionError(
                "the move of " + moves + " went through although " + VXLAN + " is stacked on " + bridge(OTHER)));
        assertEquals(GW, p.device());
        assertTrue(p.cause().contains("set master of " + VXLAN + " to " + bridge(OTHER) + ": Device or resource busy (EBUSY)"),
                "the kernel's refusal should be named: " + p.cause());
        assertTrue(p.cause().contains("put back 3 port(s) already moved") && !p.cause().contains("COULD NOT PUT BACK"),
                "the daemon should have put its whole batch back, " + VXLAN + " included: " + p.cause());
        for (AccessPort port : ports()) {
            assertEquals(bridge(HOME), lab.masterOf(port.port()), port + " after the refused move (ip link show)");
        }
    }

    // ------------------------------------------------------------------ helpers

    static String bridge(VlanId vlan) {
        return "br-v" + vlan;
    }

    /** ip(8) in the gateway's namespace. */
    static String ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", lab.ns()));
        cmd.addAll(List.of(args));
        return LabGateway.run(cmd, 10);
    }

    /** The names of sm-gw's links ("p1@if2" read as "p1"). */
    static List<String> links() throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : ip("-o", "link", "show").split("\n")) {
            String[] f = line.split(": ", 3);
            if (f.length >= 2) {
                names.add(f[1].split("@")[0]);
            }
        }
        return names;
    }

    static void deleteIfPresent(String link) throws Exception {
        if (links().contains(link)) {
            ip("link", "del", link);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static void attempt(List<Exception> failures, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }
}

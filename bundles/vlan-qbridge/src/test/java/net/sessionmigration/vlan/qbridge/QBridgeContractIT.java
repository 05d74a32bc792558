package net.sessionmigration.vlan.qbridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.driverkit.AccessPortSwitcherContract;

/**
 * The driver kit's contract ({@link AccessPortSwitcherContract}) against the real driver, style
 * {@code pvid} over SNMPv3 authPriv (SHA-256/AES-256, users made up by this test), talking to
 * Net-SNMP's snmpd with lab/tools/qbridge-agent behind pass_persist, on two private switches of its
 * own ({@link PrivateSwitch}, root): namespaces {@code sm-qb-contract1} and {@code sm-qb-contract2}
 * ({@code -Dqb.contract.ns1=}, {@code -Dqb.contract.ns2=} for other names), 4 ports and bridges
 * br-v1..br-v3 each, reached over veths {@code vqb-contract1} 10.206.0.1 ↔ 10.206.0.2 and
 * {@code vqb-contract2} 10.206.0.5 ↔ 10.206.0.6 (/30 each), snmpd on udp:…:1161.
 *
 * <p>The plan's ports are qb1/1, qb1/2, qb2/1 and qb2/2: the refused port (the last) is on the second
 * switch, so a failed move has moved the first switch's ports before the failure. The hooks:
 * <ul>
 * <li>{@link #putOn}: in the KERNEL of the switch's namespace ({@code ip -n NS link set pN master br-vV}),
 * which the agent reads on every request; not through the driver.</li>
 * <li>{@link #failNextMoveOf}: the switch's own access control. The driver's user writes through a
 * VACM write view ({@code qbcwrite}, everything included); a second made-up user (admin, full access)
 * adds to it, with Net-SNMP's {@code snmpvacm -Ce createView}, an excluded subtree
 * {@code dot1qPvid.<port>}: snmpd then refuses any SET PDU carrying that port's PVID with
 * {@code noAccess}, error-index on that varbind, and applies nothing of that PDU (VACM is checked
 * before any varbind reaches the agent). Reads stay allowed (the read view is another one). The
 * exclusion holds until this test's {@code @AfterEach} deletes it ({@code snmpvacm deleteView}); the
 * kit's tests make no other SET of the refused port meanwhile (it stays on its from VLAN, which the
 * restore leaves alone), so it refuses exactly the next move of that port, and no other port.</li>
 * <li>{@link #vlanMissingOnDevice}: VLAN 4000 (no br-v4000). {@link #thirdVlan}: VLAN 3 (br-v3).</li>
 * </ul>
 * Both switches start once for the class and are stopped by pid in {@link #tearDownSwitches} (also
 * when the set-up or a test failed); logs stay in {@code target/qb-contract-1/}, {@code target/qb-contract-2/}.
 * Note: the shared lab's 'lab down'/'lab up' deletes every sm-* namespace it finds; if another job
 * runs one meanwhile, these switches go with it and the tests fail (run again).
 */
class QBridgeContractIT extends AccessPortSwitcherContract {
    static final int PORTS = 4;
    static final int VLANS = 3;
    static final PrivateSwitch QB1 = new PrivateSwitch(System.getProperty("qb.contract.ns1", "sm-qb-contract1"),
            "vqb-contract1", "10.206.0.1", "10.206.0.2", 1161, PORTS, VLANS, Path.of("target", "qb-contract-1"));
    static final PrivateSwitch QB2 = new PrivateSwitch(System.getProperty("qb.contract.ns2", "sm-qb-contract2"),
            "vqb-contract2", "10.206.0.5", "10.206.0.6", 1161, PORTS, VLANS, Path.of("target", "qb-contract-2"));
    /** The write view of the driver's user, to which {@link #failNextMoveOf} adds an excluded subtree. */
    static final String WRITE_VIEW = "qbcwrite";
    static final String DOT1Q_PVID = "1.3.6.1.2.1.17.7.1.4.5.1.1";
    /** Net-SNMP's client configuration (the admin's made-up credentials), 0600 in a 0700 directory. */
    static final Path NET_SNMP = Path.of("target", "qb-contract-net-snmp").toAbsolutePath();

    private static SnmpCredential driverUser;
    private static SnmpCredential admin;
    private static final Map<String, PrivateSwitch> SWITCHES = new LinkedHashMap<>();

    /** The exclusions in place: switch, subtree. Lifted after each test. */
    private final List<Map.Entry<PrivateSwitch, String>> refusals = new ArrayList<>();
    private QBridgeSwitcher current;

    // ------------------------------------------------------------------ the two switches

    @BeforeAll
    static void buildSwitches() throws Exception {
        driverUser = LabSupport.madeUpUser("qb-contract", "qbc", SnmpCredential.AuthProtocol.SHA256,
                SnmpCredential.PrivProtocol.AES256);
        admin = LabSupport.madeUpUser("qb-contract-admin", "qbcadmin", SnmpCredential.AuthProtocol.SHA256,
                SnmpCredential.PrivProtocol.AES256);
        SWITCHES.put("qb1", QB1);
        SWITCHES.put("qb2", QB2);
        writeNetSnmpConf();
        for (Map.Entry<String, PrivateSwitch> e : SWITCHES.entrySet()) {
            PrivateSwitch sw = e.getValue();
            sw.up(conf(e.getKey(), sw), driverUser, DeviceProfile.Style.PVID);
        }
    }

    private static List<String> conf(String name, PrivateSwitch sw) {
        return new ArrayList<>(List.of("sysName " + name,
                "sysDescr session-migration QBridgeContractIT switch (Net-SNMP + qbridge-agent)",
                PrivateSwitch.createUser(driverUser), PrivateSwitch.createUser(admin),
                // the driver's user: reads everything, writes through a view failNextMoveOf can narrow
                "view qbcread included .1", "view " + WRITE_VIEW + " included .1",
                "group qbcgroup usm " + driverUser.user(),
                "access qbcgroup \"\" usm priv exact qbcread " + WRITE_VIEW + " none",
                // the admin: full access, VACM tables included (for snmpvacm)
                "rwuser " + admin.user() + " priv",
                "pass_persist .1.3.6.1.2.1.17 " + sw.agent()));
    }

    private static void writeNetSnmpConf() throws IOException {
        deleteNetSnmpConf();
        Files.createDirectories(NET_SNMP.resolve("persist"));
        Files.setPosixFilePermissions(NET_SNMP, PosixFilePermissions.fromString("rwx------"));
        Path conf = NET_SNMP.resolve("snmp.conf");
        Files.createFile(conf, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(conf, List.of("defVersion 3", "defSecurityName " + admin.user(), "defSecurityLevel authPriv",
                "defAuthType SHA-256", "defAuthPassphrase " + admin.authPassphrase(), "defPrivType AES-256",
                "defPrivPassphrase " + admin.privPassphrase()), StandardCharsets.UTF_8);
    }

    private static void deleteNetSnmpConf() throws IOException {
        if (Files.isDirectory(NET_SNMP)) {
            try (var files = Files.walk(NET_SNMP)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /** Stops both switches by pid and deletes their namespaces, also after a failed set-up; removes the admin's snmp.conf. */
    @AfterAll
    static void tearDownSwitches() throws Exception {
        try {
            QB1.down();
        } finally {
            try {
                QB2.down();
            } finally {
                deleteNetSnmpConf();
            }
        }
    }

    /** Lifts the refusals this test put in place and closes its driver. */
    @AfterEach
    void liftRefusalsAndClose() throws Exception {
        try {
            for (Map.Entry<PrivateSwitch, String> r : List.copyOf(refusals)) {
                vacm(r.getKey(), "deleteView", WRITE_VIEW, r.getValue());
                refusals.remove(r);
            }
        } finally {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    /** Net-SNMP's snmpvacm as the admin, against switch sw. */
    private static String vacm(PrivateSwitch sw, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("snmpvacm", "-t", "3", "-r", "1"));
        if (command[0].equals("createExcludedView")) {
            cmd.add("-Ce");
            command = command.clone();
            command[0] = "createView";
        }
        cmd.add("udp:" + sw.agentAddr + ":" + sw.snmpPort);
        cmd.addAll(List.of(command));
        return LabSupport.run(cmd, Map.of("SNMPCONFPATH", NET_SNMP.toString(), "SNMP_PERSISTENT_DIR",
                NET_SNMP.resolve("persist").toString(), "MIBS", ""), 30);
    }

    private static PrivateSwitch switchOf(AccessPort port) {
        PrivateSwitch sw = SWITCHES.get(port.device());
        if (sw == null) {
            throw new IllegalArgumentException("no switch " + port.device());
        }
        return sw;
    }

    // ------------------------------------------------------------------ the kit's hooks

    @Override
    protected AccessPortSwitcher switcher() {
        Map<String, DeviceProfile> devices = new LinkedHashMap<>();
        SWITCHES.forEach((name, sw) -> devices.put(name, sw.profile(name, driverUser.name(), DeviceProfile.Style.PVID)));
        current = new QBridgeSwitcher(QBridgeLabIT.profiles(devices, Map.of(driverUser.name(), driverUser)));
        return current;
    }

    @Override
    protected List<AccessPort> ports() {
        return List.of(new AccessPort("qb1", "1"), new AccessPort("qb1", "2"), new AccessPort("qb2", "1"),
                new AccessPort("qb2", "2"));
    }

    @Override
    protected VlanId homeVlan() {
        return VlanId.of(1);
    }

    @Override
    protected VlanId otherVlan() {
        return VlanId.of(2);
    }

    /** In the kernel of the switch: pN enslaved to br-v&lt;vlan&gt;, as the agent reads it. */
    @Override
    protected void putOn(AccessPort port, VlanId vlan) {
        try {
            switchOf(port).ipn("link", "set", "p" + port.port(), "master", "br-v" + vlan);
        } catch (Exception e) {
            throw new IllegalStateException("could not put " + port + " on VLAN " + vlan + " in the kernel", e);
        }
    }

    /** The switch's VACM: dot1qPvid.&lt;port&gt; excluded from the driver's write view (noAccess) until this test ends. */
    @Override
    protected Optional<Runnable> failNextMoveOf(AccessPort port) {
        return Optional.of(() -> {
            PrivateSwitch sw = switchOf(port);
            String subtree = "." + DOT1Q_PVID + "." + Integer.parseInt(port.port());
            try {
                vacm(sw, "createExcludedView", WRITE_VIEW, subtree);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException("snmpvacm createView on " + port.device() + " failed", e);
            }
            refusals.add(Map.entry(sw, subtree));
        });
    }

    @Override
    protected Optional<VlanId> vlanMissingOnDevice() {
        return Optional.of(VlanId.of(4000));
    }

    @Override
    protected Optional<VlanId> thirdVlan() {
        return Optional.of(VlanId.of(3));
    }
}

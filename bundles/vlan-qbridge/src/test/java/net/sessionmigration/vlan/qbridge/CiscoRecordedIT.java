package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import net.sessionmigration.driverkit.RecordingContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * Style cisco-vmvlan against recorded data of a real switch that nobody on this team wrote: a Cisco
 * Catalyst 3750 (sysDescr "Cisco IOS Software, C3750 Software (C3750-IPSERVICESK9-M), Version
 * 12.2(55)SE10", sysObjectID cisco.1.516), as recorded in {@value #RECORDING_PATH}, which Debian's
 * package snmpsim (0.4.5, BSD-2-clause, by Ilya Etingof; installed by scripts/install) ships, served
 * by that package's own simulator {@value #SIMULATOR}. The recording is used from the installed
 * package; nothing of it is in git.
 *
 * <p>What the test takes from the recording (every expected value is read from the file, none is
 * written down here): CISCO-VLAN-MEMBERSHIP-MIB {@code vmVlan.<ifIndex>} of the 50 access ports,
 * CISCO-VTP-MIB {@code vtpVlanState.1.<vid>} of the 20 VLANs, BRIDGE-MIB {@code dot1dBasePortIfIndex}
 * (in this recording the default context holds VLAN 1's bridge: its access ports and the trunk),
 * IF-MIB {@code ifName} (the plan's port names: port.map is ifName=ifIndex of every interface),
 * CISCO-VTP-MIB {@code vlanTrunkPortDynamicStatus} (which port trunks), sysName and sysObjectID.
 *
 * <p>What is transformed, and why. The copy is
 * {@code $TMPDIR/sm-cisco-recorded/data/1.3.6.1.6.1.1.0/127.0.0.1.snmprec} (outside the build tree:
 * snmpsimd reads it as nobody, who may not enter the home directory the build runs in; removed at
 * the end):
 * <ul>
 * <li>gunzipped;</li>
 * <li>each of the 50 vmVlan lines {@code 1.3.6.1.4.1.9.9.68.1.2.2.1.2.<ifIndex>|2|<vlan>} becomes
 * {@code 1.3.6.1.4.1.9.9.68.1.2.2.1.2.<ifIndex>|2:writecache|value=<vlan>}: the same OID, the same
 * type (INTEGER) and the recorded value, now served through snmpsim's writecache variation module, so
 * the simulator accepts a SET of it and answers later GETs with the value set (kept in the
 * simulator's memory only). snmpsimd treats a line without a variation module as read-only, and the
 * driver's whole job is that SET;</li>
 * <li>every other line is kept byte for byte; {@link #startSimulator} checks that the copy differs from
 * the recording in exactly the vmVlan lines;</li>
 * <li>the name: snmpsimd picks a data file by the request's SNMPv3 context name; the driver, as with a
 * real switch, sends the empty context, for which snmpsimd serves
 * {@code <transport domain>/<source address>.snmprec}: UDP transport 0 (1.3.6.1.6.1.1.0) and 127.0.0.1.</li>
 * </ul>
 *
 * <p>The simulator: {@code snmpsimd --v3-only --v3-engine-id=auto --data-dir=DIR --cache-dir=DIR
 * --force-index-rebuild --agent-udpv4-endpoint=127.0.0.1:<a free port> --args-from-file=FILE}, and as
 * root also {@code --process-user=nobody --process-group=nogroup} (it refuses to keep root; its index
 * cache then belongs to nobody). FILE (mode 0600, deleted at the end) holds the SNMPv3 user this run
 * makes up: {@code --v3-user --v3-auth-proto=SHA256 --v3-auth-key --v3-priv-proto=AES256BLMT
 * --v3-priv-key}, authPriv with SHA-256 and AES-256 with Blumenthal's key extension (what the driver's
 * and Net-SNMP's AES-256 are; snmpsim's plain "AES256" is the other, Reeder, extension), so no secret is
 * on a command line. snmpsimd prints the keys in its log, so the log is redacted when it stops. No v1/v2c
 * community is served ({@code --v3-only}). The raw GETs that check the driver's reads are Net-SNMP's
 * {@code snmpget} (not the driver's SNMP4J) with the same user from a private snmp.conf
 * (SNMPCONFPATH, mode 0600, deleted at the end).
 *
 * <p>Not covered here: {@code saveConfig} (CISCO-CONFIG-COPY-MIB is not in the recording; CiscoLabIT
 * covers it, so every profile here leaves it off), and a switch refusing a SET (snmpsimd answers a SET
 * of a recorded object without writecache with noError and a noSuchInstance value rather than
 * notWritable; the driver never sends one here).
 *
 * <p>Traffic stays on 127.0.0.1. The simulator is stopped by its pid in {@link #stopSimulator}, also
 * when a test or the set-up failed (and a simulator left by a killed run, found by its pid file and
 * its data directory on the command line, is stopped first). Needs no root. Missing package: the tests
 * fail (they do not skip) and say to run scripts/install.
 */
class CiscoRecordedIT {
    static final String RECORDING_PATH = "/usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz";
    static final Path RECORDING = Path.of(RECORDING_PATH);
    static final String SIMULATOR = "/usr/bin/snmpsimd";
    static final String DEVICE = "c3750";
    static final String CREDENTIAL = "recorded-c3750";

    static final String VM_VLAN = "1.3.6.1.4.1.9.9.68.1.2.2.1.2";
    static final String VTP_VLAN_STATE = "1.3.6.1.4.1.9.9.46.1.3.1.1.2.1";
    static final String DOT1D_BASE_PORT_IFINDEX = "1.3.6.1.2.1.17.1.4.1.2";
    static final String IF_NAME = "1.3.6.1.2.1.31.1.1.1.1";
    /** CISCO-VTP-MIB vlanTrunkPortDynamicStatus: trunking(1), notTrunking(2). */
    static final String TRUNK_STATUS = "1.3.6.1.4.1.9.9.46.1.6.1.1.14";
    static final String SYS_DESCR = "1.3.6.1.2.1.1.1.0";
    static final String SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0";
    static final String SYS_NAME = "1.3.6.1.2.1.1.5.0";

    /** The plan's ports, by the recording's ifName; the recording says their VLANs. */
    static final String PORT_A = "Fa3/0/1";
    static final String PORT_B = "Fa3/0/2";
    static final String PORT_C = "Fa3/0/44";
    /** The moves go to the VLAN this port is recorded on. */
    static final String TARGET_OF = "Fa3/0/40";
    /** The uplink: trunking in the recording, so no vmVlan row. */
    static final String TRUNK = "Fa3/0/48";
    /** An access port in VLAN 1, named in the plan by its dot1dBasePort number (no port.map entry). */
    static final String BY_BASE_PORT = "Fa3/0/12";

    /** A vmVlan line of the recording: OID, type INTEGER (2), value. */
    static final Pattern VM_VLAN_LINE = Pattern.compile("(" + Pattern.quote(VM_VLAN + ".") + "\\d+)\\|2\\|(\\d+)");

    private static final Path DIR = Path.of("target", "cisco-recorded").toAbsolutePath();
    /**
     * What snmpsimd reads and writes after it dropped root (to nobody): outside the build tree,
     * which may lie under a home directory nobody cannot enter (/root on a fresh machine).
     */
    private static final Path SIM = Path.of(System.getProperty("java.io.tmpdir"), "sm-cisco-recorded");
    private static final Path DATA = SIM.resolve("data");
    private static final Path DATA_FILE = DATA.resolve("1.3.6.1.6.1.1.0").resolve("127.0.0.1.snmprec");
    private static final Path CACHE = SIM.resolve("cache");
    private static final Path ARGS = DIR.resolve("snmpsimd.args");
    private static final Path LOG = DIR.resolve("snmpsimd.log");
    private static final Path PID_FILE = DIR.resolve("snmpsimd.pid");
    /** Net-SNMP's snmp.conf with the made-up user, and its persistent directory. */
    private static final Path NET_SNMP = DIR.resolve("net-snmp");

    static Recording recording;
    private static Process simulator;
    private static int port;
    private static SnmpCredential credential;

    private final Map<String, DeviceProfile> devices = new HashMap<>();
    private QBridgeSwitcher switcher;
    private final RecordingContext context = new RecordingContext("cisco-recorded-it");
    private final List<String> operations = context.operations();

    // ------------------------------------------------------------------ the recording

    /** The recording as the switch answered: OID → value (OctetStrings given in hex decoded), in file order. */
    record Recording(Map<String, String> values) {
        static Recording parse(String text) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                String[] f = line.split("\\|", 3);
                if (line.startsWith("#") || f.length < 3) {
                    continue;
                }
                values.put(f[0], f[1].endsWith("x")
                        ? new String(HexFormat.of().parseHex(f[2]), StandardCharsets.ISO_8859_1) : f[2]);
            }
            return new Recording(values);
        }

        Optional<String> get(String oid) {
            return Optional.ofNullable(values.get(oid));
        }

        /** A table column with a single integer index: index → INTEGER value. */
        SortedMap<Integer, Integer> column(String column) {
            SortedMap<Integer, Integer> out = new TreeMap<>();
            String prefix = column + ".";
            values.forEach((oid, v) -> {
                String rest = oid.startsWith(prefix) ? oid.substring(prefix.length()) : "";
                if (rest.matches("\\d+")) {
                    out.put(Integer.parseInt(rest), Integer.parseInt(v));
                }
            });
            return out;
        }

        /** ifName → ifIndex of every interface. */
        Map<String, Integer> ifIndexByName() {
            Map<String, Integer> out = new LinkedHashMap<>();
            String prefix = IF_NAME + ".";
            values.forEach((oid, v) -> {
                if (oid.startsWith(prefix)) {
                    out.put(v, Integer.parseInt(oid.substring(prefix.length())));
                }
            });
            return out;
        }

        int ifIndex(String ifName) {
            Integer i = ifIndexByName().get(ifName);
            if (i == null) {
                throw new AssertionError("the recording has no interface named " + ifName);
            }
            return i;
        }

        String ifName(int ifIndex) {
            return ifIndexByName().entrySet().stream().filter(e -> e.getValue() == ifIndex).map(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new AssertionError("no ifName for ifIndex " + ifIndex));
        }

        /** The recorded vmVlan of a port. */
        VlanId vlanOf(String ifName) {
            Integer v = column(VM_VLAN).get(ifIndex(ifName));
            if (v == null) {
                throw new AssertionError("the recording has no vmVlan for " + ifName);
            }
            return VlanId.of(v);
        }

        boolean operational(VlanId vlan) {
            return Integer.valueOf(1).equals(column(VTP_VLAN_STATE).get(vlan.value()));
        }
    }

    /**
     * The recording with its vmVlan lines made writable ({@code |2|v} → {@code |2:writecache|value=v});
     * every other byte as it was. ISO-8859-1 maps each byte to one char and back.
     */
    static String writable(String recorded) {
        String[] lines = recorded.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = VM_VLAN_LINE.matcher(lines[i]);
            if (m.matches()) {
                lines[i] = m.group(1) + "|2:writecache|value=" + m.group(2);
            }
        }
        return String.join("\n", lines);
    }

    // ------------------------------------------------------------------ the simulator

    @BeforeAll
    static void startSimulator() throws Exception {
        String install = " — it comes with the Debian package snmpsim: run scripts/install (or apt-get install"
                + " --no-install-recommends snmpsim; a dpkg path-exclude of /usr/share/doc would also drop it)";
        if (!Files.isRegularFile(RECORDING)) {
            throw new IllegalStateException("the real switch's recording " + RECORDING + " is missing" + install);
        }
        if (!Files.isExecutable(Path.of(SIMULATOR))) {
            throw new IllegalStateException("the SNMP simulator " + SIMULATOR + " is missing" + install);
        }
        for (String tool : List.of("snmpget", "snmpset")) {
            if (LabSupport.run(List.of("sh", "-c", "command -v " + tool + " || true"), 10).isBlank()) {
                throw new IllegalStateException("'" + tool + "' is missing: run scripts/install (Debian package snmp)");
            }
        }
        stopSimulator(); // one left by a run that was killed before its @AfterAll
        boolean root = "0".equals(LabSupport.run(List.of("id", "-u"), 10).trim());

        // the recording, and the copy the simulator serves
        String recorded;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(RECORDING))) {
            recorded = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        recording = Recording.parse(recorded);
        assertTrue(recording.get(SYS_DESCR).orElse("").contains("C3750 Software"),
                "not the Catalyst 3750 recording this test expects: " + RECORDING);
        int vmRows = recording.column(VM_VLAN).size();
        assertTrue(vmRows > 0, "no vmVlan rows in " + RECORDING);
        if (Files.isDirectory(SIM)) {
            deleteTree(SIM);
        }
        Files.createDirectories(DIR);
        for (Path d : List.of(SIM, DATA, DATA_FILE.getParent())) {
            Files.createDirectories(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(DATA_FILE, writable(recorded), StandardCharsets.ISO_8859_1);
        Files.setPosixFilePermissions(DATA_FILE, PosixFilePermissions.fromString("rw-r--r--"));
        String[] before = recorded.split("\n", -1);
        String[] after = Files.readString(DATA_FILE, StandardCharsets.ISO_8859_1).split("\n", -1);
        assertEquals(before.length, after.length, "the copy has as many lines as the recording");
        int changed = 0;
        for (int i = 0; i < before.length; i++) {
            if (!before[i].equals(after[i])) {
                changed++;
                Matcher m = VM_VLAN_LINE.matcher(before[i]);
                assertTrue(m.matches(), "line " + (i + 1) + " changed but is not a vmVlan line: " + before[i]);
                assertEquals(m.group(1) + "|2:writecache|value=" + m.group(2), after[i]);
            }
        }
        assertEquals(vmRows, changed, "exactly the vmVlan lines are changed");

        // the index cache (snmpsimd writes it after dropping root)
        if (Files.isDirectory(CACHE)) {
            deleteTree(CACHE);
        }
        Files.createDirectories(CACHE);
        if (root) {
            UserPrincipalLookupService names = CACHE.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view = Files.getFileAttributeView(CACHE, PosixFileAttributeView.class);
            view.setOwner(names.lookupPrincipalByName("nobody"));
            view.setGroup(names.lookupPrincipalByGroupName("nogroup"));
        }

        // the made-up user: for snmpsimd in its args file, for snmpget in a private snmp.conf
        credential = LabSupport.madeUpUser(CREDENTIAL, "rec-" + Long.toHexString(new java.security.SecureRandom()
                .nextInt() & 0xffffffL), SnmpCredential.AuthProtocol.SHA256, SnmpCredential.PrivProtocol.AES256);
        writePrivate(ARGS, List.of("--v3-user=" + credential.user(), "--v3-auth-proto=SHA256",
                "--v3-auth-key=" + credential.authPassphrase(), "--v3-priv-proto=AES256BLMT",
                "--v3-priv-key=" + credential.privPassphrase()));
        Files.createDirectories(NET_SNMP.resolve("persist"));
        Files.setPosixFilePermissions(NET_SNMP, PosixFilePermissions.fromString("rwx------"));
        writePrivate(NET_SNMP.resolve("snmp.conf"), List.of("defVersion 3", "defSecurityName " + credential.user(),
                "defSecurityLevel authPriv", "defAuthType SHA-256", "defAuthPassphrase " + credential.authPassphrase(),
                "defPrivType AES-256", "defPrivPassphrase " + credential.privPassphrase()));

        port = freeUdpPort();
        List<String> cmd = new ArrayList<>(List.of(SIMULATOR, "--v3-only", "--v3-engine-id=auto",
                "--data-dir=" + DATA, "--cache-dir=" + CACHE, "--force-index-rebuild",
                "--agent-udpv4-endpoint=127.0.0.1:" + port, "--args-from-file=" + ARGS));
        if (root) {
            cmd.addAll(List.of("--process-user=nobody", "--process-group=nogroup"));
        }
        simulator = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectErrorStream(true)
                .redirectOutput(LOG.toFile()).start();
        Files.writeString(PID_FILE, simulator.pid() + "\n");

        // it indexes the 51 000 lines before it listens
        Instant deadline = Instant.now().plusSeconds(90);
        String last = "no answer yet";
        try (QBridgeSwitcher probe = new QBridgeSwitcher(QBridgeLabIT.profiles(Map.of(DEVICE, profile()),
                Map.of(CREDENTIAL, credential)))) {
            while (Instant.now().isBefore(deadline) && simulator.isAlive()) {
                Result<Map<AccessPort, VlanId>> r = probe.readVlans(List.of(new AccessPort(DEVICE, PORT_A)));
                if (r.isOk()) {
                    return;
                }
                last = r.failure().orElseThrow().cause();
                Thread.sleep(300);
            }
        }
        throw new IllegalStateException("snmpsimd on 127.0.0.1:" + port + " does not answer (" + last + ")"
                + (simulator.isAlive() ? "" : ", it exited " + simulator.exitValue()) + "; its log " + LOG + " ends: "
                + redact(tail(LOG)));
    }

    /**
     * Stops the simulator by its pid (and one a killed run left: its pid file's process, if that runs
     * snmpsimd on our data directory), redacts the keys from its log, deletes the made-up user's files.
     * The log stays in target/cisco-recorded for a look; the data copy and the cache are removed.
     */
    @AfterAll
    static void stopSimulator() throws Exception {
        List<ProcessHandle> ours = new ArrayList<>();
        if (simulator != null) {
            ours.add(simulator.toHandle());
        }
        if (Files.exists(PID_FILE)) {
            try {
                ProcessHandle.of(Long.parseLong(Files.readString(PID_FILE).trim()))
                        .filter(h -> h.info().commandLine().orElse("").contains("snmpsimd")
                                && h.info().commandLine().orElse("").contains("--data-dir=" + DATA))
                        .ifPresent(ours::add);
            } catch (NumberFormatException e) {
                // an empty pid file
            }
        }
        ours.stream().distinct().forEach(LabSupport::stop);
        simulator = null;
        Files.deleteIfExists(PID_FILE);
        if (Files.exists(LOG)) {
            Files.writeString(LOG, redact(Files.readString(LOG, StandardCharsets.ISO_8859_1)),
                    StandardCharsets.ISO_8859_1);
        }
        Files.deleteIfExists(ARGS);
        if (Files.isDirectory(NET_SNMP)) {
            deleteTree(NET_SNMP);
        }
        if (Files.isDirectory(SIM)) {
            deleteTree(SIM);
        }
    }

    private static String redact(String text) {
        if (credential == null) {
            return text.replaceAll("(key: )\\S+,", "$1****,");
        }
        return text.replace(credential.authPassphrase(), "****").replace(credential.privPassphrase(), "****");
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static void writePrivate(Path file, List<String> lines) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /** The recorded switch: style cisco-vmvlan, port.map = every recorded ifName → its ifIndex, no saveConfig. */
    static DeviceProfile profile() {
        return new DeviceProfile(DEVICE, "127.0.0.1", port, DeviceProfile.Version.V3, CREDENTIAL, Duration.ofMillis(2000),
                1, 60, DeviceProfile.Style.CISCO_VMVLAN, recording.ifIndexByName());
    }

    // ------------------------------------------------------------------ raw SNMP (Net-SNMP, not the driver)

    private static Map<String, String> netSnmpEnv() {
        return Map.of("SNMPCONFPATH", NET_SNMP.toString(), "SNMP_PERSISTENT_DIR", NET_SNMP.resolve("persist").toString(),
                "MIBS", "");
    }

    /** snmpget of vmVlan.&lt;ifIndex&gt;: ifIndex → the value as snmpget prints it ("65", or "No Such Instance …"). */
    static Map<Integer, String> rawVmVlans(Collection<Integer> ifIndexes) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("snmpget", "-On", "-Oq", "-t", "3", "-r", "1", "127.0.0.1:" + port));
        ifIndexes.forEach(i -> cmd.add(VM_VLAN + "." + i));
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : LabSupport.run(cmd, netSnmpEnv(), 30).split("\n")) {
            String prefix = "." + VM_VLAN + ".";
            int sp = line.indexOf(' ');
            if (line.startsWith(prefix) && sp > 0) {
                out.put(Integer.parseInt(line.substring(prefix.length(), sp)), line.substring(sp + 1).trim());
            }
        }
        return out;
    }

    static String rawVmVlan(int ifIndex) throws Exception {
        return rawVmVlans(List.of(ifIndex)).get(ifIndex);
    }

    /** Every recorded vmVlan as the simulator holds it now, against the recording: the rows that differ. */
    static Map<Integer, String> offTheRecording() throws Exception {
        SortedMap<Integer, Integer> recorded = recording.column(VM_VLAN);
        Map<Integer, String> now = rawVmVlans(recorded.keySet());
        Map<Integer, String> off = new TreeMap<>();
        recorded.forEach((ifIndex, vlan) -> {
            if (!Integer.toString(vlan).equals(now.get(ifIndex))) {
                off.put(ifIndex, now.get(ifIndex));
            }
        });
        return off;
    }

    // ------------------------------------------------------------------ per test

    @BeforeEach
    void setUp() throws Exception {
        assertEquals(Map.of(), offTheRecording(), "the simulator holds the recorded vmVlans before the test");
        devices.put(DEVICE, profile());
        switcher = new QBridgeSwitcher(QBridgeLabIT.profiles(devices, Map.of(CREDENTIAL, credential)));
    }

    /** Puts every vmVlan a failed test may have left moved back on its recorded VLAN, with snmpset. */
    @AfterEach
    void putBackTheRecording() throws Exception {
        switcher.close();
        if (simulator == null) {
            return;
        }
        Map<Integer, String> off = offTheRecording();
        if (!off.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("snmpset", "-On", "-Oq", "-t", "3", "-r", "1", "127.0.0.1:" + port));
            off.keySet().forEach(i -> cmd.addAll(List.of(VM_VLAN + "." + i, "i",
                    Integer.toString(recording.column(VM_VLAN).get(i)))));
            LabSupport.run(cmd, netSnmpEnv(), 30);
        }
    }

    static PortMove move(String port, VlanId from, VlanId to) {
        return new PortMove("u-" + port, new AccessPort(DEVICE, port), from, to);
    }

    static AccessPort at(String port) {
        return new AccessPort(DEVICE, port);
    }

    /** The VLAN the moves go to: where the recording has TARGET_OF, operational, none of A's, B's or C's. */
    static VlanId target() {
        VlanId t = recording.vlanOf(TARGET_OF);
        for (String p : List.of(PORT_A, PORT_B, PORT_C)) {
            assertNotEquals(recording.vlanOf(p), t, p + " is already on the target VLAN");
        }
        assertTrue(recording.operational(t), "vtpVlanState." + t + " is operational(1) in the recording");
        return t;
    }

    // ------------------------------------------------------------------ tests

    /** (a) The driver reads what the real switch answered, for three ports and for all recorded access ports. */
    @Test
    void readsTheRecordedVlansOfRealAccessPorts() throws Exception {
        List<String> three = List.of(PORT_A, PORT_B, PORT_C);
        assertEquals(3, three.stream().map(recording::vlanOf).distinct().count(), "three ports on three VLANs");
        Result<Map<AccessPort, VlanId>> read = switcher.readVlans(three.stream().map(CiscoRecordedIT::at).toList());
        assertTrue(read.isOk(), () -> "read failed: " + read.failure().orElseThrow());
        for (String p : three) {
            assertEquals(recording.vlanOf(p), read.orElseThrow().get(at(p)), p + " (ifIndex " + recording.ifIndex(p) + ")");
        }

        // every port the recording has a vmVlan for, by its ifName, in one GET (50 < max.varbinds 60)
        Map<AccessPort, VlanId> expected = new LinkedHashMap<>();
        recording.column(VM_VLAN).forEach((ifIndex, vlan) -> expected.put(at(recording.ifName(ifIndex)), VlanId.of(vlan)));
        Result<Map<AccessPort, VlanId>> all = switcher.readVlans(List.copyOf(expected.keySet()));
        assertTrue(all.isOk(), () -> "read failed: " + all.failure().orElseThrow());
        assertEquals(expected, all.orElseThrow());
    }

    /**
     * (b) GO for a move between VLANs the recording's vtpVlanState has; a target VLAN it does not have
     * is named with the switch (the driver checks VLANs per switch, so the Problem names the device
     * and the VLAN, not the port), and the move then sets nothing.
     */
    @Test
    void preflightIsGoBetweenRecordedVlansAndNamesOneTheSwitchLacks() throws Exception {
        VlanId a = recording.vlanOf(PORT_A);
        VlanId b = recording.vlanOf(PORT_B);
        VlanId to = target();
        assertTrue(recording.operational(a) && recording.operational(b), "the ports' VLANs are in vtpVlanState");
        Preflight pre = switcher.preflight(List.of(move(PORT_A, a, to), move(PORT_B, b, to))).orElseThrow();
        assertTrue(pre.go(), pre::toString);
        String note = pre.notes().get(0);
        assertTrue(note.startsWith(DEVICE + ": sysName " + recording.get(SYS_NAME).orElseThrow() + ", sysObjectID "
                + recording.get(SYS_OBJECT_ID).orElseThrow() + ", v3 authPriv, style cisco-vmvlan"), note);
        assertTrue(note.contains("2 port(s) in 1 SET PDU(s)") && !note.contains("copy running-config"), note);
        assertEquals(Map.of(), offTheRecording(), "a preflight sets nothing");

        int absent = 2;
        while (recording.column(VTP_VLAN_STATE).containsKey(absent)) {
            absent++;
        }
        VlanId missing = VlanId.of(absent);
        List<PortMove> toMissing = List.of(move(PORT_A, a, missing));
        Preflight no = switcher.preflight(toMissing).orElseThrow();
        assertFalse(no.go(), no::toString);
        assertEquals(List.of(new Problem(DEVICE, "VLAN " + absent + " does not exist on switch " + DEVICE
                + ": vtpVlanState.1." + absent + " = noSuchInstance")), no.problems());

        Problem p = switcher.move(toMissing, context).failure().orElseThrow();
        assertEquals(DEVICE, p.device());
        assertTrue(p.cause().startsWith(DEVICE + " (127.0.0.1:" + port + "): VLAN " + absent + " does not exist on switch "
                + DEVICE) && p.cause().contains("nothing was set"), p::toString);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        assertEquals(Integer.toString(a.value()), rawVmVlan(recording.ifIndex(PORT_A)));
    }

    /** (c) Two real access ports moved to another recorded VLAN in one SET; (d) restored to their recorded VLANs. */
    @Test
    void movesTwoPortsToAnotherRecordedVlanAndRestoresThem() throws Exception {
        VlanId a = recording.vlanOf(PORT_A);
        VlanId b = recording.vlanOf(PORT_B);
        VlanId c = recording.vlanOf(PORT_C);
        VlanId to = target();
        int ifA = recording.ifIndex(PORT_A);
        int ifB = recording.ifIndex(PORT_B);
        int ifC = recording.ifIndex(PORT_C);
        List<PortMove> moves = List.of(move(PORT_A, a, to), move(PORT_B, b, to));

        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow() + " " + operations);
        assertTrue(moved.orElseThrow().summary().startsWith("moved 2 port(s) on 1 switch(es) in 1 SET PDU(s), verified"),
                moved.orElseThrow()::summary);
        assertTrue(operations.stream().anyMatch(o -> o.startsWith(DEVICE + " GET vmVlan ×2 (before SET)")), operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("GET vtpVlanState of VLANs [" + to.value() + "] (before SET)")),
                operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.startsWith(DEVICE + " SET vmVlan ×2 [" + PORT_A + "→" + to.value()
                + ", " + PORT_B + "→" + to.value() + "]") && o.endsWith(" ok")), operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.contains("GET vmVlan ×2 (verify)") && o.endsWith(" ok")),
                operations::toString);
        assertFalse(operations.stream().anyMatch(o -> o.contains("dot1dBasePortIfIndex") || o.contains("ccCopy")),
                operations::toString);

        Map<AccessPort, VlanId> now = switcher.readVlans(List.of(at(PORT_A), at(PORT_B), at(PORT_C))).orElseThrow();
        assertEquals(Map.of(at(PORT_A), to, at(PORT_B), to, at(PORT_C), c), now);
        Map<Integer, String> raw = rawVmVlans(List.of(ifA, ifB, ifC));
        assertEquals(Map.of(ifA, Integer.toString(to.value()), ifB, Integer.toString(to.value()),
                ifC, Integer.toString(c.value())), raw, "snmpget after the move");
        assertEquals(Map.of(ifA, raw.get(ifA), ifB, raw.get(ifB)), offTheRecording(), "nothing else changed");

        operations.clear();
        Result<OpReport> restored = switcher.restore(moves, context);
        assertTrue(restored.isOk(), () -> "restore failed: " + restored.failure().orElseThrow() + " " + operations);
        assertTrue(operations.stream().anyMatch(o -> o.startsWith(DEVICE + " SET vmVlan ×2 [" + PORT_A + "→" + a.value()
                + ", " + PORT_B + "→" + b.value() + "]") && o.endsWith(" ok")), operations::toString);
        assertEquals(Map.of(at(PORT_A), a, at(PORT_B), b),
                switcher.readVlans(List.of(at(PORT_A), at(PORT_B))).orElseThrow());
        assertEquals(Map.of(ifA, Integer.toString(a.value()), ifB, Integer.toString(b.value())),
                rawVmVlans(List.of(ifA, ifB)), "snmpget after the restore");
        assertEquals(Map.of(), offTheRecording(), "the switch is as recorded again");
    }

    /**
     * A plan port given as a dot1dBasePort number (no port.map entry) is mapped to its ifIndex through
     * the recording's dot1dBasePortIfIndex; one the recording's default context lacks (IOS shows only
     * VLAN 1's bridge there) fails naming the port and asking for port.map.
     */
    @Test
    void aBridgePortNumberIsMappedThroughTheRecordedDot1dBasePortIfIndex() throws Exception {
        int ifIndex = recording.ifIndex(BY_BASE_PORT);
        SortedMap<Integer, Integer> bridge = recording.column(DOT1D_BASE_PORT_IFINDEX);
        int base = bridge.entrySet().stream().filter(e -> e.getValue() == ifIndex).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no dot1dBasePort for " + BY_BASE_PORT + " in the recording"));
        String plan = Integer.toString(base);
        VlanId from = recording.vlanOf(BY_BASE_PORT);
        VlanId to = target();
        assertEquals(Map.of(at(plan), from), switcher.readVlans(List.of(at(plan))).orElseThrow());

        List<PortMove> moves = List.of(move(plan, from, to));
        Result<OpReport> moved = switcher.move(moves, context);
        assertTrue(moved.isOk(), () -> "move failed: " + moved.failure().orElseThrow() + " " + operations);
        // resolved once per session: readVlans above already cached it, so the move asks nothing
        assertFalse(operations.stream().anyMatch(o -> o.contains("dot1dBasePortIfIndex")), operations::toString);
        assertTrue(operations.stream().anyMatch(o -> o.startsWith(DEVICE + " SET vmVlan ×1 [" + plan + "→" + to.value() + "]")
                && o.endsWith(" ok")), operations::toString);
        assertEquals(Integer.toString(to.value()), rawVmVlan(ifIndex), "snmpget of vmVlan." + ifIndex);
        assertTrue(switcher.restore(moves, context).isOk());
        assertEquals(Integer.toString(from.value()), rawVmVlan(ifIndex));

        // a fresh session asks the switch, once, inside the move's own operation log
        switcher.close();
        switcher = new QBridgeSwitcher(QBridgeLabIT.profiles(devices, Map.of(CREDENTIAL, credential)));
        operations.clear();
        assertTrue(switcher.move(moves, context).isOk(), operations::toString);
        assertEquals(1, operations.stream().filter(o -> o.startsWith(DEVICE + " GET dot1dBasePortIfIndex ×1")
                && o.endsWith(" ok")).count(), operations::toString);
        assertTrue(switcher.restore(moves, context).isOk());
        assertEquals(Map.of(), offTheRecording());

        int unknown = bridge.lastKey() + 1;
        Problem p = switcher.readVlans(List.of(at(Integer.toString(unknown)))).failure().orElseThrow();
        assertEquals(DEVICE, p.device());
        assertTrue(p.cause().contains("port " + unknown + ": no dot1dBasePortIfIndex." + unknown + " (noSuchInstance)")
                && p.cause().contains("give port.map " + unknown + "=<ifIndex>"), p::toString);
    }

    /** (e) The recorded uplink trunks and has no vmVlan row: read, preflight and move name it; nothing is set. */
    @Test
    void aTrunkPortWithoutVmVlanIsNamedAndNothingIsSet() throws Exception {
        int trunkIf = recording.ifIndex(TRUNK);
        assertFalse(recording.column(VM_VLAN).containsKey(trunkIf), "the recording has no vmVlan." + trunkIf);
        assertEquals(Integer.valueOf(1), recording.column(TRUNK_STATUS).get(trunkIf), TRUNK + " is trunking(1) in the recording");
        String named = "port " + TRUNK + " (ifIndex " + trunkIf + "): no vmVlan (noSuchInstance) — no such ifIndex, "
                + "not an access port (a trunk has no vmVlan)";

        Problem read = switcher.readVlans(List.of(at(PORT_A), at(TRUNK))).failure().orElseThrow();
        assertEquals(DEVICE, read.device());
        assertTrue(read.cause().startsWith(DEVICE + " (127.0.0.1:" + port + "): " + named), read::toString);

        VlanId a = recording.vlanOf(PORT_A);
        VlanId to = target();
        List<PortMove> moves = List.of(move(PORT_A, a, to), move(TRUNK, VlanId.of(1), to));
        Preflight pre = switcher.preflight(moves).orElseThrow();
        assertFalse(pre.go());
        assertTrue(pre.problems().stream().anyMatch(p -> p.device().equals(DEVICE) && p.cause().contains(named)),
                pre::toString);

        Problem p = switcher.move(moves, context).failure().orElseThrow();
        assertEquals(DEVICE, p.device());
        assertTrue(p.cause().startsWith(DEVICE + " (127.0.0.1:" + port + "): " + named), p::toString);
        assertFalse(operations.stream().anyMatch(o -> o.contains(" SET ")), operations::toString);
        assertEquals(Integer.toString(a.value()), rawVmVlan(recording.ifIndex(PORT_A)), PORT_A + " was not moved");
        assertTrue(rawVmVlan(trunkIf).startsWith("No Such Instance"), "snmpget of the trunk's vmVlan");
    }
}

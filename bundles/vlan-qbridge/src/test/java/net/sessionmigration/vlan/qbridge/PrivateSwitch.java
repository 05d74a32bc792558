package net.sessionmigration.vlan.qbridge;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * A switch of one test class's own, not the shared lab's (root): network namespace {@code ns} with
 * bridges br-v1..br-v&lt;vlans&gt; and access ports p1..pN (veth pairs whose peers hN stay inside),
 * all on VLAN 1 at first, reached over a veth {@code hostIf} (host address) ↔ ctl0 (agent address,
 * /30), and Net-SNMP's snmpd on udp:agent:port with the configuration lines the test gives (its
 * made-up SNMPv3 users, views, {@code pass_persist} roots running lab/tools/qbridge-agent, see
 * {@link #agent}). A move is checked in the KERNEL: {@link #master} is the bridge pN is enslaved to.
 * {@link #down} stops everything started here by its pid (snmpd by its pid file, then what still runs
 * in the namespace), deletes the namespace, and removes the made-up users' snmpd.conf and keys; the
 * logs stay in {@code dir}. Used by {@link CiscoLabIT} and {@link VendorQuirksLabIT}.
 * Note: the shared lab's 'lab down'/'lab up' deletes every sm-* namespace it finds; if another job
 * runs one meanwhile, this switch goes with it and the tests fail (run again).
 */
final class PrivateSwitch {
    final String ns;
    /** Not smc-*: the shared lab's 'down' deletes those. */
    final String hostIf;
    final String hostAddr;
    final String agentAddr;
    final int snmpPort;
    final int ports;
    final int vlans;
    final Path dir;
    private Process snmpd;

    PrivateSwitch(String ns, String hostIf, String hostAddr, String agentAddr, int snmpPort, int ports, int vlans,
                  Path dir) {
        this.ns = ns;
        this.hostIf = hostIf;
        this.hostAddr = hostAddr;
        this.agentAddr = agentAddr;
        this.snmpPort = snmpPort;
        this.ports = ports;
        this.vlans = vlans;
        this.dir = dir.toAbsolutePath();
    }

    Path agentLog() {
        return dir.resolve("agent.log");
    }

    private Path pidFile() {
        return dir.resolve("snmpd.pid");
    }

    boolean running() {
        return snmpd != null;
    }

    /** The pass_persist command of the lab agent for this switch's ports, with these options. */
    String agent(String... options) {
        return "/usr/bin/python3 " + LabSupport.LAB.resolve("tools/qbridge-agent") + " --ports " + ports
                + (options.length == 0 ? "" : " " + String.join(" ", options)) + " --log " + agentLog();
    }

    /** snmpd.conf's line for a made-up SHA-256/AES-256 user. */
    static String createUser(SnmpCredential c) {
        return "createUser " + c.user() + " SHA-256 \"" + c.authPassphrase() + "\" AES-256 \"" + c.privPassphrase() + "\"";
    }

    /** A v3 profile of this switch. */
    DeviceProfile profile(String name, String credential, DeviceProfile.Style style) {
        return new DeviceProfile(name, agentAddr, snmpPort, DeviceProfile.Version.V3, credential, Duration.ofMillis(1000),
                1, 60, style, Map.of());
    }

    /**
     * Builds the namespace and starts snmpd with {@code conf} (after its agentAddress line); returns when
     * {@code probe} (a user among them) reads port 1 in {@code style} (the first request also starts the
     * pass_persist programs it needs).
     */
    void up(List<String> conf, SnmpCredential probe, DeviceProfile.Style style) throws Exception {
        if (!"0".equals(sh("id", "-u").trim())) {
            throw new IllegalStateException("this test needs root (network namespaces): run as root, or -DskipITs");
        }
        for (String tool : List.of("ip", "snmpd", "/usr/bin/python3")) {
            if (sh("sh", "-c", "command -v " + tool + " || true").isBlank()) {
                throw new IllegalStateException("'" + tool + "' is missing: apt-get install snmpd iproute2 python3");
            }
        }
        down(); // a run that was killed before its @AfterAll
        Files.createDirectories(dir.resolve("persist"));
        Files.deleteIfExists(agentLog());
        sh("ip", "netns", "add", ns);
        ipn("link", "set", "lo", "up");
        for (int v = 1; v <= vlans; v++) {
            ipn("link", "add", "br-v" + v, "type", "bridge", "stp_state", "0", "forward_delay", "0");
            ipn("link", "set", "br-v" + v, "up");
        }
        for (int p = 1; p <= ports; p++) {
            ipn("link", "add", "p" + p, "type", "veth", "peer", "name", "h" + p);
            ipn("link", "set", "p" + p, "master", "br-v1", "up");
            ipn("link", "set", "h" + p, "up");
        }
        sh("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "ctl0", "netns", ns);
        sh("ip", "addr", "add", hostAddr + "/30", "dev", hostIf);
        sh("ip", "link", "set", hostIf, "up");
        ipn("addr", "add", agentAddr + "/30", "dev", "ctl0");
        ipn("link", "set", "ctl0", "up");

        List<String> lines = new ArrayList<>(List.of("# written by a test for its private switch " + ns,
                "agentAddress udp:" + agentAddr + ":" + snmpPort, "dontLogTCPWrappersConnects yes"));
        lines.addAll(conf);
        Path confFile = dir.resolve("snmpd.conf");
        Files.deleteIfExists(confFile);
        Files.createFile(confFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(confFile, lines, StandardCharsets.UTF_8);

        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, "snmpd", "-f", "-C", "-c", confFile.toString(),
                "-Lf", dir.resolve("snmpd.log").toString(), "-p", pidFile().toString())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("snmpd.out").toFile()).redirectErrorStream(true);
        pb.environment().put("MIBS", "");
        pb.environment().put("SNMP_PERSISTENT_DIR", dir.resolve("persist").toString());
        snmpd = pb.start();
        Instant deadline = Instant.now().plusSeconds(15);
        String last = "";
        try (QBridgeSwitcher switcher = new QBridgeSwitcher(QBridgeLabIT.profiles(Map.of("probe",
                profile("probe", probe.name(), style)), Map.of(probe.name(), probe)))) {
            while (Instant.now().isBefore(deadline)) {
                Result<Map<AccessPort, VlanId>> r = switcher.readVlans(List.of(new AccessPort("probe", "1")));
                if (r.isOk()) {
                    return;
                }
                last = r.failure().orElseThrow().cause();
                if (!snmpd.isAlive()) {
                    break;
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("snmpd in " + ns + " does not answer (" + last + "); see " + dir);
    }

    /**
     * Stops what {@link #up} started, by pid (snmpd from its pid file, then what still runs in the
     * namespace: the agents snmpd started), and deletes the namespace (and with it the veth).
     */
    void down() throws Exception {
        List<Long> pids = new ArrayList<>();
        if (snmpd != null) {
            pids.add(snmpd.pid());
        }
        if (Files.exists(pidFile())) {
            try {
                pids.add(Long.parseLong(Files.readString(pidFile()).trim()));
            } catch (NumberFormatException e) {
                // an empty pid file: snmpd died before writing it
            }
        }
        for (long pid : pids) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            // only our snmpd: a stale pid file's number may belong to someone else by now
            if (h.isPresent() && h.get().info().command().orElse("").endsWith("snmpd")
                    || h.isPresent() && snmpd != null && pid == snmpd.pid()) {
                LabSupport.stop(h.get());
            }
        }
        snmpd = null;
        if (sh("ip", "netns", "list").lines().anyMatch(l -> l.split(" ")[0].equals(ns))) {
            for (String pid : sh("ip", "netns", "pids", ns).trim().split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(LabSupport::stop);
                }
            }
            sh("ip", "netns", "del", ns);
        }
        // deleting the namespace deletes the veth pair too (the kernel may take a moment)
        sh("sh", "-c", "ip link del " + hostIf + " 2>/dev/null || true");
        // the made-up users' passphrases (snmpd.conf) and keys (persist/) go; the logs stay for a look
        Files.deleteIfExists(dir.resolve("snmpd.conf"));
        if (Files.isDirectory(dir.resolve("persist"))) {
            try (var files = Files.walk(dir.resolve("persist"))) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /** Every port back on VLAN 1 (after a test), in the kernel. */
    void allPortsToVlan1() throws Exception {
        for (int p = 1; p <= ports; p++) {
            ipn("link", "set", "p" + p, "master", "br-v1");
        }
    }

    /** The bridge port pN is enslaved to, as the kernel says ("none" when it is in no bridge). */
    String master(int port) throws Exception {
        Matcher m = Pattern.compile(" master (\\S+) ").matcher(sh("ip", "-n", ns, "-o", "link", "show", "p" + port));
        return m.find() ? m.group(1) : "none";
    }

    /** The kernel's ifindex of pN. */
    int ifIndex(int port) throws Exception {
        return Integer.parseInt(sh("ip", "-n", ns, "-o", "link", "show", "p" + port).split(":")[0].trim());
    }

    String agentLogText() throws IOException {
        return Files.exists(agentLog()) ? Files.readString(agentLog()) : "";
    }

    void ipn(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        LabSupport.run(cmd, 20);
    }

    private static String sh(String... cmd) throws Exception {
        return LabSupport.run(List.of(cmd), 20);
    }
}

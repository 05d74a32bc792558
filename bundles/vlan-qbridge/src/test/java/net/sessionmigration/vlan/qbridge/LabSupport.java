package net.sessionmigration.vlan.qbridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The lab as the tests and the benchmark see it: brings it up when it is down, reads
 * lab/run/lab.env and credentials.env, and probes from a user's namespace which site
 * answers. Never prints a secret.
 */
final class LabSupport {
    static final Path LAB = locateLab();
    static final Path RUN = LAB.resolve("run");

    final Map<String, String> env;
    final Map<String, String> secrets;

    private LabSupport(Map<String, String> env, Map<String, String> secrets) {
        this.env = env;
        this.secrets = secrets;
    }

    private static Path locateLab() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isExecutable(p.resolve("lab/lab"))) {
                return p.resolve("lab");
            }
            p = p.getParent();
        }
        return Path.of("/work/main/lab");
    }

    /** The running lab, brought up with {@code upArgs} when there is none. */
    static LabSupport ensureUp(String... upArgs) throws Exception {
        String uid = run(List.of("id", "-u"), 10).trim();
        if (!"0".equals(uid)) {
            throw new IllegalStateException("the lab tests need root (network namespaces): run them as root, "
                    + "or skip them with -DskipITs");
        }
        for (String tool : List.of("ip", "snmpd", "snmpset", "python3")) {
            if (run(List.of("sh", "-c", "command -v " + tool + " || true"), 10).isBlank()) {
                throw new IllegalStateException("'" + tool + "' is missing: run lab/setup (apt-get install snmpd snmp "
                        + "iproute2 python3), then lab/lab up");
            }
        }
        if (!Files.exists(RUN.resolve("lab.env")) || !Files.exists(RUN.resolve("params"))) {
            List<String> cmd = new ArrayList<>(List.of(LAB.resolve("lab").toString(), "up"));
            cmd.addAll(List.of(upArgs));
            try {
                run(cmd, 300);
                broughtUp = true;
            } catch (IOException e) {
                throw new IllegalStateException("the lab is down and '" + String.join(" ", cmd) + "' failed; run "
                        + "lab/setup then lab/lab up as root. " + e.getMessage());
            }
        }
        return new LabSupport(readEnv(RUN.resolve("lab.env")), readEnv(RUN.resolve("credentials.env")));
    }

    private static Process lock;
    /** We ran 'lab up': the lab was down, and leaving it as found means taking it down again. */
    private static boolean broughtUp;

    /**
     * The running lab, held: lab/lab serialises its commands with one machine-wide lock, so
     * while we hold that lock nobody's 'lab down' / 'lab up' rebuilds the lab under our tests.
     */
    static synchronized LabSupport ensureUpAndLocked(String... upArgs) throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            ensureUp(upArgs);
            Process p = holdLabLock();
            lock = p;
            if (Files.exists(RUN.resolve("lab.env")) && Files.exists(RUN.resolve("params"))) {
                return new LabSupport(readEnv(RUN.resolve("lab.env")), readEnv(RUN.resolve("credentials.env")));
            }
            unlock();
        }
        throw new IllegalStateException("the lab keeps going down (someone runs lab/lab down): try again later");
    }

    static synchronized void unlock() {
        if (lock != null) {
            try {
                lock.getOutputStream().close();
                lock.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                lock.destroy();
            }
            lock = null;
        }
    }

    /** Releases the lock and, if the lab was down when we came, takes it down again. */
    static synchronized void unlockAndLeaveAsFound() throws Exception {
        unlock();
        if (broughtUp) {
            broughtUp = false;
            run(List.of(LAB.resolve("lab").toString(), "down"), 120);
        }
    }

    static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq <= 0) {
                continue;
            }
            String v = line.substring(eq + 1).trim();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                v = v.substring(1, v.length() - 1);
            }
            out.put(line.substring(0, eq).trim(), v);
        }
        return out;
    }

    List<String> switchAgents() {
        return List.of(env.get("LAB_SWITCH_AGENTS").split(" "));
    }

    int portsPerSwitch() {
        return Integer.parseInt(env.get("LAB_PORTS"));
    }

    /** ns, address, switch, agent, port, near of user uN. */
    Map<String, String> user(String name) {
        Map<String, String> out = new HashMap<>();
        for (String kv : env.get("LAB_USER_" + name).split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    String vip() {
        return env.get("LAB_VIP");
    }

    int servicePort() {
        return Integer.parseInt(env.get("LAB_SERVICE_PORT"));
    }

    String mainServer() {
        return "10.20.0.11";
    }

    String backupServer() {
        return "10.20.0.12";
    }

    boolean vipConfiguredAt(String serverNs) throws Exception {
        return run(List.of("ip", "-n", serverNs, "-br", "addr", "show"), 10).contains(vip() + "/");
    }

    SnmpCredential community() {
        return SnmpCredential.community("lab-v2c", secrets.get("SNMP_COMMUNITY"));
    }

    SnmpCredential sha() {
        return SnmpCredential.user("lab-sha", secrets.get("SNMP_V3_SHA_USER"), SnmpCredential.AuthProtocol.SHA,
                secrets.get("SNMP_V3_SHA_AUTH"), SnmpCredential.PrivProtocol.AES128, secrets.get("SNMP_V3_SHA_PRIV"));
    }

    SnmpCredential sha256() {
        return SnmpCredential.user("lab-sha256", secrets.get("SNMP_V3_SHA256_USER"), SnmpCredential.AuthProtocol.SHA256,
                secrets.get("SNMP_V3_SHA256_AUTH"), SnmpCredential.PrivProtocol.AES256, secrets.get("SNMP_V3_SHA256_PRIV"));
    }

    /**
     * TCP-connects from {@code ns} to each address at once; an address is reachable when
     * something answers (accept or refuse), unreachable on timeout or ICMP unreachable.
     */
    Map<String, Boolean> reach(String ns, int port, double timeoutSeconds, String... addresses) throws Exception {
        String script = String.join("\n",
                "import socket, select, sys, time, errno",
                "port = int(sys.argv[1]); timeout = float(sys.argv[2]); addrs = sys.argv[3:]",
                "socks = {}; result = {}",
                "for a in addrs:",
                "    s = socket.socket(); s.setblocking(False)",
                "    e = s.connect_ex((a, port))",
                "    if e in (0, errno.ECONNREFUSED): result[a] = True; s.close()",
                "    elif e == errno.EINPROGRESS: socks[s] = a",
                "    else: result[a] = False; s.close()",
                "end = time.time() + timeout",
                "while socks and time.time() < end:",
                "    _, w, _ = select.select([], list(socks), [], max(0.0, end - time.time()))",
                "    for s in w:",
                "        e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)",
                "        result[socks.pop(s)] = e in (0, errno.ECONNREFUSED); s.close()",
                "for s, a in socks.items(): result[a] = False; s.close()",
                "print(' '.join(a + '=' + ('1' if result[a] else '0') for a in addrs))");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "python3", "-c", script,
                Integer.toString(port), Double.toString(timeoutSeconds)));
        cmd.addAll(List.of(addresses));
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (String kv : run(cmd, 30).trim().split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.endsWith("=1"));
        }
        return out;
    }

    /**
     * Which site user {@code ns} reaches: "main" or "backup" by the servers' own addresses, and
     * whether v answers. Retries once: the first packets after a switch may wait for ARP.
     */
    String site(String ns) throws Exception {
        String answer = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            Map<String, Boolean> r = reach(ns, servicePort(), 0.6, mainServer(), backupServer(), vip());
            boolean main = r.get(mainServer());
            boolean backup = r.get(backupServer());
            answer = (main && !backup ? "main" : backup && !main ? "backup" : main ? "both" : "none")
                    + (r.get(vip()) ? "+v" : "");
            if (!answer.startsWith("none") && !answer.startsWith("both")) {
                return answer;
            }
        }
        return answer;
    }

    /** What the user must see at a site: the site's server, and v when that site holds it. */
    String expectedSite(String site) throws Exception {
        String ns = site.equals("main") ? "sm-main-srv" : "sm-bak-srv";
        return site + (vipConfiguredAt(ns) ? "+v" : "");
    }

    static String run(List<String> cmd, int timeoutSeconds) throws Exception {
        return run(cmd, Map.of(), timeoutSeconds);
    }

    /** {@link #run(List, int)} with these variables added to the environment (e.g. Net-SNMP's SNMPCONFPATH). */
    static String run(List<String> cmd, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " exited "
                    + p.exitValue() + ": " + text.strip());
        }
        return text;
    }

    /**
     * An SNMPv3 user made up for one test run: random hex passphrases (24 characters each), never
     * printed ({@link SnmpCredential#toString()} hides them).
     */
    static SnmpCredential madeUpUser(String name, String user, SnmpCredential.AuthProtocol auth,
                                     SnmpCredential.PrivProtocol priv) {
        java.security.SecureRandom random = new java.security.SecureRandom();
        byte[] a = new byte[12];
        byte[] p = new byte[12];
        random.nextBytes(a);
        random.nextBytes(p);
        return SnmpCredential.user(name, user, auth, java.util.HexFormat.of().formatHex(a), priv,
                java.util.HexFormat.of().formatHex(p));
    }

    /** Stops a process this test started: SIGTERM, then SIGKILL if it is still there after 5 s. */
    static void stop(ProcessHandle h) {
        h.destroy();
        try {
            h.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }

    /**
     * {@code lab/lab hold}: the machine-wide lab lock (defined once, in lab/lib/common.sh), kept
     * until the process's standard input closes; it waits, as lab/lab does, while someone else
     * holds it.
     */
    private static Process holdLabLock() throws IOException {
        Process p = new ProcessBuilder(LAB.resolve("lab").toString(), "hold")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null && !line.equals("locked")) {
            // "lab: waiting for another lab command or test run"
        }
        if (line == null) {
            p.destroy();
            throw new IllegalStateException("could not take the lab lock (lab/lab hold)");
        }
        return p;
    }
}

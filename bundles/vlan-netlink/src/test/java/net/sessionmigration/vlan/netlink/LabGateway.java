package net.sessionmigration.vlan.netlink;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The lab's Linux gateway as the IT and the latency main see it: brings the lab up when it is
 * down, holds the lab lock (lab/lab hold, as vlan-qbridge's LabSupport), starts the gateway
 * daemon (lab/daemons/daemons start gw) when it does not run, and undoes exactly what it did.
 * Never prints a secret.
 */
final class LabGateway {
    static final Path LAB = locateLab();
    static final Path RUN = LAB.resolve("run");
    static final Path PKI = RUN.resolve("daemons/pki");
    static final Path JAR = LAB.getParent().resolve("daemon/target/sm-daemon-0.1.0-SNAPSHOT-exec.jar");

    final Map<String, String> env;
    private Process lock;
    private boolean broughtUp;
    private boolean startedDaemon;
    private final List<List<String>> undo = new ArrayList<>();

    private LabGateway(Map<String, String> env) {
        this.env = env;
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

    /** Lab up (brought up if down), locked, gateway daemon running. */
    static LabGateway open() throws Exception {
        if (!"0".equals(run(List.of("id", "-u"), 10).trim())) {
            throw new IllegalStateException("the gateway lab test needs root (network namespaces): run it as root, "
                    + "or skip it with -DskipITs");
        }
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: cd daemon && mvn -B -q install");
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            boolean up = false;
            if (!Files.exists(RUN.resolve("lab.env"))) {
                run(List.of(LAB.resolve("lab").toString(), "up"), 300);
                up = true;
            }
            Process p = holdLabLock();
            if (Files.exists(RUN.resolve("lab.env"))) {
                LabGateway g = new LabGateway(readEnv(RUN.resolve("lab.env")));
                g.lock = p;
                g.broughtUp = up;
                if (g.env.getOrDefault("LAB_NS_GATEWAY", "").isEmpty()) {
                    g.close();
                    throw new IllegalStateException("the lab runs without a gateway (--gateway-users 0): lab/lab down, "
                            + "then lab/lab up");
                }
                g.ensureDaemon();
                return g;
            }
            p.getOutputStream().close();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        throw new IllegalStateException("the lab keeps going down (someone runs lab/lab down): try again later");
    }

    private void ensureDaemon() throws Exception {
        String status = run(List.of(LAB.resolve("daemons/daemons").toString(), "status", "gw"), 30);
        if (!status.contains("running")) {
            run(List.of(LAB.resolve("daemons/daemons").toString(), "start", "gw"), 120);
            startedDaemon = true;
        }
    }

    /** Runs {@code lab/lab ARGS} under our lock (LAB_LOCK_HELD) and remembers how to undo it. */
    void lab(List<String> args, List<String> undoArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LAB.resolve("lab").toString()));
        cmd.addAll(args);
        run(cmd, 120, Map.of("LAB_LOCK_HELD", "1"));
        if (undoArgs != null) {
            undo.add(0, undoArgs);
        }
    }

    String ns() {
        return env.get("LAB_NS_GATEWAY");
    }

    String controlAddress() {
        return env.get("LAB_CTL_GATEWAY");
    }

    String vip() {
        return env.get("LAB_VIP");
    }

    int servicePort() {
        return Integer.parseInt(env.get("LAB_SERVICE_PORT"));
    }

    /** ns, address, port, interface of gateway user guN. */
    Map<String, String> user(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : env.get("LAB_GWUSER_" + name).split(" ")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }

    String url() {
        return "https://" + controlAddress() + ":7443";
    }

    /** The driver's client for the lab gateway, with the lab's coordinator certificate. */
    GatewayClient client(String name, String url) throws Exception {
        return GatewayDeviceConfig.create(name, url, PKI.resolve("coordinator.p12").toString(),
                "file:" + PKI.resolve("store.pass"), PKI.resolve("truststore.p12").toString(),
                "file:" + PKI.resolve("store.pass"), 5000);
    }

    NetlinkGatewaySwitcher switcher(Map<String, GatewayClient> clients) {
        return new NetlinkGatewaySwitcher(n -> Optional.ofNullable(clients.get(n)));
    }

    /** The bridge a port of the gateway is in, from ip(8): what an operator would look at. */
    String masterOf(String port) throws Exception {
        String out = run(List.of("ip", "-n", ns(), "-o", "link", "show", port), 10);
        int i = out.indexOf(" master ");
        return i < 0 ? "" : out.substring(i + 8).split(" ")[0];
    }

    /**
     * A TCP connect from the user's namespace to v: the site name streamd sends in its first
     * line ("seq time name"), or "none" when nothing answers within the timeout.
     */
    String siteOfV(String userNs) throws Exception {
        String script = String.join("\n",
                "import socket, sys",
                "try:",
                "    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.5)",
                "    f = s.makefile('r'); line = f.readline().split()",
                "    print(line[2] if len(line) >= 3 else 'no-line')",
                "except Exception as e:",
                "    print('none')");
        String answer = "none";
        for (int attempt = 0; attempt < 3 && answer.equals("none"); attempt++) {
            answer = run(List.of("ip", "netns", "exec", userNs, "python3", "-c", script, vip(),
                    Integer.toString(servicePort())), 20).trim();
        }
        return answer;
    }

    boolean workloadRuns(String site) throws Exception {
        Path pid = RUN.resolve((site.equals("main") ? "sm-main-srv" : "sm-bak-srv") + "/streamd.pid");
        if (!Files.exists(pid)) {
            return false;
        }
        return Files.exists(Path.of("/proc", Files.readString(pid).trim()));
    }

    boolean vipAt(String site) throws Exception {
        return run(List.of("ip", "-n", site.equals("main") ? "sm-main-srv" : "sm-bak-srv", "-br", "addr", "show"), 10)
                .contains(vip() + "/");
    }

    /** Undoes what we did (newest first), stops the daemon if we started it, unlocks, lab down if we brought it up. */
    void close() throws Exception {
        for (List<String> u : undo) {
            try {
                lab(u, null);
            } catch (Exception e) {
                System.err.println("LabGateway: undo " + u + " failed: " + e.getMessage());
            }
        }
        undo.clear();
        if (startedDaemon) {
            run(List.of(LAB.resolve("daemons/daemons").toString(), "stop", "gw"), 60);
            startedDaemon = false;
        }
        if (lock != null) {
            lock.getOutputStream().close();
            if (!lock.waitFor(5, TimeUnit.SECONDS)) {
                lock.destroy();
            }
            lock = null;
        }
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

    static String run(List<String> cmd, int timeoutSeconds) throws Exception {
        return run(cmd, timeoutSeconds, Map.of());
    }

    static String run(List<String> cmd, int timeoutSeconds, Map<String, String> extraEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd.subList(0, Math.min(4, cmd.size()))) + " exited "
                    + p.exitValue() + ": " + text.strip());
        }
        return text;
    }

    static URI uri(String s) {
        return URI.create(s);
    }

    static Duration ms(long n) {
        return Duration.ofMillis(n);
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

package net.sessionmigration.vlan.netlink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import net.sessionmigration.daemon.TestPki;

/**
 * A Linux gateway with bridge VLAN filtering, for {@link VlanFilteringVmIT}: Debian's 6.1 kernel
 * (CONFIG_BRIDGE_VLAN_FILTERING=y; this host's kernel has none) under QEMU TCG with the initramfs
 * of {@code lab/vm/build-image --gateway-test}. The guest runs the host's java, ip and bridge,
 * chrooted into the host's root shared read-only over 9p, and the real daemon jar in the gateway
 * role; the test's directory (config, keystores, scripts, logs) is a second, read-write 9p share
 * mounted at the same path in the guest, so every path means the same on both sides.
 * <p>
 * The host reaches the guest's daemon only through QEMU user networking with {@code restrict=on}
 * (the guest reaches nothing) and one forward from 127.0.0.1:PORT to the daemon's port: no
 * namespace, bridge or lab name of the host is touched. Commands run in the guest through a tiny
 * channel on the share: the host drops {@code cmd/N.sh}, the guest's loop runs it and leaves
 * {@code N.out} and then {@code N.rc}. QEMU is the one process started, stopped by its PID
 * ({@link #close}, also from a shutdown hook).
 */
final class GatewayVm implements AutoCloseable {
    static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    static final int DAEMON_PORT = 7443;
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9/._-]+");

    final Path work;
    final int port;
    final Map<String, String> image;
    /** ms: QEMU start → init's ready marker (kernel boot, modules, 9p mounts), → daemon listening. */
    final long bootMs;
    final long daemonMs;
    private final Process qemu;
    private final Thread hook;
    private final AtomicInteger commands = new AtomicInteger();

    private GatewayVm(Path work, int port, Map<String, String> image, Process qemu, Thread hook, long bootMs,
                      long daemonMs) {
        this.work = work;
        this.port = port;
        this.image = image;
        this.qemu = qemu;
        this.hook = hook;
        this.bootMs = bootMs;
        this.daemonMs = daemonMs;
    }

    /**
     * Checks the prerequisites (failing, never skipping, with what to install), builds the image,
     * prepares {@code work} (emptied first) and boots the gateway: {@code setup} is a POSIX shell
     * script run in the guest (set -e) before the daemon starts, with {@code gatewayJson} as the
     * daemon's "gateway" section.
     */
    static GatewayVm boot(Path work, String setup, String gatewayJson) throws Exception {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        if (uid != 0) {
            throw new IllegalStateException("the VLAN-filtering gateway test needs root (lab/vm/build-image and the"
                    + " host's root shared into the guest); this JVM runs as uid " + uid + ": run it as root, or skip"
                    + " it with -DskipITs");
        }
        if (!Files.isExecutable(QEMU)) {
            throw new IllegalStateException(QEMU + " is missing: apt-get install --no-install-recommends"
                    + " qemu-system-x86 (lab/vm/build-image installs it; scripts/install runs that)");
        }
        if (!Files.exists(LabGateway.JAR)) {
            throw new IllegalStateException(LabGateway.JAR + " is missing: mvn -o -q install -pl daemon -DskipTests");
        }
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new IllegalStateException("/bin/busybox is missing: apt-get install busybox-static");
        }
        if (!SAFE_PATH.matcher(work.toString()).matches() || work.startsWith("/tmp") || work.startsWith("/run")) {
            throw new IllegalStateException("the test directory " + work + " must be a plain path (letters, digits,"
                    + " / . _ -: QEMU splits options at commas, the kernel command line at spaces) outside /tmp and"
                    + " /run (the guest mounts its own tmpfs there)");
        }
        Map<String, String> image = buildImage();
        deleteTree(work);
        Files.createDirectories(work.resolve("cmd"));
        TestPki pki = new TestPki(Files.createDirectories(work.resolve("pki")));
        Files.writeString(pki.dir.resolve("store.pass"), TestPki.PASS + "\n");
        // a copy: a daemon jar rebuilt meanwhile (mvn install elsewhere) must not change under the guest
        Files.copy(LabGateway.JAR, work.resolve("sm-daemon.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(busybox, work.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        // the lab's JVM options, copied too: the build tree may lie under /tmp, which the guest cannot see
        Files.copy(LabGateway.LAB.resolve("daemons/java-opts"), work.resolve("java-opts"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(work.resolve("gw.json"), String.join("\n",
                "{",
                "  \"name\": \"gw\",",
                "  \"listenAddress\": \"0.0.0.0\",",
                "  \"listenPort\": " + DAEMON_PORT + ",",
                "  \"tls\": {\"keystore\": \"" + pki.store("server") + "\", \"keystorePasswordFile\": \""
                        + pki.dir.resolve("store.pass") + "\",",
                "          \"truststore\": \"" + pki.store("truststore") + "\", \"truststorePasswordFile\": \""
                        + pki.dir.resolve("store.pass") + "\"},",
                "  \"imageRoot\": \"/tmp/sm-daemon-gw\",",
                "  \"gateway\": " + gatewayJson,
                "}", ""));
        Files.writeString(work.resolve("setup.sh"), "set -ex\n" + setup);
        Files.writeString(work.resolve("guest.sh"), guestScript(work));

        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            for (String log : List.of("qemu.log", "console.log", "guest.log", "daemon.log")) {
                Files.deleteIfExists(work.resolve(log));   // a previous attempt's
            }
            int port = freePort();
            long t0 = System.nanoTime();
            Process q = new ProcessBuilder(qemuCommand(image, work, port)).redirectErrorStream(true)
                    .redirectOutput(work.resolve("qemu.log").toFile()).start();
            Thread hook = new Thread(() -> stop(q), "gateway-vm-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            GatewayVm vm = null;
            try {
                long ready = waitFor(q, work.resolve("console.log"), "sm-vm: gateway-test ready",
                        "sm-vm: gateway-test FAILED.*", 120, work);
                long bootMs = (ready - t0) / 1_000_000;
                long up = waitFor(q, work.resolve("daemon.log"), "listening on", "guest: (setup FAILED|daemon exited)", 300,
                        work);
                vm = new GatewayVm(work, port, image, q, hook, bootMs, (up - ready) / 1_000_000);
                return vm;
            } catch (PortTaken e) {
                last = e;
            } finally {
                if (vm == null) {
                    stop(q);
                    removeHook(hook);
                }
            }
        }
        throw last;
    }

    /** lab/vm/build-image --gateway-test (cached): kernel, gateway_initrd, kernel_package, … */
    private static Map<String, String> buildImage() throws Exception {
        String out = LabGateway.run(List.of(LabGateway.LAB.resolve("vm/build-image").toString(), "--gateway-test"), 900);
        Map<String, String> image = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("vm: ")) {
                image.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!image.containsKey("kernel") || !image.containsKey("gateway_initrd")) {
            throw new IllegalStateException("lab/vm/build-image --gateway-test printed no kernel/gateway_initrd: " + out);
        }
        return image;
    }

    private static List<String> qemuCommand(Map<String, String> image, Path work, int port) {
        return List.of(QEMU.toString(), "-name", "sm-gateway-test", "-nodefaults", "-no-user-config",
                "-display", "none", "-no-reboot",
                // KVM is present here but unusable (lab-facts: PVM host): TCG, as every VM of the lab
                "-accel", "tcg", "-smp", "2", "-m", "512",
                "-kernel", image.get("kernel"), "-initrd", image.get("gateway_initrd"),
                "-append", "console=ttyS0 panic=-1 quiet sm.work=" + work,
                "-serial", "file:" + work.resolve("console.log"),
                "-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:" + port + "-:" + DAEMON_PORT,
                "-device", "virtio-net-pci,netdev=n0",
                "-fsdev", "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap",
                "-device", "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot",
                "-fsdev", "local,id=work,path=" + work + ",security_model=none",
                "-device", "virtio-9p-pci,fsdev=work,mount_tag=work");
    }

    /**
     * The guest's side (dash, chrooted into the host's root): the test's setup, the daemon with the
     * lab's JVM options (a copy of lab/daemons/java-opts), then the command loop.
     */
    private static String guestScript(Path work) {
        return String.join("\n",
                "# VlanFilteringVmIT's guest: runs chrooted into the host's root, on the guest's kernel",
                "W=" + work,
                "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp XDG_CACHE_HOME=/tmp",
                "exec >>$W/guest.log 2>&1",
                "echo \"guest: $(uname -r), setup\"",
                "sh $W/setup.sh || { echo 'guest: setup FAILED'; echo 'guest: setup FAILED' >>$W/daemon.log; exit 1; }",
                ". $W/java-opts",
                "echo \"guest: starting the daemon ($SM_DAEMON_JAVA_OPTS)\"",
                // JNA unpacks its native part into a writable directory: the guest's tmpfs
                "(java $SM_DAEMON_JAVA_OPTS -XX:-UsePerfData -Djna.tmpdir=/tmp -Djdk.net.hosts.file=/dev/null"
                        + " -jar $W/sm-daemon.jar $W/gw.json >>$W/daemon.log 2>&1 </dev/null;"
                        + " echo \"guest: daemon exited $?\" >>$W/daemon.log) &",
                "while :; do",
                "  for f in $W/cmd/*.sh; do",
                "    [ -f \"$f\" ] || continue",
                "    n=${f%.sh}",
                "    sh \"$f\" >\"$n.out\" 2>&1; echo $? >\"$n.rc.tmp\"; mv \"$n.rc.tmp\" \"$n.rc\"; rm -f \"$f\"",
                "  done",
                "  sleep 0.1",
                "done", "");
    }

    /** Runs a shell script in the guest (chrooted, as root); its output, or an exception with it. */
    String guest(String script) throws Exception {
        Result r = guestRun(script);
        if (r.rc != 0) {
            throw new IOException("in the guest: `" + script + "` exited " + r.rc + ": " + r.out.strip());
        }
        return r.out;
    }

    record Result(int rc, String out) {
    }

    Result guestRun(String script) throws Exception {
        int n = commands.incrementAndGet();
        Path cmd = work.resolve("cmd");
        Path tmp = cmd.resolve(n + ".tmp");
        Files.writeString(tmp, script + "\n");
        Files.move(tmp, cmd.resolve(n + ".sh"), StandardCopyOption.ATOMIC_MOVE);
        Path rc = cmd.resolve(n + ".rc");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(rc)) {
            if (!qemu.isAlive()) {
                throw new IOException("the gateway VM ended: " + tail(work.resolve("console.log")));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the guest did not run `" + script + "` within 120 s: " + tail(work.resolve("guest.log")));
            }
            Thread.sleep(20);
        }
        String out = Files.readString(cmd.resolve(n + ".out"));
        return new Result(Integer.parseInt(Files.readString(rc).strip()), out);
    }

    /** The driver's client for this gateway, with the test CA's client certificate. */
    GatewayClient client(int timeoutMillis) throws Exception {
        Path pki = work.resolve("pki");
        return GatewayDeviceConfig.create("gw", url(), pki.resolve("client.p12").toString(),
                "file:" + pki.resolve("store.pass"), pki.resolve("truststore.p12").toString(),
                "file:" + pki.resolve("store.pass"), timeoutMillis);
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    String daemonLog() throws IOException {
        return Files.readString(work.resolve("daemon.log"));
    }

    @Override
    public void close() {
        stop(qemu);
        removeHook(hook);
    }

    /** QEMU by its PID: SIGTERM, then SIGKILL after 10 s; the guest and everything in it go with it. */
    private static void stop(Process q) {
        if (!q.isAlive()) {
            return;
        }
        q.destroy();
        try {
            if (!q.waitFor(10, TimeUnit.SECONDS)) {
                q.destroyForcibly();
                q.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            q.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // shutting down already: the hook runs
        }
    }

    private static final class PortTaken extends IOException {
        PortTaken(String m) {
            super(m);
        }
    }

    /**
     * Waits for {@code marker} in {@code file}; the time it appeared (System.nanoTime), or an exception
     * that says why not (the regex {@code failure} found, QEMU gone, too late).
     */
    private static long waitFor(Process q, Path file, String marker, String failure, int seconds, Path work)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
            if (text.contains(marker)) {
                return System.nanoTime();
            }
            var failed = Pattern.compile(failure).matcher(text);
            if (failed.find()) {
                throw new IOException(failed.group() + ": " + diagnostics(work));
            }
            if (!q.isAlive()) {
                String log = Files.exists(work.resolve("qemu.log")) ? Files.readString(work.resolve("qemu.log")) : "";
                if (log.contains("Could not set up host forwarding rule")) {
                    throw new PortTaken(log.strip());
                }
                throw new IOException("QEMU exited with " + q.exitValue() + " before \"" + marker + "\": "
                        + diagnostics(work));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no \"" + marker + "\" in " + file.getFileName() + " within " + seconds + " s: "
                        + diagnostics(work));
            }
            Thread.sleep(50);
        }
    }

    private static String diagnostics(Path work) throws IOException {
        List<String> parts = new ArrayList<>();
        for (String f : List.of("qemu.log", "console.log", "guest.log", "daemon.log")) {
            Path p = work.resolve(f);
            if (Files.exists(p)) {
                parts.add(f + ": …" + tail(p));
            }
        }
        return String.join(" | ", parts);
    }

    private static String tail(Path p) throws IOException {
        if (!Files.exists(p)) {
            return "";
        }
        String s = Files.readString(p, StandardCharsets.ISO_8859_1).strip();
        return s.length() <= 1500 ? s : s.substring(s.length() - 1500);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

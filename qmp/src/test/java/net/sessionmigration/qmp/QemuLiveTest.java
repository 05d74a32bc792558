package net.sessionmigration.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real QEMU under TCG with the lab image (lab/vm/build-image): boot, QMP, the accelerator
 * decision, the guest's streaming server reached through a tap bridged in a private namespace
 * ({@code vmt-qmp-PID}, deleted at the end), a live migration over a unix socket with the stream
 * surviving, then a cancelled migration of the migrated guest. The live migration comes first: in
 * 2 of about 40 runs a migration of a QEMU whose earlier migration had been cancelled handed over
 * a guest that panicked at the destination (QEMU 7.2 under TCG, a NULL timer function in the
 * guest's hrtimer interrupt; daemon/README.md "Known gaps"). At most two QEMUs at a time; every QEMU
 * is stopped at the end, also on failure. Needs root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QemuLiveTest {
    static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    static final String READY = "sm-vm: ready";
    static final String VIP = "10.20.0.100";
    static final String MAC = "52:54:00:53:4d:64";

    private final String ns = "vmt-qmp-" + ProcessHandle.current().pid();
    private final List<QemuProcess> started = new CopyOnWriteArrayList<>();
    private final QemuLauncher launcher = new QemuLauncher(Duration.ofSeconds(5));
    private Path runDir;
    private VmSpec base;
    private QemuProcess source;
    private StreamClient client;
    private Thread cleanupHook;

    @BeforeAll
    void setUp() throws Exception {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        if (uid != 0) {
            fail("live QEMU tests need root (namespaces, taps); this JVM runs as uid " + uid);
        }
        if (!Files.isExecutable(QEMU)) {
            fail("install qemu-system-x86 (run lab/vm/build-image)");
        }
        Path build = Path.of(System.getProperty("user.dir")).resolve("../lab/vm/build-image").normalize();
        Map<String, String> image = buildImage(build);
        cleanupHook = new Thread(this::cleanUp, "qemu-live-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        runDir = Files.createTempDirectory("vmt-qmp");
        sh("ip", "netns", "add", ns);
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        sh("ip", "-n", ns, "link", "add", "br0", "type", "bridge");
        sh("ip", "-n", ns, "addr", "add", "10.20.0.1/24", "dev", "br0");
        sh("ip", "-n", ns, "link", "set", "br0", "up");
        for (String tap : List.of("tap-a", "tap-b")) {
            sh("ip", "-n", ns, "tuntap", "add", "dev", tap, "mode", "tap");
            sh("ip", "-n", ns, "link", "set", tap, "master", "br0", "up");
        }
        base = VmSpec.of("src", QEMU, Path.of(image.get("kernel")), Path.of(image.get("initrd")),
                        "console=ttyS0 panic=-1 quiet sm.ip=" + VIP + "/24 sm.gw=10.20.0.1 sm.port=7000 sm.name=vm",
                        runDir)
                .withNetns(Optional.of(ns))
                .withNetwork(Optional.of(new VmSpec.TapAttachment("tap-a", MAC)));
    }

    @AfterAll
    void tearDown() {
        cleanUp();
        if (cleanupHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    private synchronized void cleanUp() {
        if (client != null) {
            client.close();
        }
        for (QemuProcess q : started) {
            q.close();
        }
        started.clear();
        try {
            Process p = new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
        if (runDir != null) {
            try (var s = Files.walk(runDir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
    }

    @Test
    @Order(1)
    void acceleratorIsDecidedByBootingAGuest() {
        long t0 = System.nanoTime();
        AcceleratorDecision d = launcher.decideAccelerator(base.withName("probe"), READY, Duration.ofSeconds(6));
        System.out.printf("accelerator: %s (%s) decided in %d ms%n", d.accelerator(), d.reason(),
                (System.nanoTime() - t0) / 1_000_000);
        assertNotNull(d.accelerator());
        assertFalse(d.reason().isBlank());
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains("probe-kvmprobe")),
                "the probe QEMU is gone");
    }

    @Test
    @Order(2)
    void bootsUnderTcgAndServesTheStreamThroughATap() throws Exception {
        source = start(base);
        assertTrue(source.awaitConsole(READY, Duration.ofSeconds(20)),
                "guest did not come up: " + source.console() + source.qemuLog());
        long bootMs = (System.nanoTime() - source.startedNanos()) / 1_000_000;
        System.out.printf("boot: QEMU start to '%s' %d ms (guest: %s)%n", READY, bootMs,
                source.console().lines().filter(l -> l.contains(READY)).findFirst().orElse(""));
        assertEquals(new VmStatus("running", true), source.qmp().queryStatus());
        assertEquals(Accelerator.TCG, source.qmp().queryAccelerator(), "this spec asked for TCG");

        client = new StreamClient(ns, VIP, 7000);
        assertTrue(client.awaitLines(5, Duration.ofSeconds(10)), "no stream lines: " + client.lines);
        System.out.println("stream: first lines " + List.copyOf(client.lines).subList(0, 3)); // a snapshot: the reader keeps adding
        assertTrue(Files.readString(source.spec().pidFile()).strip().equals(Long.toString(source.pid())),
                "-pidfile names the QEMU we started (ip netns exec execs it)");
        assertEquals(1, client.lines.get(0).seq);
    }

    @Test
    @Order(4)
    void migrateCancelMidwayLeavesTheSourceRunning() throws Exception {
        assertNotNull(source, "needs the booted source");
        VmSpec destSpec = base.withName("dst-cancel").asMigrationDestination()
                .withNetwork(Optional.of(new VmSpec.TapAttachment(freeTap(), MAC)));
        QemuProcess dest = start(destSpec);
        try {
            assertEquals("inmigrate", dest.qmp().queryStatus().status());
            // TCP this time (production's transport), on the namespace's loopback
            String uri = "tcp:127.0.0.1:47001";
            dest.qmp().migrateIncoming(uri);
            // slow enough to be caught midway
            source.qmp().setMigrationParameters(MigrationParameters.of(Duration.ofMillis(300), 2_000_000L));
            source.qmp().migrate(uri);
            MigrationInfo mid = pollUntil(source.qmp(), i -> "active".equals(i.status()) && i.ramTransferred() > 0,
                    Duration.ofSeconds(10));
            source.qmp().migrateCancel();
            MigrationInfo end = source.qmp().awaitMigration(Duration.ofSeconds(10), Duration.ofMillis(20), i -> { });
            System.out.printf("cancel: midway at %d of %d bytes, then %s%n", mid.ramTransferred(), mid.ramTotal(),
                    end.status());
            assertEquals("cancelled", end.status());
            assertEquals(new VmStatus("running", true), source.qmp().queryStatus());
            int before = client.lines.size();
            assertTrue(client.awaitLines(before + 20, Duration.ofSeconds(5)), "stream from the source goes on");
            // QEMU ends a destination whose incoming migration failed by itself
            System.out.println("cancel: destination exited by itself: " + dest.awaitExit(Duration.ofSeconds(5)));
        } finally {
            dest.close();
            started.remove(dest);
        }
    }

    @Test
    @Order(3)
    void liveMigrationOverAUnixSocketKeepsTheStream() throws Exception {
        assertNotNull(source, "needs the booted source");
        VmSpec destSpec = base.withName("dst").asMigrationDestination()
                .withNetwork(Optional.of(new VmSpec.TapAttachment("tap-b", MAC)));
        QemuProcess dest = start(destSpec);
        String uri = "unix:" + runDir.resolve("mig.sock");
        dest.qmp().migrateIncoming(uri);
        source.qmp().setMigrationParameters(MigrationParameters.of(Duration.ofMillis(50), 1_000_000_000L));
        long destEvents = dest.qmp().eventCursor();
        long t0 = System.nanoTime();
        source.qmp().migrate(uri);
        MigrationInfo done = source.qmp().awaitMigration(Duration.ofSeconds(20), Duration.ofMillis(10), i -> { });
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(done.completed(), "migration " + done.status() + " " + done.errorDesc());
        System.out.printf("migration: QEMU total-time %d ms, downtime %d ms, setup %d ms, RAM %d of %d bytes;"
                        + " migrate to completed seen by polling: %d ms%n",
                done.totalTime().orElseThrow().toMillis(), done.downtime().orElseThrow().toMillis(),
                done.setupTime().map(Duration::toMillis).orElse(-1L), done.ramTransferred(), done.ramTotal(), wallMs);
        assertEquals("postmigrate", source.qmp().queryStatus().status());
        VmStatus paused = dest.qmp().queryStatus();
        assertFalse(paused.running(), "-S keeps the destination paused after migration: " + paused);

        int seqBefore = client.lastSeq();
        handOverTo(dest);
        long tCont = System.nanoTime();
        long contMs = System.currentTimeMillis();
        resume(dest, destEvents);
        assertEquals(new VmStatus("running", true), dest.qmp().queryStatus());
        if (!client.awaitSeq(seqBefore + 50, Duration.ofSeconds(10))) {
            fail("stream continues from the destination: last seq " + client.lastSeq() + " before " + seqBefore
                    + "\n" + pathEvidence(dest));
        }
        System.out.printf("migration: first line after cont %d ms; stream seq %d -> %d, no hole: %s; largest gap %d ms%n",
                client.firstArrivalAfter(contMs) - contMs, seqBefore, client.lastSeq(), client.noHole(),
                client.largestGapMs());
        assertTrue(client.noHole(), "no line lost or duplicated");
        assertTrue((System.nanoTime() - tCont) / 1_000_000 < 10_000);
    }

    @Test
    @Order(5)
    void aQemuLeftFromAnEarlierRunIsFoundByItsPidfileAndStopped() throws Exception {
        VmSpec spec = base.withName("orphan").withNetwork(Optional.empty()).asMigrationDestination();
        QemuProcess orphan = start(spec);
        long pid = orphan.pid();
        orphan.qmp().close(); // the daemon that started it is gone
        assertTrue(launcher.killStale(spec), "found and stopped");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU " + pid + " is gone");
        assertFalse(launcher.killStale(spec), "nothing left the second time");
        started.remove(orphan);
    }

    @Test
    @Order(6)
    void aQemuThatEndsByItselfIsReportedAndOneWeStopIsNot() throws Exception {
        VmSpec spec = base.withName("ender").withNetwork(Optional.empty()).asMigrationDestination();
        java.util.concurrent.CompletableFuture<Integer> ended = new java.util.concurrent.CompletableFuture<>();
        QemuProcess q = start(spec);
        q.onUnexpectedExit(ended::complete);
        ProcessHandle.of(q.pid()).orElseThrow().destroyForcibly(); // SIGKILL from outside, as the OOM killer would
        assertEquals(137, ended.get(10, TimeUnit.SECONDS), "QEMU's exit status after SIGKILL, reported");
        q.close();
        started.remove(q);

        java.util.concurrent.CompletableFuture<Integer> stopped = new java.util.concurrent.CompletableFuture<>();
        QemuProcess r = start(spec);
        java.util.concurrent.CompletableFuture<Void> handled = r.onUnexpectedExit(stopped::complete);
        r.close();
        started.remove(r);
        handled.get(10, TimeUnit.SECONDS); // its exit has been looked at
        assertFalse(stopped.isDone(), "close() asked it to end: not reported, got " + stopped.getNow(null));
    }

    /** Without the fix about 1 in 10 of these migrations lost pages on an idle machine, 4 in 10 on a busy one. */
    private static final int ROUNDS = 20;

    /**
     * Guest memory arrives whole: migrations that take several dirty-page rounds (a 2 ms downtime limit
     * while the guest streams), each compared page by page while both sides are stopped. With a RAM
     * size on QEMU 7.2's fast dirty-bitmap path (VmSpec#memoryArgument), pages written again after
     * they were sent reached the destination stale.
     */
    @Test
    @Order(7)
    void everyPageTheGuestWroteReachesTheDestination() throws Exception {
        assertNotNull(source, "needs the running guest");
        for (int round = 1; round <= ROUNDS; round++) {
            QemuProcess dest = start(base.withName("dst" + round).asMigrationDestination()
                    .withNetwork(Optional.of(new VmSpec.TapAttachment(freeTap(), MAC))));
            String uri = "unix:" + runDir.resolve("mig" + round + ".sock");
            dest.qmp().migrateIncoming(uri);
            source.qmp().setMigrationParameters(MigrationParameters.of(Duration.ofMillis(2), 1_000_000_000L));
            long destEvents = dest.qmp().eventCursor();
            source.qmp().migrate(uri);
            MigrationInfo done = source.qmp().awaitMigration(Duration.ofSeconds(20), Duration.ofMillis(10), i -> { });
            assertTrue(done.completed(), "migration " + done.status() + " " + done.errorDesc());
            List<Long> differing = differingPages(source, dest, round);
            System.out.printf("memory: round %d, %d of %d bytes sent, downtime %d ms, %d page(s) differ%n", round,
                    done.ramTransferred(), done.ramTotal(), done.downtime().orElseThrow().toMillis(), differing.size());
            assertTrue(differing.isEmpty(), "round " + round + ": " + differing.size() + " guest page(s) differ after the "
                    + "migration, at " + differing.stream().limit(8).map(a -> "0x" + Long.toHexString(a)).toList()
                    + " (" + source.spec().memoryArgument() + " of RAM)");
            int seqBefore = client.lastSeq();
            handOverTo(dest);
            resume(dest, destEvents);
            if (!client.awaitSeq(seqBefore + 20, Duration.ofSeconds(10))) {
                fail("round " + round + ": stream continues from the destination: last seq " + client.lastSeq()
                        + "\n" + pathEvidence(dest));
            }
        }
        assertTrue(client.noHole(), "no line lost or duplicated");
    }

    /** Both stopped: the guest's RAM of each side (QMP pmemsave), compared page by page; the differing pages' addresses. */
    private List<Long> differingPages(QemuProcess a, QemuProcess b, int round) throws Exception {
        long size = a.spec().ramBytes();
        Path fa = runDir.resolve("ram-a" + round);
        Path fb = runDir.resolve("ram-b" + round);
        a.qmp().execute("pmemsave", Map.of("val", 0, "size", size, "filename", fa.toString()));
        b.qmp().execute("pmemsave", Map.of("val", 0, "size", size, "filename", fb.toString()));
        List<Long> differ = new ArrayList<>();
        try (var x = Files.newInputStream(fa); var y = Files.newInputStream(fb)) {
            byte[] p = new byte[4096];
            byte[] q = new byte[4096];
            for (long at = 0; at < size; at += 4096) {
                if (x.readNBytes(p, 0, 4096) != 4096 || y.readNBytes(q, 0, 4096) != 4096) {
                    fail("pmemsave wrote less than " + size + " bytes");
                }
                if (!Arrays.equals(p, q)) {
                    differ.add(at);
                }
            }
        } finally {
            Files.deleteIfExists(fa);
            Files.deleteIfExists(fb);
        }
        return differ;
    }

    // ---- helpers ----

    /** The tap the running guest does not use: a destination's. */
    private String freeTap() {
        return source.spec().network().orElseThrow().ifname().equals("tap-a") ? "tap-b" : "tap-a";
    }

    /** The source is gone for good, as after a real move: DEST is the guest from now on. */
    private void handOverTo(QemuProcess dest) {
        source.close();
        started.remove(source);
        source = dest;
    }

    /** The migrated guest runs at DEST (cont, announce-self), RESUME seen since the cursor EVENTS. */
    private static void resume(QemuProcess dest, long events) throws QmpException {
        dest.qmp().cont();
        dest.qmp().announceSelf();
        assertEquals("RESUME", dest.qmp().awaitEvent(events, e -> e.name().equals("RESUME"), Duration.ofSeconds(2)).name());
    }

    /** What a stalled stream leaves behind: the guest's state and console, and the user's side of the path. */
    private String pathEvidence(QemuProcess q) {
        StringBuilder b = new StringBuilder();
        try {
            b.append("status: ").append(q.qmp().queryStatus()).append('\n');
        } catch (QmpException e) {
            b.append("status: ").append(e.getMessage()).append('\n');
        }
        // the destination's console holds only what the guest wrote after the migration: a whole oops (its cause,
        // RIP and call trace) fits in the last 6000 characters
        String console = q.console();
        b.append("console (end): ").append(console.substring(Math.max(0, console.length() - 6000))).append('\n');
        for (List<String> cmd : List.of(List.of("ip", "-n", ns, "-s", "link"), List.of("bridge", "-n", ns, "fdb", "show", "br", "br0"),
                List.of("ip", "-n", ns, "neigh"), List.of("ip", "netns", "exec", ns, "ss", "-tino"))) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                b.append("$ ").append(String.join(" ", cmd)).append('\n')
                        .append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                b.append(cmd).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    private QemuProcess start(VmSpec spec) throws IOException {
        assertTrue(started.size() < 2, "at most two QEMUs at once");
        QemuProcess q = launcher.start(spec, Duration.ofSeconds(10));
        started.add(q);
        return q;
    }

    private static MigrationInfo pollUntil(QmpClient qmp, java.util.function.Predicate<MigrationInfo> p, Duration timeout)
            throws QmpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MigrationInfo i = qmp.queryMigrate();
            if (p.test(i)) {
                return i;
            }
            if (i.finished() || System.nanoTime() > deadline) {
                fail("migration did not reach the expected state: " + i);
            }
            QmpClient.sleep(10);
        }
    }

    private static Map<String, String> buildImage(Path script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(script + " failed: " + out);
        }
        Map<String, String> m = new java.util.HashMap<>();
        out.lines().filter(l -> l.contains("=")).forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertTrue(Files.exists(Path.of(m.get("kernel"))) && Files.exists(Path.of(m.get("initrd"))), out);
        return m;
    }

    private static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + ": " + out);
        }
    }

    /** The user: reads the stream from inside the namespace and records when each line arrived. */
    static final class StreamClient implements AutoCloseable {
        record Line(long arrivedMs, int seq) {
        }

        static final String SCRIPT = String.join("\n",
                "import socket, sys, time",
                "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)",
                "s.settimeout(30)",
                "for line in s.makefile('rb'):",
                "    print('%d %s' % (time.time() * 1000, line.decode().strip()), flush=True)");

        final List<Line> lines = new CopyOnWriteArrayList<>();
        private final Process process;

        StreamClient(String ns, String host, int port) throws IOException {
            process = new ProcessBuilder("ip", "netns", "exec", ns, "python3", "-u", "-c", SCRIPT, host, Integer.toString(port))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        String[] f = l.split(" ");
                        lines.add(new Line(Long.parseLong(f[0]), Integer.parseInt(f[1])));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // client ended
                }
            }, "stream-client");
            t.setDaemon(true);
            t.start();
        }

        boolean awaitLines(int n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (lines.size() < n && System.nanoTime() < deadline) {
                QmpClient.sleep(20);
            }
            return lines.size() >= n;
        }

        boolean awaitSeq(int seq, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (lastSeq() < seq && System.nanoTime() < deadline) {
                QmpClient.sleep(20);
            }
            return lastSeq() >= seq;
        }

        int lastSeq() {
            return lines.isEmpty() ? 0 : lines.get(lines.size() - 1).seq;
        }

        boolean noHole() {
            List<Line> l = new ArrayList<>(lines);
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i).seq != i + 1) {
                    return false;
                }
            }
            return true;
        }

        long largestGapMs() {
            List<Line> l = new ArrayList<>(lines);
            long max = 0;
            for (int i = 1; i < l.size(); i++) {
                max = Math.max(max, l.get(i).arrivedMs - l.get(i - 1).arrivedMs);
            }
            return max;
        }

        long firstArrivalAfter(long ms) {
            return lines.stream().mapToLong(Line::arrivedMs).filter(t -> t >= ms).min().orElse(-1);
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

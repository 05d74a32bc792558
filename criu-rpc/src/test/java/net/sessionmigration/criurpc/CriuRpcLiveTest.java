package net.sessionmigration.criurpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real CRIU 4.2.1 through its RPC interface on a tiny Python workload: a TCP listener on
 * 127.0.0.1 and an established loopback connection to itself that it ticks on every 50 ms,
 * answering each new connection with its tick count. Everything runs in a private network
 * namespace ({@code criurpc-test-<random>}, deleted at the end, also on failure); CRIU's worker
 * joins it through {@code nsenter --net}, as the daemon's CRIU runs in its site's namespace.
 * Every process started or restored here is killed by pid at the end. Needs root.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CriuRpcLiveTest {
    static final Path CRIU = Path.of(System.getProperty("criu.binary", "/var/cache/session-migration/criu-4.2.1/criu/criu"));
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final String WORKLOAD = String.join("\n",
            "import select, socket, sys",
            "l = socket.socket()",
            "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "l.bind(('127.0.0.1', int(sys.argv[1])))",
            "l.listen(8)",
            "c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
            "while True:", // a probe may be queued before our own connection
            "    s, peer = l.accept()",
            "    if peer == c.getsockname():",
            "        break",
            "    s.close()",
            "n = 0",
            "while True:",
            "    c.sendall(b'x')",
            "    n += len(s.recv(4096))",
            "    r, _, _ = select.select([l], [], [], 0.05)",
            "    if r:",
            "        a, _ = l.accept()",
            "        a.sendall(b'%d\\n' % n)",
            "        a.close()");
    static final String CLIENT = "import socket, sys\n"
            + "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=3)\n"
            + "print(s.recv(64).decode().strip())";

    private final String ns = "criurpc-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    private final Set<Integer> pids = ConcurrentHashMap.newKeySet();
    private final List<Process> started = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private final int basePort = 20_000 + 100 * ThreadLocalRandom.current().nextInt(100);
    private int portsUsed;
    private CriuRpc criu;
    private Thread cleanupHook;

    // handed from the dump test to the restore tests
    private Path dumpDir;
    private int dumpedPid;
    private int port;
    private long ticksAtDump;
    private int restoredPid;

    @BeforeAll
    void setUp() throws Exception {
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        if (uid != 0) {
            fail("live CRIU tests need root (namespaces, ptrace); this JVM runs as uid " + uid);
        }
        if (!Files.isExecutable(CRIU)) {
            fail("no CRIU at " + CRIU + ": run scripts/install");
        }
        cleanupHook = new Thread(this::cleanUp, "criu-rpc-live-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        sh("ip", "netns", "add", ns);
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        Path out = tempDir("swrk-out").resolve("swrk.out");
        criu = new CriuRpc(CRIU).withCommandPrefix(List.of("nsenter", "--net=/run/netns/" + ns)).withOutput(out);
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
        for (int pid : pids) {
            CriuLibC.INSTANCE.kill(pid, CriuLibC.SIGKILL); // a restored tree still ours (removed once gone)
        }
        pids.clear();
        for (Process p : started) {
            p.destroyForcibly();
        }
        started.clear();
        try {
            Process p = new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
        for (Path d : dirs) {
            try (var s = Files.walk(d)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temp dir
            }
        }
        dirs.clear();
    }

    @Test
    @Order(1)
    void versionAndCheck() throws Exception {
        CriuVersion v = criu.version();
        System.out.println("criu version over RPC: " + v);
        assertEquals(4, v.major());
        assertEquals(2, v.minor());
        long t0 = System.nanoTime();
        criu.check();
        System.out.printf("check: ok in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    @Order(2)
    void dumpOfAPidThatDoesNotExistNamesTheRequestAndCriusMessage() throws Exception {
        int missing = unusedPid();
        Path dir = tempDir("dump-missing");
        CriuException e = assertThrows(CriuException.class,
                () -> criu.dump(DumpOptions.forMigration(missing, dir), (s, p) -> { }));
        System.out.println("missing pid: " + e.getMessage());
        assertEquals("DUMP", e.request());
        assertTrue(e.getMessage().startsWith("CRIU DUMP failed"), e.getMessage());
        assertNotNull(e.criuMessage(), "CRIU's cr_errmsg");
        assertEquals(3, e.criuErrno(), "ESRCH");
        assertTrue(e.getMessage().contains("No such process"), e.getMessage());
        // CRIU's own words: its first error unless that is the RLIMIT_NOFILE noise, and its log's error lines
        assertTrue(e.getMessage().contains(e.criuMessage()) || e.criuMessage().contains("RLIMIT_NOFILE"), e.getMessage());
        assertTrue(e.logErrors().contains("Dumping FAILED") && e.getMessage().contains(e.logErrors()),
                "the log's error lines: " + e.logErrors());
    }

    @Test
    @Order(3)
    void aFailingPreDumpCallbackAbortsBeforeAnyImage() throws Exception {
        int p = nextPort();
        Process w = startWorkload(p);
        Path dir = tempDir("dump-pre-fail");
        List<String> seen = new ArrayList<>();
        CriuException e = assertThrows(CriuException.class, () -> criu.dump(DumpOptions.forMigration((int) w.pid(), dir),
                (script, pid) -> {
                    seen.add(script);
                    if (script.equals("pre-dump")) {
                        throw new IllegalStateException("not now");
                    }
                }));
        System.out.println("pre-dump refused: " + e.getMessage().lines().findFirst().orElse(""));
        assertEquals(List.of("pre-dump"), seen);
        assertTrue(e.getMessage().contains("pre-dump") && e.getMessage().contains("not now"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("inventory.img")), "nothing was dumped");
        assertNotEquals("T", state(w.pid()));
        assertTicking(p);
        stop(w);
    }

    @Test
    @Order(4)
    void aFailingPostDumpCallbackResumesTheTree() throws Exception {
        int p = nextPort();
        Process w = startWorkload(p);
        Path dir = tempDir("dump-post-fail");
        List<String> seen = new ArrayList<>();
        CriuException e = assertThrows(CriuException.class, () -> criu.dump(DumpOptions.forMigration((int) w.pid(), dir),
                (script, pid) -> {
                    seen.add(script);
                    if (script.equals("post-dump")) {
                        throw new IllegalStateException("target refused");
                    }
                }));
        System.out.println("post-dump refused: " + seen + " -> " + e.getMessage().lines().findFirst().orElse(""));
        assertEquals("post-dump", seen.get(seen.size() - 1));
        assertTrue(e.getMessage().contains("post-dump"), e.getMessage());
        assertNull(CriuStats.readDump(dir), "CRIU writes its stats only for a dump that succeeded");
        // the images are on disk (post-dump comes after writing them), but the tree runs on,
        // its network lock lifted
        assertNotEquals("T", state(w.pid()));
        assertTicking(p);
        assertFalse(nftTables().contains("CRIU-"), "lock table left: " + nftTables());
        stop(w);
    }

    @Test
    @Order(5)
    void dumpLeavesTheTreeStoppedAndLocked() throws Exception {
        port = nextPort();
        Process w = startWorkload(port);
        ticksAtDump = ticks(port);
        dumpDir = tempDir("dump");
        List<String> seen = new ArrayList<>();
        List<String> states = new ArrayList<>();
        DumpResult r = criu.dump(DumpOptions.forMigration((int) w.pid(), dumpDir), (script, pid) -> {
            seen.add(script);
            states.add(state(w.pid()));
        });
        System.out.println("dump: the task's state at each notify: " + states);
        assertEquals("t", states.get(states.size() - 1), "at post-dump the tree is still seized (ptrace stop)");
        dumpedPid = (int) w.pid();
        System.out.printf("dump: %d ms, notify %s, stats %s%n", r.elapsed().toMillis(), r.notifications(), r.stats());
        assertEquals(seen, r.notifications());
        assertTrue(seen.indexOf("pre-dump") == 0 && seen.get(seen.size() - 1).equals("post-dump"), seen.toString());
        assertEquals("T", state(w.pid()), "--leave-stopped");
        assertTrue(Files.exists(dumpDir.resolve("inventory.img")));
        assertTrue(Files.exists(dumpDir.resolve("dump.log")));
        assertNotNull(r.stats());
        assertTrue(r.stats().pagesWritten() > 0);
        String runId = CriuImages.dumpRunId(dumpDir);
        assertNotNull(runId);
        String tables = nftTables();
        System.out.println("dump: run id " + runId + ", tables: " + tables.strip());
        assertTrue(tables.contains("CRIU-" + runId.substring(0, 8)), "the nftables lock is kept: " + tables);
        stop(w);
        assertFalse(Files.exists(Path.of("/proc/" + dumpedPid)));
    }

    @Test
    @Order(6)
    void restoreGivesTheTreeBackStoppedAndItTicksOnAfterSigcont() throws Exception {
        assertNotNull(dumpDir, "needs the dump");
        List<String> seen = new ArrayList<>();
        int[] postRestorePid = {0};
        RestoreResult r = criu.restore(RestoreOptions.forMigration(dumpDir), (script, pid) -> {
            seen.add(script);
            if (script.equals("post-restore")) {
                postRestorePid[0] = pid;
                // held here: the tree exists, frozen, before the network is unlocked
                assertTrue(Files.exists(Path.of("/proc/" + pid)));
            }
        });
        restoredPid = r.pid();
        pids.add(restoredPid);
        System.out.printf("restore: pid %d in %d ms, notify %s, stats %s%n", r.pid(), r.elapsed().toMillis(),
                r.notifications(), r.stats());
        assertEquals(List.of("pre-restore", "post-restore", "pre-resume", "post-resume"), seen);
        assertEquals(r.pid(), postRestorePid[0]);
        assertEquals(dumpedPid, r.pid(), "CRIU restores the original pid");
        assertEquals("T", state(r.pid()), "leave_stopped on restore");
        // detached: the worker (its parent) is gone, the root is init's (or a subreaper's)
        assertNotEquals(ProcessHandle.current().pid(), ppid(r.pid()));
        assertFalse(nftTables().contains("CRIU-"), "restore lifted the lock: " + nftTables());
        CriuLibC.INSTANCE.kill(r.pid(), 18); // SIGCONT
        long after = ticks(port);
        System.out.printf("restore: ticks %d at the dump, %d after resuming%n", ticksAtDump, after);
        assertTrue(after >= ticksAtDump, after + " < " + ticksAtDump);
        Thread.sleep(300);
        assertTrue(ticks(port) > after, "the established loopback connection still carries ticks");
    }

    @Test
    @Order(7)
    void restoreSiblingMakesTheCallerTheParent() throws Exception {
        assertTrue(restoredPid > 0, "needs the restored tree");
        Path dir = tempDir("dump-again");
        criu.dump(DumpOptions.forMigration(restoredPid, dir), null);
        CriuLibC.INSTANCE.kill(restoredPid, CriuLibC.SIGKILL);
        awaitGone(restoredPid);
        pids.remove(restoredPid);
        List<String> seen = new ArrayList<>();
        RestoreResult r = criu.restore(RestoreOptions.forMigration(dir).withRestoreSibling(true), (s, p) -> seen.add(s));
        pids.add(r.pid());
        System.out.printf("restore sibling: pid %d, parent %d (we are %d), notify %s%n", r.pid(), ppid(r.pid()),
                ProcessHandle.current().pid(), seen);
        assertEquals(ProcessHandle.current().pid(), ppid(r.pid()));
        // a restored tree lives in a time namespace CRIU made: dumping it again adds namespace setup
        assertEquals(List.of("pre-restore", "setup-namespaces", "post-setup-namespaces", "post-restore", "pre-resume",
                "post-resume"), seen);
        CriuLibC.INSTANCE.kill(r.pid(), 18);
        assertTrue(ticks(port) >= ticksAtDump);
        CriuLibC.INSTANCE.kill(r.pid(), CriuLibC.SIGKILL);
        int[] status = new int[1];
        assertEquals(r.pid(), CriuLibC.INSTANCE.waitpid(r.pid(), status, 0), "ours to reap");
        pids.remove(r.pid());
    }

    @Test
    @Order(8)
    void dumpThroughAPageServer() throws Exception {
        int p = nextPort();
        Process w = startWorkload(p);
        Path pagesDir = tempDir("page-server");
        Path dir = tempDir("dump-ps");
        try (PageServer server = criu.startPageServer(PageServerOptions.of(pagesDir, "127.0.0.1", 0))) {
            System.out.printf("page server: pid %d port %d%n", server.pid(), server.port());
            assertTrue(server.port() > 0);
            DumpResult r = criu.dump(DumpOptions.forMigration((int) w.pid(), dir)
                    .withPageServer(new DumpOptions.PageServerAddress("127.0.0.1", server.port()), null), null);
            int status = server.awaitExit();
            System.out.printf("page server: %s; dump %d ms, %d pages%n", PageServer.describe(status), r.elapsed().toMillis(),
                    r.stats().pagesWritten());
            assertEquals(0, status);
        }
        try (var files = Files.list(pagesDir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("pages-")), "pages went to the server");
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("pages-")), "and not to the dump dir");
        }
        stop(w);
    }

    // --- helpers

    private Process startWorkload(int p) throws Exception {
        Path err = tempDir("workload").resolve("stderr");
        Process w = new ProcessBuilder("nsenter", "--net=/run/netns/" + ns, "setsid", PYTHON.toString(), "-c", WORKLOAD,
                Integer.toString(p)).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        started.add(w);
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            if (!w.isAlive()) {
                fail("workload exited with " + w.exitValue() + ": " + Files.readString(err));
            }
            String cmd = Files.readString(Path.of("/proc/" + w.pid() + "/cmdline"), StandardCharsets.UTF_8);
            if (cmd.startsWith(PYTHON.toString()) && tryTicks(p) >= 0) {
                return w;
            }
            Thread.sleep(20);
        }
        fail("workload did not listen on " + p);
        return w;
    }

    private void stop(Process w) throws InterruptedException {
        w.destroyForcibly();
        assertTrue(w.waitFor(5, TimeUnit.SECONDS));
        started.remove(w);
    }

    private long ticks(int p) throws Exception {
        long t = tryTicks(p);
        if (t < 0) {
            fail("no answer on 127.0.0.1:" + p + " in " + ns);
        }
        return t;
    }

    private long tryTicks(int p) throws Exception {
        Process c = new ProcessBuilder("nsenter", "--net=/run/netns/" + ns, PYTHON.toString(), "-c", CLIENT,
                Integer.toString(p)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!c.waitFor(10, TimeUnit.SECONDS)) {
            c.destroyForcibly();
            return -1;
        }
        return c.exitValue() == 0 && out.matches("\\d+") ? Long.parseLong(out) : -1;
    }

    private void assertTicking(int p) throws Exception {
        long a = ticks(p);
        Thread.sleep(200);
        assertTrue(ticks(p) > a, "the workload runs on");
    }

    private String nftTables() throws Exception {
        return sh("ip", "netns", "exec", ns, "nft", "list", "tables");
    }

    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[0];
        } catch (IOException e) {
            return "gone";
        }
    }

    private static long ppid(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    private static void awaitGone(int pid) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (Files.exists(Path.of("/proc/" + pid)) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertFalse(Files.exists(Path.of("/proc/" + pid)), pid + " still there (no one reaped it?)");
    }

    private static int unusedPid() {
        for (int pid = 31_000; ; pid--) {
            if (!Files.exists(Path.of("/proc/" + pid))) {
                return pid;
            }
        }
    }

    private int nextPort() {
        return basePort + portsUsed++;
    }

    private Path tempDir(String name) throws IOException {
        Path d = Files.createTempDirectory("criurpc-" + name);
        dirs.add(d);
        return d;
    }

    static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}

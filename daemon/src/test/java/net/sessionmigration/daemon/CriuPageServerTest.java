package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CRIU's page server with the daemons' own certificates, on the real CRIU binary over loopback:
 * the PEM files CRIU reads are the key store's identity, a dump sends its pages to the page
 * server and a restore from that directory brings the process back, and a dump with a
 * certificate of another CA delivers nothing.
 */
class CriuPageServerTest {
    private static final String CRIU = System.getenv().getOrDefault("SM_CRIU",
            "/var/cache/session-migration/criu-4.2.1/criu/criu");
    private static final int PORT = 27411;
    @TempDir
    static Path tmp;
    private static TestPki pki;

    @BeforeAll
    static void pki() throws Exception {
        assertTrue(Files.isExecutable(Path.of(CRIU)), "CRIU 4.2.1 is needed at " + CRIU
                + " (scripts/install builds it; SM_CRIU names another)");
        pki = new TestPki(Files.createDirectories(tmp.resolve("pki")));
        Files.writeString(tmp.resolve("pass"), TestPki.PASS);
    }

    private static DaemonConfig.Tls tls(String store) {
        return new DaemonConfig.Tls(pki.store(store).toString(), tmp.resolve("pass").toString(),
                pki.dir.resolve("truststore.p12").toString(), tmp.resolve("pass").toString());
    }

    @Test
    void theExportedFilesAreTheKeyStoresIdentityReadableByRootOnly(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("criu-tls");
        List<String> args = CriuTls.export(tls("server"), out).args();
        assertEquals(List.of("--tls", "--tls-cacert", out.resolve("ca.pem").toString(), "--tls-cert",
                out.resolve("cert.pem").toString(), "--tls-key", out.resolve("key.pem").toString()), args);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        for (String f : List.of("ca.pem", "cert.pem", "key.pem")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(f))), f);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.store("server"))) {
            ks.load(in, TestPki.PASS.toCharArray());
        }
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate leaf = (X509Certificate) cf.generateCertificates(Files.newInputStream(out.resolve("cert.pem")))
                .iterator().next();
        assertEquals(ks.getCertificate("server"), leaf);
        X509Certificate ca = (X509Certificate) cf.generateCertificate(Files.newInputStream(out.resolve("ca.pem")));
        assertEquals("CN=test CA", ca.getSubjectX500Principal().getName());
        // the key as openssl reads it (GnuTLS, in CRIU, too: the page-server test below) is the key store's
        Process p = new ProcessBuilder("openssl", "pkey", "-in", out.resolve("key.pem").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start(); // writes it as PKCS#8
        String pkcs8 = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor(), "openssl pkey reads key.pem");
        byte[] der = java.util.Base64.getMimeDecoder().decode(pkcs8.replaceAll("-----[A-Z ]+-----", ""));
        assertEquals(((ECPrivateKey) ks.getKey("server", TestPki.PASS.toCharArray())).getS(),
                ((ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der))).getS());
        assertTrue(Files.readString(out.resolve("key.pem")).startsWith("-----BEGIN EC PRIVATE KEY-----\n"));
    }

    @Test
    void aDumpSendsItsPagesToThePageServerAndTheProcessComesBackFromThere(@TempDir Path dir) throws Exception {
        Criu criu = new Criu(CRIU);
        Path source = dir.resolve("source");
        Path target = dir.resolve("target");
        Process workload = startWorkload();
        int restored = -1;
        try {
            // at CRIU's pre-dump point its worker waits, connected to the page server (our patch 0005) and not
            // yet tracing the workload: the daemon stops the tree there
            String[] tracer = {null};
            boolean[] connected = {false};
            Attempt a = dumpThroughPageServer(criu, dir, workload, PORT, "client", () -> {
                tracer[0] = tracerPid(workload);
                connected[0] = Files.readString(source.resolve("dump.log")).contains("TLS handshake completed");
                assertStopped(workload);
            });
            Criu.Background server = a.server();
            Criu.Dumped dump = a.dumped();
            assertEquals("0", tracer[0], "nothing traced the workload before the pre-dump point");
            assertTrue(connected[0], "the dump had its TLS connection to the page server before its pre-dump point "
                    + "(scripts/criu-patches/0005; scripts/install rebuilds CRIU with it)");
            server.awaitEnd(10_000);
            assertTrue(dump.stats().pagesWritten() > 0, dump.toString());
            assertTrue(names(target).stream().anyMatch(n -> n.startsWith("pages-")), "pages at the target: " + names(target));
            assertFalse(names(source).stream().anyMatch(n -> n.startsWith("pages-")), "no pages at the source: " + names(source));
            // the rest of the image follows, as the daemons' archive carries it; the original goes away
            for (String n : names(source)) {
                if (!n.endsWith(".log")) {
                    Files.copy(source.resolve(n), target.resolve(n));
                }
            }
            workload.destroyForcibly().waitFor();
            // the lock's table is the one the log names: the rollback and the release lift it by that name
            assertTrue(Nft.deleteInetTable(SourceLock.tableOf(source.resolve("dump.log")).orElseThrow()),
                    "no table " + SourceLock.tableOf(source.resolve("dump.log")) + " among the dump's: " + tables());
            restored = criu.restore(target, false).pid();
            assertEquals(workload.pid(), restored, "CRIU restores the same pid");
            assertTrue(ProcessTree.alive(restored));
        } finally {
            workload.destroyForcibly();
            if (restored > 0) {
                LibC.INSTANCE.kill(restored, 9);
            }
        }
    }

    /**
     * CRIU keeps what it learnt of the kernel (criu.kdat) only on a tmpfs; without it every dump and
     * restore probes the kernel again, ~100 ms inside the freeze. The page server, started first,
     * has probed and kept it when there was none; the dump reads it.
     */
    @Test
    void theDumpReadsCriusKernelFeatureCache(@TempDir Path dir) throws Exception {
        Process workload = startWorkload();
        try {
            Attempt a = dumpThroughPageServer(new Criu(CRIU), dir, workload, PORT + 2, "client", () -> assertStopped(workload));
            a.server().awaitEnd(10_000);
            a.dumped();
            Path log = dir.resolve("source").resolve("dump.log");
            assertTrue(Criu.usedFeatureCache(log), "CRIU probed the kernel's features again: its cache criu.kdat is "
                    + "not kept (scripts/install builds CRIU with /run/criu and makes that a tmpfs): "
                    + Files.readAllLines(log).stream().filter(l -> l.contains("kdat")).toList());
        } finally {
            workload.destroyForcibly().waitFor();
            var lock = SourceLock.tableOf(dir.resolve("source").resolve("dump.log")); // the dump's network lock
            if (lock.isPresent()) {
                Nft.deleteInetTable(lock.get());
            }
        }
    }

    @Test
    void aDumpWithACertificateOfAnotherCaDeliversNothing(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("source");
        Path target = dir.resolve("target");
        Process workload = startWorkload();
        try {
            Attempt a = dumpThroughPageServer(new Criu(CRIU), dir, workload, PORT + 1, "rogue", () -> assertStopped(workload));
            Criu.Background server = a.server();
            assertTrue(a.failure() != null, "a dump whose certificate the page server cannot verify must fail");
            var e = assertThrows(java.io.IOException.class, () -> server.awaitEnd(10_000));
            assertTrue(e.getMessage().contains("criu page-server failed"), e.getMessage());
            assertFalse(names(target).stream().anyMatch(n -> n.startsWith("pages-")), "no pages: " + names(target));
        } finally {
            workload.destroyForcibly().waitFor();
            // the failed dump resumed the workload; a lock table left by it is removed by name
            SourceLock.tableOf(source.resolve("dump.log")).ifPresent(t -> {
                try {
                    Nft.deleteInetTable(t);
                } catch (java.io.IOException ignored) {
                    // not there
                }
            });
        }
    }

    /**
     * Post-copy: a lazy dump of a process (in its own PID namespace: the frozen source stays until
     * its last page has left, so the copy needs the same pid elsewhere) serves its memory to the
     * target's lazy-pages daemon over CRIU's TLS with the daemons' certificates; the copy restores
     * without its pages, gets every one of them intact, and both CRIU processes end 0.
     */
    @Test
    void aLazyDumpServesThePagesToTheRestoredCopyThenBothEnd(@TempDir Path dir) throws Exception {
        Criu criu = new Criu(CRIU);
        Path source = Files.createDirectories(dir.resolve("source"));
        Path target = Files.createDirectories(dir.resolve("target"));
        Path status = dir.resolve("status");
        Process holder = new ProcessBuilder("unshare", "--pid", "--fork", "setsid", "/usr/bin/python3", "-c", """
                import os, sys, time
                b = bytearray(8 << 20)
                for i in range(0, len(b), 4096): b[i] = i % 251 + 1
                n = 0
                while True:
                    bad = sum(1 for i in range(0, len(b), 4096) if b[i] != i % 251 + 1)
                    n += 1
                    with open(sys.argv[1] + '.tmp', 'w') as f: f.write(f'{n} {bad}')
                    os.replace(sys.argv[1] + '.tmp', sys.argv[1])
                    time.sleep(0.05)
                """, status.toString()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int restored = -1;
        int pid = -1;
        Criu.Background dump = null;
        Criu.Background pages = null;
        try {
            long end = System.currentTimeMillis() + 10_000;
            while (!Files.exists(status) && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(status), "the workload started");
            pid = Integer.parseInt(Files.readString(Path.of("/proc/" + holder.pid() + "/task/" + holder.pid()
                    + "/children")).strip().split("\\s+")[0]);
            dump = criu.startLazyDump(pid, source, "127.0.0.1", PORT + 2,
                    CriuTls.export(tls("server"), dir.resolve("s")).args());
            dump.awaitReady(30_000);
            assertTrue(ProcessTree.alive(pid), "the source stays while its pages wait");
            for (String n : names(source)) {
                if (!n.endsWith(".log") && Files.isRegularFile(source.resolve(n))) {
                    Files.copy(source.resolve(n), target.resolve(n));
                }
            }
            pages = criu.startLazyPages(target, "127.0.0.1", PORT + 2,
                    CriuTls.export(tls("client"), dir.resolve("t")).args());
            pages.awaitReady(10_000);
            restored = criu.restore(target, true).pid();
            pages.awaitEnd(60_000);
            dump.awaitEnd(60_000);
            LibC.INSTANCE.kill(restored, LibC.SIGCONT); // restored stopped, as the daemons resume it
            int first = Integer.parseInt(Files.readString(status).split(" ")[0]);
            end = System.currentTimeMillis() + 10_000;
            String now = Files.readString(status);
            while (Integer.parseInt(now.split(" ")[0]) < first + 2 && System.currentTimeMillis() < end) {
                Thread.sleep(20);
                now = Files.readString(status);
            }
            assertEquals("0", now.split(" ")[1], "pages with wrong content in the copy: " + now);
            assertTrue(Integer.parseInt(now.split(" ")[0]) >= first + 2, "the copy runs and checks its memory: " + now);
        } finally {
            for (Criu.Background b : new Criu.Background[] {dump, pages}) {
                if (b != null) {
                    b.kill();
                }
            }
            for (int p : new int[] {restored, pid}) { // the copy; the source, left stopped (its namespace's init)
                if (p > 0) {
                    LibC.INSTANCE.kill(p, 9);
                }
            }
            holder.destroyForcibly().waitFor();
            SourceLock.tableOf(source.resolve("dump.log")).ifPresent(t -> {
                try {
                    Nft.deleteInetTable(t);
                } catch (java.io.IOException ignored) {
                    // not there
                }
            });
        }
    }

    @Test
    void aFailureAtThePreDumpPointAbortsTheDumpNamingIt(@TempDir Path dir) throws Exception {
        Process workload = startWorkload();
        try {
            Attempt a = dumpThroughPageServer(new Criu(CRIU), dir, workload, PORT + 3, "client", () -> {
                throw new java.io.IOException("workload pid " + workload.pid() + " did not stop within 2 s of SIGSTOP");
            });
            a.server().kill(); // it never had a dump to serve
            assertTrue(a.failure() != null && a.failure().getMessage().contains("did not stop within 2 s of SIGSTOP"),
                    String.valueOf(a.failure()));
            assertTrue(workload.isAlive() && !"T".equals(state(workload)), "CRIU left the workload alone");
            assertFalse(names(dir.resolve("target")).stream().anyMatch(n -> n.startsWith("pages-")), "no pages");
        } finally {
            workload.destroyForcibly().waitFor();
        }
    }

    private static String tables() throws Exception {
        Process p = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.strip();
    }

    private static String state(Process p) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    /** A dump's outcome: {@code dumped}, or the {@code failure} it threw. */
    private record Attempt(Criu.Background server, Criu.Dumped dump, java.io.IOException failure) {
        Criu.Dumped dumped() {
            assertTrue(failure == null, "the dump failed: " + failure);
            return dump;
        }
    }

    /**
     * A page server into DIR/target with the server's certificate, and a dump of the workload with
     * the given store's; {@code beforeDump} at CRIU's pre-dump point stops the workload, as the
     * daemon does, after its own checks.
     */
    private static Attempt dumpThroughPageServer(Criu criu, Path dir, Process workload, int port, String clientStore,
                                                 Criu.BeforeDump beforeDump) throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        Path target = Files.createDirectories(dir.resolve("target"));
        Criu.Background server = criu.startPageServer(target, "127.0.0.1", port,
                CriuTls.export(tls("server"), dir.resolve("t")).args());
        server.awaitReady(5000);
        Criu.PageServerTarget to = new Criu.PageServerTarget("127.0.0.1", port,
                CriuTls.export(tls(clientStore), dir.resolve("s")).rpc());
        try {
            return new Attempt(server, criu.dump((int) workload.pid(), source, to, beforeDump), null);
        } catch (java.io.IOException e) {
            return new Attempt(server, null, e);
        }
    }

    /** The workload stopped as the daemon stops a tree for its dump (after the caller's checks). */
    private static void assertStopped(Process workload) throws java.io.IOException {
        try {
            assertTrue(ProcessTree.stopTree((int) workload.pid(), 2000), "the workload stopped");
        } catch (InterruptedException e) {
            throw new java.io.IOException(e);
        }
    }

    private static String tracerPid(Process p) throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
                .filter(l -> l.startsWith("TracerPid:")).map(l -> l.substring(10).strip()).findFirst().orElse("?");
    }

    /** A process CRIU can dump alone: its own session, stdio on /dev/null, some memory written. */
    private static Process startWorkload() throws Exception {
        Process p = new ProcessBuilder("setsid", "/usr/bin/python3", "-c",
                "b = bytearray(4 << 20)\nfor i in range(0, len(b), 4096): b[i] = i % 251 + 1\nimport time\ntime.sleep(600)")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long end = System.currentTimeMillis() + 10_000;
        while (ProcessTree.residentBytes(List.of((int) p.pid())) < (4 << 20) && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        assertTrue(p.isAlive() && ProcessTree.residentBytes(List.of((int) p.pid())) >= (4 << 20), "the workload started");
        return p;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import net.sessionmigration.criurpc.CriuRpc;
import net.sessionmigration.criurpc.CriuStats;
import net.sessionmigration.criurpc.DumpOptions;
import net.sessionmigration.criurpc.DumpResult;
import net.sessionmigration.criurpc.RestoreOptions;
import net.sessionmigration.criurpc.RestoreResult;
import net.sessionmigration.criurpc.Tls;

/**
 * Runs CRIU: the dump and the restore through CRIU's own RPC ({@code criu swrk}, module
 * {@code criu-rpc}: the pid, the statistics and the errors come back as data, and CRIU waits at
 * its notify points), the other steps as processes with argument lists (never a shell). Every
 * step logs into the image directory.
 */
public final class Criu {
    private final String binary;
    private final CriuRpc rpc;

    public Criu(String binary) {
        this.binary = binary;
        this.rpc = new CriuRpc(Path.of(binary));
    }

    /** A restored copy: its root's pid, and the time from the worker's start to CRIU's answer. */
    public record Restored(int pid, long millis) {
    }

    public record Outcome(int exitCode, String output, long millis) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** {@code criu check}: "Looks good." on a usable kernel. */
    public Outcome check() throws IOException, InterruptedException {
        return run(List.of(binary, "check"), null);
    }

    /**
     * Where a dump sends the memory pages instead of the image directory: a {@code criu
     * page-server} at the target, over CRIU's own TLS with the daemons' certificates
     * ({@link CriuTls}); the target's name in its certificate must be {@code address}.
     */
    public record PageServerTarget(String address, int port, Tls tls) {
    }

    /**
     * A dump: {@code startMillis} from its worker's start to its pre-dump point, {@code millis}
     * from there (after {@link BeforeDump}) to CRIU's answer, and CRIU's statistics (null: none
     * written).
     */
    public record Dumped(long startMillis, long millis, CriuStats.Dump stats) {
    }

    /** What runs at CRIU's pre-dump point, CRIU waiting; a failure aborts the dump. */
    @FunctionalInterface
    public interface BeforeDump {
        void run() throws IOException;
    }

    /**
     * Checkpoints the tree of {@code pid} as {@code criu dump --tcp-established --leave-stopped
     * --network-lock nftables -o dump.log -v3} and leaves it stopped with CRIU's network lock
     * kept: the nftables table CRIU made stays, and the dumped connections stay in TCP repair
     * mode. So from the checkpoint on the source's kernel drops every packet of those connections
     * and acknowledges nothing the restored copy would not have (with --leave-running it would,
     * and a user's request sent during the freeze was lost for good). {@link SourceLock} lifts the
     * lock on rollback, or removes it once the stopped copy has ended silently. -v3: the log
     * names CRIU's run id, which names the table. With a page server ({@code pages} not null) the
     * pages go straight to the target, and only the rest is written to {@code dir}.
     * <p>
     * {@code beforeDump} runs at CRIU's pre-dump point: its worker has started, has connected to
     * the page server (our CRIU patch 0005 puts the connection and its TLS handshake first) and
     * waits there before it looks at the tree, so the caller stops the tree there and neither is
     * part of the stop. A failure, CRIU's or {@code beforeDump}'s, throws naming CRIU's errors in
     * dump.log.
     */
    public Dumped dump(int pid, Path dir, PageServerTarget pages, BeforeDump beforeDump) throws IOException {
        DumpOptions o = DumpOptions.forMigration(pid, dir).withDisplayStats(false);
        if (pages != null) {
            o = o.withPageServer(new DumpOptions.PageServerAddress(pages.address(), pages.port()), pages.tls());
        }
        long t0 = System.nanoTime();
        long[] preDump = {t0, t0}; // reached, left
        DumpResult r = rpc.dump(o, (script, p) -> { // a failure names CRIU's errors (CriuException)
            if (script.equals("pre-dump")) {
                preDump[0] = System.nanoTime();
                beforeDump.run();
                preDump[1] = System.nanoTime();
            }
        });
        long end = System.nanoTime();
        return new Dumped((preDump[0] - t0) / 1_000_000, (end - preDump[1]) / 1_000_000, r.stats());
    }

    /**
     * Starts {@code criu page-server} writing into {@code dir}, listening on {@code address:port}
     * for one dump, which must present a certificate of the daemons' CA (the dump's address is
     * not known in advance, so its name is not checked: {@code --tls-no-cn-verify}). It ends
     * when that dump disconnects; {@link Background#awaitEnd} reads its outcome.
     */
    public Background startPageServer(Path dir, String address, int port, List<String> tlsArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary, "page-server", "-D", dir.toString(), "--address", address,
                "--port", Integer.toString(port), "--tls-no-cn-verify", "-v2"));
        cmd.addAll(tlsArgs);
        return Background.start("criu page-server", cmd, dir.resolve("page-server.log"));
    }

    /**
     * Post-copy, source: {@code criu dump --lazy-pages} of the tree of {@code pid}, as {@link #dump}
     * (stopped, network lock kept) except that the memory pages stay behind: once the rest is in
     * {@code dir} ({@link Background#awaitReady}) CRIU serves the pages on {@code address:port}, over
     * its TLS with the daemons' certificates, to the target's {@code criu lazy-pages} (its name is
     * not checked here, its CA is), and ends when the last page has left, the tree still stopped.
     */
    public Background startLazyDump(int pid, Path dir, String address, int port, List<String> tlsArgs)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary, "dump", "-t", Integer.toString(pid), "-D", dir.toString(),
                "--tcp-established", "--leave-stopped", "--network-lock", "nftables", "--lazy-pages",
                "--address", address, "--port", Integer.toString(port), "--tls-no-cn-verify", "-v3"));
        cmd.addAll(tlsArgs);
        return Background.start("criu dump --lazy-pages", cmd, dir.resolve("dump.log"));
    }

    /**
     * Post-copy, target: {@code criu lazy-pages}, which a {@code restore --lazy-pages} in {@code dir}
     * hands the restored memory to; it fetches the pages from the source's lazy dump at
     * {@code address:port} (whose certificate must name that address), on demand and in the
     * background, and ends once it has them all.
     */
    public Background startLazyPages(Path dir, String address, int port, List<String> tlsArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary, "lazy-pages", "--page-server", "-D", dir.toString(),
                "--address", address, "--port", Integer.toString(port), "-v2"));
        cmd.addAll(tlsArgs);
        return Background.start("criu lazy-pages", cmd, dir.resolve("lazy-pages.log"));
    }

    /**
     * A CRIU process that runs beside a migration step (page server, lazy dump, lazy-pages daemon):
     * its log is {@code log}, its status byte (a 0 once it is ready) comes on its standard output.
     */
    public record Background(String what, Process process, Path log) {
        static Background start(String what, List<String> cmd, Path log) throws IOException {
            List<String> all = new ArrayList<>(cmd);
            all.addAll(List.of("--status-fd", "1", "-o", log.getFileName().toString()));
            return new Background(what, new ProcessBuilder(all).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start(), log);
        }

        /** Waits for the status byte, or says why it did not come (and ends the process). */
        public void awaitReady(long timeoutMs) throws IOException, InterruptedException {
            long end = System.nanoTime() + timeoutMs * 1_000_000;
            var status = process.getInputStream();
            while (System.nanoTime() < end) {
                while (status.available() > 0) {
                    if (status.read() == 0) {
                        return;
                    }
                }
                if (!process.isAlive()) {
                    throw new IOException(what + " ended with " + process.exitValue() + errorsOf(log));
                }
                Thread.sleep(1);
            }
            process.destroyForcibly();
            throw new IOException(what + " was not ready within " + timeoutMs + " ms" + errorsOf(log));
        }

        /** Waits for its end, which must be 0 (else it is ended and its errors named). */
        public void awaitEnd(long timeoutMs) throws IOException, InterruptedException {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(what + " did not end within " + timeoutMs + " ms");
            }
            if (process.exitValue() != 0) {
                throw new IOException(what + " failed (" + process.exitValue() + ")" + errorsOf(log));
            }
        }

        /** Ends it at once (rollback), waiting until it is gone. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Whether CRIU read its kernel-feature cache ({@code criu.kdat} in the run directory it was built
     * with, kept only on a tmpfs: criu/kerndat.c) rather than probing the kernel again, which costs
     * ~100 ms of every dump and restore, inside the freeze. From the head of a log written at
     * {@code -v3} or more (CRIU says so in its first lines): a few KB read, not the whole log.
     */
    static boolean usedFeatureCache(Path log) {
        try (java.io.InputStream in = Files.newInputStream(log)) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8).contains("Loaded kdat cache from");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * RESTORE over CRIU's RPC as {@code criu restore --tcp-established --network-lock nftables -d
     * --leave-stopped -o restore.log -v2}: detached (the daemon, a child subreaper, inherits the
     * tree), every task left stopped until resume. With {@code lazyPages} the memory comes from the
     * {@link #startLazyPages} daemon already running in dir. A failure names CRIU's errors.
     */
    public Restored restore(Path dir, boolean lazyPages) throws IOException {
        RestoreResult r = rpc.restore(RestoreOptions.forMigration(dir).withLazyPages(lazyPages), null);
        return new Restored(r.pid(), r.elapsed().toMillis());
    }

    /**
     * At start: one RESTORE over RPC from an empty directory, which CRIU refuses at once (no
     * images). It loads JNA's socket and spawn code, the protobuf runtime and CRIU's request
     * classes, which otherwise the first migration's restore pays for inside the users' freeze (a
     * fresh machine's demo: 252 ms for the restore call against 86-101 through the CLI). Returns
     * how long it took.
     */
    public long warmUpRestore(Path emptyDir) {
        long t0 = System.nanoTime();
        try {
            rpc.restore(RestoreOptions.forMigration(emptyDir), null);
        } catch (IOException expected) {
            // CRIU: no images to restore
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static Outcome run(List<String> cmd, Path log) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 && log != null && Files.exists(log)) {
            text = text + errorsOf(log);
        }
        return new Outcome(p.exitValue(), text.strip(), ms);
    }

    /** The last error lines of a criu log (read as criu-rpc reads them), each on a line of its own. */
    static String errorsOf(Path log) {
        String errors = CriuRpc.errorLines(log, 12);
        return errors.isEmpty() ? "" : "\n" + errors;
    }
}

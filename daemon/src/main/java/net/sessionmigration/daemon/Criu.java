package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs criu with argument lists (never a shell). Every command logs into the image directory. */
public final class Criu {
    private final String binary;

    public Criu(String binary) {
        this.binary = binary;
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
     * Checkpoints the tree of {@code pid} and leaves it stopped with CRIU's network lock kept:
     * the nftables table CRIU made stays, and the dumped connections stay in TCP repair mode. So
     * from the checkpoint on the source's kernel drops every packet of those connections and
     * acknowledges nothing the restored copy would not have (with --leave-running it would, and
     * a user's request sent during the freeze was lost for good). {@link SourceLock} lifts the
     * lock on rollback, or removes it once the stopped copy has ended silently. -v3: the log
     * names CRIU's run id, which names the table.
     */
    public Outcome dump(int pid, Path dir) throws IOException, InterruptedException {
        return run(List.of(binary, "dump", "-t", Integer.toString(pid), "-D", dir.toString(),
                "--tcp-established", "--leave-stopped", "--network-lock", "nftables",
                "-o", "dump.log", "-v3"), dir.resolve("dump.log"));
    }

    /** Restores detached, tasks left stopped until resume; writes the root pid to pidFile. */
    public Outcome restore(Path dir, Path pidFile) throws IOException, InterruptedException {
        Files.deleteIfExists(pidFile);
        List<String> cmd = new ArrayList<>(List.of(binary, "restore", "-D", dir.toString(), "--tcp-established",
                "--network-lock", "nftables", "-d", "--leave-stopped", "--pidfile", pidFile.toString(),
                "-o", "restore.log", "-v2"));
        return run(cmd, dir.resolve("restore.log"));
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

    /** The Error lines of a criu log, without the harmless RLIMIT_NOFILE one. */
    static String errorsOf(Path log) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.contains("Error") && !line.contains("RLIMIT_NOFILE")) {
                sb.append('\n').append(line);
            }
        }
        return sb.toString();
    }
}

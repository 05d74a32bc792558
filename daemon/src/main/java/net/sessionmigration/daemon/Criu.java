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
     * Where a dump sends the memory pages instead of the image directory: a {@code criu
     * page-server} at the target, over CRIU's own TLS with the daemons' certificates
     * ({@link CriuTls}); the target's name in its certificate must be {@code address}.
     */
    public record PageServerTarget(String address, int port, List<String> tlsArgs) {
    }

    /**
     * Checkpoints the tree of {@code pid} and leaves it stopped with CRIU's network lock kept:
     * the nftables table CRIU made stays, and the dumped connections stay in TCP repair mode. So
     * from the checkpoint on the source's kernel drops every packet of those connections and
     * acknowledges nothing the restored copy would not have (with --leave-running it would, and
     * a user's request sent during the freeze was lost for good). {@link SourceLock} lifts the
     * lock on rollback, or removes it once the stopped copy has ended silently. -v3: the log
     * names CRIU's run id, which names the table. With a page server ({@code pages} not null) the
     * pages go straight to the target, and only the rest is written to {@code dir}.
     */
    public Outcome dump(int pid, Path dir, PageServerTarget pages) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary, "dump", "-t", Integer.toString(pid), "-D", dir.toString(),
                "--tcp-established", "--leave-stopped", "--network-lock", "nftables", "--display-stats",
                "-o", "dump.log", "-v3"));
        if (pages != null) {
            cmd.addAll(List.of("--page-server", "--address", pages.address(), "--port", Integer.toString(pages.port())));
            cmd.addAll(pages.tlsArgs());
        }
        return run(cmd, dir.resolve("dump.log"));
    }

    /**
     * Starts {@code criu page-server} writing into {@code dir}, listening on {@code address:port}
     * for one dump, which must present a certificate of the daemons' CA (the dump's address is
     * not known in advance, so its name is not checked: {@code --tls-no-cn-verify}). It ends
     * when that dump disconnects; {@link #awaitPageServer} reads its outcome. Its status byte
     * (a 0 written once it listens) comes on its standard output.
     */
    public Process startPageServer(Path dir, String address, int port, List<String> tlsArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary, "page-server", "-D", dir.toString(), "--address", address,
                "--port", Integer.toString(port), "--tls-no-cn-verify", "--status-fd", "1",
                "-o", "page-server.log", "-v2"));
        cmd.addAll(tlsArgs);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** Waits for the page server's status byte (it listens), or says why it did not come. */
    public static void awaitListening(Process server, Path dir, long timeoutMs) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        var status = server.getInputStream();
        while (System.nanoTime() < end) {
            while (status.available() > 0) {
                if (status.read() == 0) {
                    return;
                }
            }
            if (!server.isAlive()) {
                throw new IOException("criu page-server ended with " + server.exitValue()
                        + errorsOf(dir.resolve("page-server.log")));
            }
            Thread.sleep(1);
        }
        server.destroyForcibly();
        throw new IOException("criu page-server did not listen within " + timeoutMs + " ms"
                + errorsOf(dir.resolve("page-server.log")));
    }

    /** After the dump: the page server must have ended by itself, with every page written. */
    public static void awaitPageServer(Process server, Path dir, long timeoutMs) throws IOException, InterruptedException {
        if (!server.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            server.destroyForcibly();
            throw new IOException("criu page-server did not end within " + timeoutMs + " ms after the dump");
        }
        if (server.exitValue() != 0) {
            throw new IOException("criu page-server failed (" + server.exitValue() + ")" + errorsOf(dir.resolve("page-server.log")));
        }
    }

    /** CRIU's --display-stats figures in a dump's output, by name ("Memory pages written" → its number). */
    static java.util.Map<String, Long> stats(String output) {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        var matcher = java.util.regex.Pattern.compile("(?m)^([A-Za-z][A-Za-z ]+): (\\d+)").matcher(output);
        while (matcher.find()) {
            m.put(matcher.group(1).strip(), Long.parseLong(matcher.group(2)));
        }
        return m;
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
        if (!Files.exists(log)) {
            return "";
        }
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.contains("Error") && !line.contains("RLIMIT_NOFILE")) {
                sb.append('\n').append(line);
            }
        }
        return sb.toString();
    }
}

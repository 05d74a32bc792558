package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code nft} with an argument list (never a shell) in this daemon's network namespace. */
final class Nft {
    private Nft() {
    }

    /**
     * Runs nft; returns false when the object was absent and {@code absentOk} (removals are
     * idempotent), throws with nft's words on any other failure.
     */
    static boolean run(List<String> args, boolean absentOk) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("nft"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
        if (p.exitValue() == 0) {
            return true;
        }
        if (absentOk && out.contains("No such file or directory")) {
            return false;
        }
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import net.sessionmigration.netlink.NetlinkException;
import net.sessionmigration.netlink.NfTables;

/**
 * nftables in this daemon's network namespace: a table is deleted over nfnetlink (on the resume's
 * path, where a process of {@code nft} cost ~11 ms); other changes run {@code nft} with an
 * argument list (never a shell).
 */
final class Nft {
    /**
     * One nfnetlink socket for the daemon's life: closing one after a deletion waits in the kernel
     * for the deleted objects to be freed after an RCU grace period (on the lab the deletion's
     * send took 0.04 ms, the close after it 8-16 ms), and the resume deletes the target's hold
     * inside the users' freeze.
     */
    private static NfTables kept;

    private Nft() {
    }

    /** {@code nft delete table inet NAME}; false if there was none. */
    static boolean deleteInetTable(String name) throws IOException {
        return kept().deleteInetTable(name);
    }

    private static synchronized NfTables kept() throws NetlinkException {
        if (kept == null) {
            kept = NfTables.open();
        }
        return kept;
    }

    /** Runs nft; throws with nft's words on a failure. */
    static void run(List<String> args) throws IOException {
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
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A stopped copy of the workload, listed once: its processes, their established connections
 * and each connection's TCP_INFO. Nothing in a stopped copy changes, so the listing is made off
 * the freeze's path and waited for only where it is used: at the source right after the dump,
 * beside the image's transfer and the target's restore (the source's network lock keeps every
 * user's byte out meanwhile), for the commit's check; at the target right after the restore,
 * beside S705 and the port moves (no user's packet reaches the target before its port moved),
 * for the resume (its look at the sessions, the window probes, SIGCONT). Each listing costs 6–9 ms on the lab's 2 vCPUs, inside the
 * users' freeze when it was made in line.
 */
final class StoppedCopy {
    /** The copy as listed; {@code tookUs}: how long the listing took. */
    record Listing(List<Integer> tree, List<ConnectionCloser.Conn> connections,
                   Map<String, SessionCheck.TcpInfo> info, long tookUs) {
    }

    private final CompletableFuture<Listing> listing;

    private StoppedCopy(CompletableFuture<Listing> listing) {
        this.listing = listing;
    }

    /** Starts listing the tree of {@code root} on {@code executor}; {@link #get} waits for it. */
    static StoppedCopy list(int root, Executor executor) {
        return new StoppedCopy(CompletableFuture.supplyAsync(() -> {
            try {
                return listNow(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, executor));
    }

    /** Lists the tree of {@code root} on this thread. */
    static Listing listNow(int root) throws IOException {
        long t0 = System.nanoTime();
        List<Integer> tree = ProcessTree.tree(root);
        List<ConnectionCloser.Conn> connections = ConnectionCloser.connections(tree);
        Map<String, SessionCheck.TcpInfo> info = SessionCheck.snapshot(connections, a -> true);
        return new Listing(tree, connections, info, (System.nanoTime() - t0) / 1000);
    }

    /** The listing, once made; its failure as the IOException it was. */
    Listing get() throws IOException {
        try {
            return listing.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw new IOException("listing the stopped copy failed: " + e.getCause(), e.getCause());
        }
    }
}

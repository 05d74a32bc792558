package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CRIU's network lock at the source, held from the checkpoint until the migration commits or
 * rolls back. {@code criu dump --leave-stopped --network-lock nftables} leaves an nftables table
 * {@code inet CRIU-<run id>} that drops every packet of the dumped connections, and leaves those
 * sockets in TCP repair mode: the source's kernel acknowledges nothing that the restored copy
 * would not have. The table's name is kept in a file beside the image directories, so a
 * restarted daemon still lifts the lock it left.
 */
final class SourceLock {
    private static final Pattern RUN_ID = Pattern.compile("CRIU run id = ([0-9A-Za-z-]+)");
    private static final Pattern TABLE = Pattern.compile("CRIU-[0-9A-Za-z-]{1,40}");

    private final Path imageRoot;

    SourceLock(Path imageRoot) {
        this.imageRoot = imageRoot;
    }

    /**
     * The table CRIU made for this dump: CRIU formats "inet CRIU-&lt;run id&gt;" into 32 bytes
     * (netfilter.c, nftables_get_table), so the name is cut to 26 characters. The last run id at
     * the log's head: CRIU's RPC worker ({@code criu swrk}) draws one at its start and another
     * for the request (cr-service.c, util_init), and its lock is named by the second.
     */
    static Optional<String> tableOf(Path dumpLog) throws IOException {
        if (!Files.exists(dumpLog)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(dumpLog, StandardCharsets.UTF_8)) {
            return lines.limit(50).map(RUN_ID::matcher).filter(Matcher::find).reduce((first, second) -> second)
                    .map(m -> {
                        String name = "CRIU-" + m.group(1);
                        return name.substring(0, Math.min(name.length(), 31 - "inet ".length()));
                    });
        }
    }

    private Path file(String migrationId) {
        return imageRoot.resolve(RequestNames.require("migration id", migrationId) + ".source-lock");
    }

    /** Remembers the table of a migration's dump. */
    void held(String migrationId, String table) throws IOException {
        Files.createDirectories(imageRoot);
        Files.writeString(file(migrationId), table);
    }

    /** The lock a migration still holds, if any. */
    Optional<String> table(String migrationId) throws IOException {
        Path f = file(migrationId);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        String t = Files.readString(f).strip();
        return TABLE.matcher(t).matches() ? Optional.of(t) : Optional.empty();
    }

    /**
     * Removes the table (idempotent): on rollback before the source's sockets leave repair mode,
     * so their window probes get out; on MOVE after the stopped copy ended, so that the same
     * connections can be restored here again later. Returns whether a table was removed.
     */
    boolean lift(String migrationId) throws IOException {
        Optional<String> t = table(migrationId);
        if (t.isEmpty()) {
            return false;
        }
        boolean removed = Nft.deleteInetTable(t.get());
        Files.deleteIfExists(file(migrationId));
        return removed;
    }
}

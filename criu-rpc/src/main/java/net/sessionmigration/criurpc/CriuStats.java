package net.sessionmigration.criurpc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import net.sessionmigration.criurpc.proto.Stats.dump_stats_entry;
import net.sessionmigration.criurpc.proto.Stats.restore_stats_entry;
import net.sessionmigration.criurpc.proto.Stats.stats_entry;

/**
 * CRIU's statistics images, {@code stats-dump} and {@code stats-restore} in the images
 * directory: what {@code --display-stats} prints, without parsing output (over RPC that output
 * goes to the worker's stdout). Layout: two little-endian magics (service, stats), a 32-bit
 * length, one stats_entry message. Times are in microseconds.
 */
public final class CriuStats {
    private static final int SERVICE_MAGIC = 0x55105940;
    private static final int STATS_MAGIC = 0x57093306;

    private CriuStats() {
    }

    public record Dump(long freezingMicros, long frozenMicros, long memdumpMicros, long memwriteMicros, long pagesScanned,
            long pagesSkippedParent, long pagesWritten, long pagesLazy) {
        static Dump of(dump_stats_entry d) {
            return new Dump(Integer.toUnsignedLong(d.getFreezingTime()), Integer.toUnsignedLong(d.getFrozenTime()),
                    Integer.toUnsignedLong(d.getMemdumpTime()), Integer.toUnsignedLong(d.getMemwriteTime()),
                    d.getPagesScanned(), d.getPagesSkippedParent(), d.getPagesWritten(), d.getPagesLazy());
        }
    }

    public record Restore(long forkingMicros, long restoreMicros, long pagesCompared, long pagesSkippedCow,
            long pagesRestored) {
        static Restore of(restore_stats_entry r) {
            return new Restore(Integer.toUnsignedLong(r.getForkingTime()), Integer.toUnsignedLong(r.getRestoreTime()),
                    r.getPagesCompared(), r.getPagesSkippedCow(), r.getPagesRestored());
        }
    }

    /** The dump statistics in {@code dir}, or null if CRIU wrote none (a failed dump). */
    public static Dump readDump(Path dir) throws IOException {
        stats_entry e = read(dir.resolve("stats-dump"));
        return e == null || !e.hasDump() ? null : Dump.of(e.getDump());
    }

    /** The restore statistics in {@code dir}, or null if CRIU wrote none. */
    public static Restore readRestore(Path dir) throws IOException {
        stats_entry e = read(dir.resolve("stats-restore"));
        return e == null || !e.hasRestore() ? null : Restore.of(e.getRestore());
    }

    private static stats_entry read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 12 || b.getInt() != SERVICE_MAGIC || b.getInt() != STATS_MAGIC) {
            throw new IOException(file + " is not a CRIU stats image");
        }
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IOException(file + ": entry of " + len + " bytes in " + b.remaining());
        }
        return stats_entry.parseFrom(ByteBuffer.wrap(b.array(), b.position(), len));
    }
}

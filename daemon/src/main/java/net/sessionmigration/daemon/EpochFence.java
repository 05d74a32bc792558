package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.ErrorAnswer;

/**
 * The coordinators' epochs as this daemon has seen them. A cluster's leader sends its epoch with
 * every changing request ({@value DaemonClient#EPOCH_HEADER}; without it: 0, a coordinator alone).
 * A request whose epoch is below the highest seen is refused before anything is done, so that a
 * deposed leader that wakes up cannot act here; a higher one becomes the highest. The highest is
 * kept in the file {@value #FILE} of the daemon's image root, written (temp file, then rename)
 * before it counts, so a restarted daemon still refuses the deposed leader. A request admitted
 * before a higher epoch arrived runs to its end: the fence stops new calls, not calls under way.
 */
final class EpochFence {
    static final String FILE = "highest-epoch";
    private static final Logger LOG = Logger.getLogger("sm-daemon");
    private static final Pattern EPOCH = Pattern.compile("[0-9]{1,18}");

    /** Where the highest is kept; null: in memory only (the tests' servers). */
    private final Path file;
    private long highest;
    private final AtomicLong refusals = new AtomicLong();

    /** A changing request from an epoch below the highest: answered 409, kind {@value ErrorAnswer#FENCED}. */
    static final class Fenced extends Exception {
        Fenced(long epoch, long highest) {
            super("epoch " + epoch + " is below " + highest + ", the highest this daemon has seen: another"
                    + " coordinator leads now (a request without " + DaemonClient.EPOCH_HEADER + " is epoch 0: a"
                    + " coordinator alone is refused here once a cluster's leader has called)");
        }

        ErrorAnswer answer() {
            return ErrorAnswer.of(ErrorAnswer.FENCED, getMessage());
        }
    }

    private EpochFence(Path file, long highest) {
        this.file = file;
        this.highest = highest;
    }

    /** A fence that forgets with the process. */
    static EpochFence inMemory() {
        return new EpochFence(null, 0);
    }

    /**
     * The fence kept in {@code dir}/{@value #FILE}, starting from what an earlier run left there
     * (0 when nothing). A file that holds no epoch stops the daemon from starting: guessing could
     * let a deposed leader act.
     */
    static EpochFence keptIn(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.exists(f)) {
            return new EpochFence(f, 0);
        }
        String s = Files.readString(f, StandardCharsets.US_ASCII).strip();
        if (!EPOCH.matcher(s).matches()) {
            throw new IOException(f + " holds no epoch (a whole number); remove it only when no coordinator"
                    + " cluster drives this daemon");
        }
        return new EpochFence(f, Long.parseLong(s));
    }

    /** The epoch of a request's {@value DaemonClient#EPOCH_HEADER} value (null: absent, epoch 0). */
    static long parse(java.util.List<String> header) {
        if (header == null || header.isEmpty()) {
            return 0;
        }
        if (header.size() > 1 || !EPOCH.matcher(header.get(0).strip()).matches()) {
            throw new RequestNames.BadRequest(DaemonClient.EPOCH_HEADER + " must be given once, a whole number of at"
                    + " most 18 digits");
        }
        return Long.parseLong(header.get(0).strip());
    }

    /**
     * Lets a changing request ({@code what}, for the log) at {@code epoch} through, or refuses it
     * (counted, logged at WARNING). A higher epoch is written to the file first: when that fails
     * the request is not admitted and the highest stays.
     */
    synchronized void admit(long epoch, String what) throws Fenced, IOException {
        if (epoch < highest) {
            long n = refusals.incrementAndGet();
            LOG.warning("refused " + what + ": epoch " + epoch + " is below " + highest
                    + ", the highest this daemon has seen (refusal " + n + " since start)");
            throw new Fenced(epoch, highest);
        }
        if (epoch > highest) {
            if (file != null) {
                write(file, epoch);
            }
            LOG.info("epoch " + epoch + " (was " + highest + ")");
            highest = epoch;
        }
    }

    synchronized long highest() {
        return highest;
    }

    /** Changing requests refused since this daemon started. */
    long refusals() {
        return refusals.get();
    }

    /** Atomically: a reader (this daemon after a crash) sees the old epoch or the new one, never a part. */
    private static void write(Path file, long epoch) throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                c.write(ByteBuffer.wrap((epoch + "\n").getBytes(StandardCharsets.US_ASCII)));
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IOException("epoch " + epoch + " not taken: cannot write " + file + ": " + e, e);
        }
    }
}

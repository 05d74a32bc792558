package net.sessionmigration.daemondriver;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import net.sessionmigration.daemon.protocol.RecentMigration;

/**
 * The freeze a CRIU migration is expected to take: a fixed part plus the workload's resident
 * memory at the rate the source daemon moved memory lately. From the source daemon's recent
 * migrations: the fixed part is the median of their freezes less the part that moved memory,
 * the rate the median of their rates (resident bytes per second of moving them). With no
 * history, {@link #DEFAULT_FIXED_MS} and {@link #DEFAULT_BYTES_PER_SECOND}.
 *
 * @param fixedMs        what a freeze takes whatever the workload's size (dump and restore of the
 *                       process state, the calls)
 * @param residentBytes  the workload's resident size at the source now
 * @param bytesPerSecond the rate at which its memory is expected to move
 * @param samples        how many recent migrations the figures are the median of (0: the defaults)
 */
record FreezePrediction(long fixedMs, long residentBytes, double bytesPerSecond, int samples) {
    /** The fixed part with no history: the freeze this driver always assumed for a small workload. */
    static final long DEFAULT_FIXED_MS = 150;
    /**
     * The rate with no history: 100 MB/s, a cautious figure below what the lab measures for
     * CRIU writing pages into the image and the daemons sending it over their TLS (BENCHMARKS.md).
     */
    static final double DEFAULT_BYTES_PER_SECOND = 100e6;

    static FreezePrediction of(long residentBytes, List<RecentMigration> recent) {
        if (recent.isEmpty()) {
            return new FreezePrediction(DEFAULT_FIXED_MS, residentBytes, DEFAULT_BYTES_PER_SECOND, 0);
        }
        double[] fixed = recent.stream().mapToDouble(r -> Math.max(0, r.freezeMs() - r.transferUs() / 1000.0)).toArray();
        double[] rates = recent.stream().filter(r -> r.transferUs() > 0 && r.residentBytes() > 0)
                .mapToDouble(r -> r.residentBytes() * 1e6 / r.transferUs()).toArray();
        return new FreezePrediction(Math.round(median(fixed)), residentBytes,
                rates.length == 0 ? DEFAULT_BYTES_PER_SECOND : median(rates), recent.size());
    }

    /** The middle value (of an even count, the upper of the two). */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    Duration expected() {
        return Duration.ofMillis(fixedMs + Math.round(residentBytes * 1000.0 / bytesPerSecond));
    }

    /** "expected freeze 190 ms = fixed 150 ms + 4.0 MiB at 100 MB/s (median of 3 recent)". */
    String note() {
        return String.format(Locale.ROOT, "expected freeze %d ms = fixed %d ms + %.1f MiB at %.0f MB/s (%s)",
                expected().toMillis(), fixedMs, residentBytes / (double) (1 << 20), bytesPerSecond / 1e6,
                samples == 0 ? "defaults: no recent migration" : "median of " + samples + " recent");
    }
}

package net.sessionmigration.qmp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code migrate-set-parameters} the daemon sets; an empty value leaves QEMU's own
 * (downtime limit 300 ms, 128 MiB/s in QEMU 7.2).
 *
 * @param downtimeLimit the longest the guest may stay stopped in the final phase (QEMU: milliseconds)
 * @param maxBandwidth  bytes per second for the transfer
 */
public record MigrationParameters(Optional<Duration> downtimeLimit, Optional<Long> maxBandwidth) {
    public MigrationParameters {
        downtimeLimit.ifPresent(d -> {
            if (d.isNegative() || d.toMillis() > 2_000_000) {
                throw new IllegalArgumentException("downtime limit out of range: " + d);
            }
        });
        maxBandwidth.ifPresent(b -> {
            if (b <= 0) {
                throw new IllegalArgumentException("max bandwidth must be > 0 bytes/s: " + b);
            }
        });
    }

    public static MigrationParameters of(Duration downtimeLimit, long maxBandwidthBytesPerSecond) {
        return new MigrationParameters(Optional.of(downtimeLimit), Optional.of(maxBandwidthBytesPerSecond));
    }

    /** The QMP arguments. */
    public Map<String, Object> toArguments() {
        Map<String, Object> a = new LinkedHashMap<>();
        downtimeLimit.ifPresent(d -> a.put("downtime-limit", d.toMillis()));
        maxBandwidth.ifPresent(b -> a.put("max-bandwidth", b));
        return a;
    }
}

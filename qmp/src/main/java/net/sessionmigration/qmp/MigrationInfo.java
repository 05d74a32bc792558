package net.sessionmigration.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * The answer of {@code query-migrate}, as QEMU reports it.
 *
 * @param status           {@code none}, {@code setup}, {@code active}, {@code device},
 *                         {@code completed}, {@code failed}, {@code cancelling}, {@code cancelled}, ...
 * @param totalTime        whole migration, when QEMU reports it (while active: so far)
 * @param downtime         how long the guest was stopped (after completion)
 * @param expectedDowntime QEMU's estimate while active
 * @param setupTime        setup phase
 * @param ramTransferred   bytes of RAM sent so far
 * @param ramTotal         bytes of guest RAM
 * @param ramRemaining     bytes still to send
 * @param errorDesc        QEMU's reason when the status is {@code failed}, else ""
 */
public record MigrationInfo(String status, Optional<Duration> totalTime, Optional<Duration> downtime,
                            Optional<Duration> expectedDowntime, Optional<Duration> setupTime,
                            long ramTransferred, long ramTotal, long ramRemaining, String errorDesc) {

    public static MigrationInfo fromJson(JsonNode r) {
        JsonNode ram = r.path("ram");
        return new MigrationInfo(
                r.path("status").asText("none"),
                millis(r, "total-time"), millis(r, "downtime"), millis(r, "expected-downtime"),
                millis(r, "setup-time"),
                ram.path("transferred").asLong(0), ram.path("total").asLong(0),
                ram.path("remaining").asLong(0),
                r.path("error-desc").asText(""));
    }

    private static Optional<Duration> millis(JsonNode r, String field) {
        JsonNode n = r.get(field);
        return n == null || !n.canConvertToLong() ? Optional.empty() : Optional.of(Duration.ofMillis(n.asLong()));
    }

    /** Completed, failed or cancelled: nothing more will happen. */
    public boolean finished() {
        return "completed".equals(status) || "failed".equals(status) || "cancelled".equals(status);
    }

    public boolean completed() {
        return "completed".equals(status);
    }

    /** Fraction of guest RAM sent (0..1); pages dirtied again make this only an estimate. */
    public double ramProgress() {
        return ramTotal <= 0 ? 0 : Math.min(1.0, (double) ramTransferred / ramTotal);
    }
}

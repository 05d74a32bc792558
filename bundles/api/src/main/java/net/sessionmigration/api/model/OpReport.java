package net.sessionmigration.api.model;

import java.util.Map;

/**
 * What a successful driver operation did, in words, with measurements worth keeping in the
 * history (for example {@code dump_ms}, {@code downtime_ms}).
 */
public record OpReport(String summary, Map<String, String> measurements) {
    public OpReport {
        summary = summary == null ? "" : summary;
        measurements = Map.copyOf(measurements);
    }

    public static OpReport of(String summary) {
        return new OpReport(summary, Map.of());
    }
}

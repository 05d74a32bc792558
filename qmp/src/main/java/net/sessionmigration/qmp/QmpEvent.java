package net.sessionmigration.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An asynchronous QMP event ({@code STOP}, {@code RESUME}, {@code MIGRATION}, {@code SHUTDOWN}, ...).
 *
 * @param sequence  position in this connection's event stream, from 0 (see {@link QmpClient#eventCursor()})
 * @param name      the event name
 * @param data      the event's data, an empty object when it has none
 * @param timestamp QEMU's timestamp of the event
 */
public record QmpEvent(long sequence, String name, JsonNode data, Instant timestamp) {
    /** For {@code MIGRATION} events: the new status ({@code active}, {@code completed}, ...), else "". */
    public String migrationStatus() {
        return data.path("status").asText("");
    }
}

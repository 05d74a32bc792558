package net.sessionmigration.daemon.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer of every migration operation: a summary in words and measurements (all values
 * text, e.g. {@code "dump_ms":"42"}). A VM's {@code migrate} also says whether it is
 * {@code done} (else the measurements are its progress, and the caller asks again), a VM's
 * {@code incoming} the {@code uri} its destination listens at.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperationAnswer(boolean ok, String summary, Map<String, String> measurements, Boolean done, String uri) {

    public static OperationAnswer of(String summary, Map<String, String> measurements) {
        return new OperationAnswer(true, summary, new LinkedHashMap<>(measurements), null, null);
    }

    public OperationAnswer withDone(boolean isDone) {
        return new OperationAnswer(ok, summary, measurements, isDone, uri);
    }

    public OperationAnswer withUri(String listensAt) {
        return new OperationAnswer(ok, summary, measurements, done, listensAt);
    }

    /** The measurements, never null. */
    public Map<String, String> measured() {
        return measurements == null ? Map.of() : measurements;
    }

    /** A measurement as a number; 0 when absent or not a whole number. */
    public long number(String name) {
        return number(measured(), name);
    }

    /** A measurement of {@code measurements} as a number; 0 when absent or not a whole number. */
    public static long number(Map<String, String> measurements, String name) {
        try {
            return Long.parseLong(measurements.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public boolean finished() {
        return Boolean.TRUE.equals(done);
    }
}

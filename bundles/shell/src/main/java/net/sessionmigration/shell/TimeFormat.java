package net.sessionmigration.shell;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Durations as milliseconds with microsecond precision, the unit operators compare against TCP's patience. */
final class TimeFormat {
    private static final DateTimeFormatter WALL_CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private TimeFormat() {
    }

    /** 1234567 µs → "1234.567". */
    static String millis(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    /** "95.000 ms", or "unknown" when a driver did not say. */
    static String millis(Duration duration) {
        if (duration == null) {
            return "unknown";
        }
        long micros = duration.getSeconds() * 1_000_000L + duration.getNano() / 1_000L;
        return millis(micros) + " ms";
    }

    static String wallClock(long epochMicros, ZoneId zone) {
        if (epochMicros <= 0) {
            return "-";
        }
        Instant at = Instant.ofEpochSecond(epochMicros / 1_000_000L, (epochMicros % 1_000_000L) * 1_000L);
        return WALL_CLOCK.format(at.atZone(zone));
    }
}

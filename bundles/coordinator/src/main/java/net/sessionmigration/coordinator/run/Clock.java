package net.sessionmigration.coordinator.run;

import java.time.Instant;

/** Epoch microseconds, the unit of the flight recorder. */
public final class Clock {
    private Clock() {
    }

    public static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    public static long nowMicros() {
        return micros(Instant.now());
    }
}

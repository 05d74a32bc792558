package net.sessionmigration.api.model;

import java.time.Duration;
import java.util.List;

/**
 * A driver's answer to "could you do this now?": every problem found (empty means go),
 * facts worth showing (accelerator, round-trip time…), and how long the driver expects its
 * part to take.
 */
public record Preflight(List<Problem> problems, List<String> notes, Duration expectedDuration) {
    public Preflight {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
        expectedDuration = expectedDuration == null ? Duration.ZERO : expectedDuration;
    }

    public static Preflight go(Duration expected, String... notes) {
        return new Preflight(List.of(), List.of(notes), expected);
    }

    public boolean go() {
        return problems.isEmpty();
    }
}

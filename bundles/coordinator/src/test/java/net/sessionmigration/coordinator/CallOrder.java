package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Driver calls in phases: one phase after the other, the calls inside a phase in any order (they run in parallel). */
final class CallOrder {
    private CallOrder() {
    }

    static void assertPhases(List<String> calls, List<Set<String>> phases) {
        List<Set<String>> seen = new ArrayList<>();
        int i = 0;
        for (Set<String> phase : phases) {
            int end = Math.min(calls.size(), i + phase.size());
            seen.add(new HashSet<>(calls.subList(i, end)));
            i = end;
        }
        assertEquals(phases, seen, () -> "calls in phases " + phases + " were " + calls);
        assertEquals(i, calls.size(), () -> "more calls than expected: " + calls);
    }
}

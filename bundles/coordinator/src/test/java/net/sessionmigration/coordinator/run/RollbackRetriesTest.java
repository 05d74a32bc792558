package net.sessionmigration.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import net.sessionmigration.api.model.Problem;

class RollbackRetriesTest {
    private final List<String> notes = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();

    private RollbackRetries retries(Duration window) {
        return new RollbackRetries(window, Duration.ofMillis(10), notes::add, () -> { });
    }

    /** Fails the first {@code failures} attempts, then succeeds. */
    private RollbackRetries.Undo undo(String name, int failures) {
        AtomicInteger attempts = new AtomicInteger();
        return new RollbackRetries.Undo(name, () -> {
            calls.add(name);
            return attempts.incrementAndGet() <= failures
                    ? Optional.of(new Problem(name, "down")) : Optional.empty();
        });
    }

    @Test
    void everyActionRunsOnceInOrderWhenAllSucceed() {
        assertEquals(List.of(), retries(Duration.ofSeconds(5)).run(List.of(undo("sw1", 0), undo("bak-srv", 0))));
        assertEquals(List.of("sw1", "bak-srv"), calls);
        assertEquals(List.of(), notes);
    }

    @Test
    void aFailedActionDoesNotDelayTheNextAndIsRetriedUntilItSucceeds() {
        assertEquals(List.of(), retries(Duration.ofSeconds(5)).run(List.of(undo("sw1", 2), undo("bak-srv", 0))));
        assertEquals(List.of("sw1", "bak-srv", "sw1", "sw1"), calls);
        assertTrue(notes.get(0).startsWith("sw1 failed (sw1: down); retried every"), notes::toString);
        assertTrue(notes.get(1).startsWith("sw1 succeeded at attempt 3"), notes::toString);
    }

    @Test
    void whatStillFailsWhenTheWindowEndsIsReturned() {
        List<Problem> left = retries(Duration.ofMillis(100)).run(List.of(undo("sw1", 1000), undo("bak-srv", 0)));
        assertEquals(List.of(new Problem("sw1", "down")), left);
        assertEquals(1, calls.stream().filter("bak-srv"::equals).count());
        assertTrue(calls.stream().filter("sw1"::equals).count() > 1, calls::toString);
    }

    @Test
    void aStoppingCoordinatorEndsTheRetries() {
        RollbackRetries r = new RollbackRetries(Duration.ofSeconds(5), Duration.ofMillis(10), notes::add,
                () -> { throw new RunHalted(); });
        assertThrows(RunHalted.class, () -> r.run(List.of(undo("sw1", 1000))));
    }
}

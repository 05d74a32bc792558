package net.sessionmigration.api.service;

import java.time.Duration;
import java.util.List;

import net.sessionmigration.api.model.Problem;

/**
 * Go or no-go for a plan, with every problem found by validation and by each driver's
 * preflight, and estimates summed from the drivers' expected durations.
 *
 * @param estimatedFreezeWindow from freeze (S703) to resume (S710)
 * @param estimatedUserBlackout while {@code v} is unreachable for a user (S705 to S708)
 */
public record DryRunReport(String plan, List<Problem> problems, List<String> notes,
                           Duration estimatedFreezeWindow, Duration estimatedUserBlackout) {
    public DryRunReport {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    public boolean go() {
        return problems.isEmpty();
    }
}

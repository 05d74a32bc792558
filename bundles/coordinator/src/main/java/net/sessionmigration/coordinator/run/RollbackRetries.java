package net.sessionmigration.coordinator.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

import net.sessionmigration.api.model.Problem;

/**
 * Runs a rollback's undo actions in order, then retries the failed ones until they succeed or a
 * time window ends. A daemon restarted by its service manager, or a switch that stopped
 * answering for a while, then still gets its users and its workload back instead of leaving
 * them for an operator. The first pass is never delayed by a retry, so a workload that can be
 * continued at the source is continued at once.
 */
final class RollbackRetries {
    /** One undo action: empty when it succeeded, else why not. */
    record Undo(String what, Supplier<Optional<Problem>> attempt) {
    }

    private final Duration window;
    private final Duration every;
    private final Consumer<String> note;
    private final Runnable checkHalted;

    /**
     * @param note        where retries are told (the migration's notes)
     * @param checkHalted throws when the coordinator is stopping; the rollback is then finished by the next start
     */
    RollbackRetries(Duration window, Duration every, Consumer<String> note, Runnable checkHalted) {
        this.window = window;
        this.every = every;
        this.note = note;
        this.checkHalted = checkHalted;
    }

    /** The problems of the actions that still failed when the window ended; empty when all succeeded. */
    List<Problem> run(List<Undo> actions) {
        long start = System.nanoTime();
        List<Undo> pending = new ArrayList<>(actions);
        List<Problem> problems = new ArrayList<>();
        int pass = 1;
        while (true) {
            problems.clear();
            List<Undo> failed = new ArrayList<>();
            for (Undo u : pending) {
                Optional<Problem> p = u.attempt().get();
                if (p.isPresent()) {
                    failed.add(u);
                    problems.add(p.get());
                    if (pass == 1) {
                        note.accept(u.what() + " failed (" + p.get() + "); retried every " + DriverCalls.format(every)
                                + " for up to " + DriverCalls.format(window));
                    }
                } else if (pass > 1) {
                    note.accept(u.what() + " succeeded at attempt " + pass + ", "
                            + DriverCalls.format(Duration.ofNanos(System.nanoTime() - start)) + " after the first");
                }
            }
            pending = failed;
            if (pending.isEmpty() || System.nanoTime() - start + every.toNanos() > window.toNanos()) {
                return List.copyOf(problems);
            }
            try {
                Thread.sleep(every.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            checkHalted.run();
            pass++;
        }
    }
}

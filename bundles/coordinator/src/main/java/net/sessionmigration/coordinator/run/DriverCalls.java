package net.sessionmigration.coordinator.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.model.Result;

/**
 * Calls a driver with a time limit: a call that does not answer in time counts as failed, so
 * the migration can roll back instead of waiting for a daemon that will never reply. The call
 * runs on a pool thread because a blocked driver cannot be relied on to honour an interrupt.
 */
public final class DriverCalls {
    private static final Logger LOG = LoggerFactory.getLogger(DriverCalls.class);

    private final ExecutorService pool;

    public DriverCalls(ExecutorService pool) {
        this.pool = pool;
    }

    /**
     * @throws RunHalted if the calling thread is interrupted (the coordinator is stopping)
     */
    public <T> Result<T> call(String device, String operation, Duration timeout, Supplier<Result<T>> call) {
        Future<Result<T>> f;
        try {
            f = pool.submit(call::get);
        } catch (RuntimeException e) {
            throw new RunHalted();
        }
        try {
            Result<T> r = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return r == null ? Result.failed(device, operation + " returned no result") : r;
        } catch (TimeoutException e) {
            f.cancel(true);
            return Result.failed(device, operation + " did not answer within " + format(timeout));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // the operator gets one line; the stack trace goes to the log
            LOG.warn("driver call {} on {} threw", operation, device, cause);
            return Result.failed(device, operation + " failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new RunHalted();
        }
    }

    /**
     * Runs each piece of work on the pool at once and waits for them all: their results in the
     * order given. Each piece makes its own time-limited {@link #call}s, so the wait is bounded.
     *
     * @throws RunHalted if the calling thread is interrupted (the coordinator is stopping), or a piece was halted
     */
    public <T> List<T> inParallel(List<Supplier<T>> work) {
        if (work.size() == 1) {
            return List.of(work.get(0).get());
        }
        List<Future<T>> started = new ArrayList<>();
        try {
            work.forEach(w -> started.add(pool.submit(w::get)));
            List<T> results = new ArrayList<>();
            for (Future<T> f : started) {
                results.add(f.get());
            }
            return results;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new RunHalted();
        } catch (InterruptedException e) {
            started.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new RunHalted();
        } catch (ExecutionException e) {
            started.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    public static String format(Duration d) {
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMillis() + " ms";
    }
}

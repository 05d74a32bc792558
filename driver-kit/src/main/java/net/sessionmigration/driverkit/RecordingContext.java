package net.sessionmigration.driverkit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import net.sessionmigration.api.driver.DriverContext;

/**
 * A {@link DriverContext} for tests that keeps what the driver reported: each operation as
 * {@code "DEVICE OPERATION Nms OUTCOME"} and each progress line, in order, safe to read while the
 * driver works from several threads. {@link #atEpoch} and {@link #fencedBecause} give it the epoch and
 * the fence of a cluster's coordinator.
 */
public final class RecordingContext implements DriverContext {
    private final String migrationId;
    private final List<String> operations = new CopyOnWriteArrayList<>();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private volatile long epoch;
    private volatile Optional<String> fenced = Optional.empty();

    public RecordingContext(String migrationId) {
        this.migrationId = migrationId;
    }

    /** The caller's epoch from now on (0 by default: a coordinator alone). */
    public RecordingContext atEpoch(long epoch) {
        this.epoch = epoch;
        return this;
    }

    /** From now on {@link #fenced()} says why the caller may no longer change devices. */
    public RecordingContext fencedBecause(String why) {
        this.fenced = Optional.of(why);
        return this;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public Optional<String> fenced() {
        return fenced;
    }

    @Override
    public String migrationId() {
        return migrationId;
    }

    @Override
    public void progress(String message) {
        progress.add(message);
    }

    @Override
    public void operation(String device, String operation, Instant start, Instant end, String outcome) {
        operations.add(device + " " + operation + " " + Duration.between(start, end).toMillis() + "ms " + outcome);
    }

    /** The operations so far (the live list: a test may clear it between steps). */
    public List<String> operations() {
        return operations;
    }

    /** The progress lines so far (the live list). */
    public List<String> progress() {
        return progress;
    }
}

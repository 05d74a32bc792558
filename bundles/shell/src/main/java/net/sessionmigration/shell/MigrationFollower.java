package net.sessionmigration.shell;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;

/**
 * Follows one migration live for {@code start} and {@code watch}.
 * Events arrive on the migration's own thread, but Karaf routes System.out per command thread,
 * so the listener only queues them and the command thread prints. The record is polled too,
 * so a FINISHED event that fired before the listener was added cannot leave us waiting forever.
 */
final class MigrationFollower implements MigrationListener {
    enum End { FINISHED, TIMED_OUT }

    private static final long POLL_MILLIS = 200;

    /** How long to wait for the coordinator to close the record after its FINISHED event. */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final MigrationService service;
    private final MigrationAdminService admin;
    private final BlockingQueue<MigrationEvent> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String migrationId;

    /** @param migrationId null when not yet known (start): accept every event handed to us */
    MigrationFollower(MigrationService service, MigrationAdminService admin, String migrationId) {
        this.service = service;
        this.admin = admin;
        this.migrationId = migrationId;
    }

    @Override
    public void onEvent(MigrationEvent event) {
        String id = migrationId;
        if (!closed.get() && (id == null || id.equals(event.migrationId()))) {
            events.add(event);
        }
    }

    /** Hands each event to {@code printer} until the migration finishes or the timeout passes. */
    End follow(String id, Duration timeout, Consumer<MigrationEvent> printer) throws InterruptedException {
        migrationId = id;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return End.TIMED_OUT;
                }
                MigrationEvent e = events.poll(Math.min(left, POLL_MILLIS), TimeUnit.MILLISECONDS);
                if (e != null && e.kind() == MigrationEvent.Kind.FINISHED) {
                    return End.FINISHED;
                }
                if (e != null) {
                    printer.accept(e);
                } else if (finished(id)) {
                    drain(printer);
                    return End.FINISHED;
                }
            }
        } finally {
            closed.set(true);
        }
    }

    private boolean finished(String id) {
        return service.migration(id).map(r -> r.state().finished()).orElse(false);
    }

    private void drain(Consumer<MigrationEvent> printer) {
        for (MigrationEvent e; (e = events.poll()) != null; ) {
            if (e.kind() != MigrationEvent.Kind.FINISHED) {
                printer.accept(e);
            }
        }
    }

    /**
     * The live display of {@code start} and {@code watch}: one line per finished step, then the
     * verdict (or, with JSON, the record). Ctrl-C interrupts the command thread: we stop
     * watching and say so; the migration itself goes on.
     */
    void display(String id, Duration timeout, ShellOutput o, boolean json) {
        End end;
        try {
            end = follow(id, timeout, e -> {
                if (!json) {
                    MigrationView.event(e).ifPresent(o::println);
                }
            });
        } catch (InterruptedException e) {
            o.println("stopped watching migration " + id + "; it goes on (see migration:status " + id + ")");
            return;
        }
        Optional<MigrationRecord> record = end == End.FINISHED
                ? admin.await(id, SETTLE).toOptional().or(() -> service.migration(id))
                : service.migration(id);
        if (json) {
            record.ifPresent(o::json);
        } else if (end == End.TIMED_OUT) {
            o.println("still running after " + timeout.toSeconds() + " s; follow it with migration:watch " + id);
        } else {
            o.println(record.map(MigrationView::verdict).orElse("migration " + id + " finished"));
        }
    }
}

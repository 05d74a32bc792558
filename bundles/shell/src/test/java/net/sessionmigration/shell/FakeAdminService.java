package net.sessionmigration.shell;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.StartRequest;

/**
 * An in-memory MigrationAdminService. A "script" of events is played on its own thread (as the
 * coordinator does) to the listener given to start, or to listeners added later (watch); at its
 * end the final record is stored in the fake MigrationService and FINISHED is sent.
 */
final class FakeAdminService implements MigrationAdminService {
    private final FakeMigrationService service;
    Result<String> startResult = Result.ok("m-1");
    Result<String> abortResult = Result.ok("abort requested for m-1");
    Result<String> resetResult = Result.ok("backup-active cleared for plan video");
    List<MigrationEvent> script = List.of();
    MigrationRecord finalRecord;
    boolean playOnAddListener;
    boolean sendFinished = true;
    long stepPauseMillis = 2;
    StartRequest lastStart;
    final List<String> aborted = new ArrayList<>();
    final List<String> resets = new ArrayList<>();
    final List<MigrationListener> listeners = new CopyOnWriteArrayList<>();
    final List<MigrationListener> removed = new CopyOnWriteArrayList<>();
    volatile Thread player;

    FakeAdminService(FakeMigrationService service) {
        this.service = service;
    }

    @Override
    public Result<String> start(StartRequest request, MigrationListener listener) {
        lastStart = request;
        if (startResult.isOk()) {
            play(listener);
        }
        return startResult;
    }

    private void play(MigrationListener listener) {
        player = new Thread(() -> {
            try {
                for (MigrationEvent e : script) {
                    Thread.sleep(stepPauseMillis);
                    listener.onEvent(e);
                }
                if (finalRecord != null) {
                    service.record(finalRecord);
                }
                if (sendFinished && finalRecord != null) {
                    listener.onEvent(new MigrationEvent(finalRecord.id(), finalRecord.plan(),
                            MigrationEvent.Kind.FINISHED, null, 0, finalRecord.state().name()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "fake-migration");
        player.start();
    }

    @Override
    public Result<MigrationRecord> await(String migrationId, Duration timeout) {
        return service.migration(migrationId).<Result<MigrationRecord>>map(Result::ok)
                .orElse(Result.failed("coordinator", "unknown migration " + migrationId));
    }

    @Override
    public Result<String> abort(String migrationId) {
        aborted.add(migrationId);
        return abortResult;
    }

    @Override
    public java.util.Optional<net.sessionmigration.api.service.TriggerMemory> triggerMemory(String rule) {
        return java.util.Optional.empty();
    }

    @Override
    public void rememberTrigger(net.sessionmigration.api.service.TriggerMemory memory) {
        throw new AssertionError("the shell keeps no trigger memory");
    }

    @Override
    public Result<String> resetBackupActive(String plan) {
        resets.add(plan);
        return resetResult;
    }

    @Override
    public void addListener(MigrationListener listener) {
        listeners.add(listener);
        if (playOnAddListener) {
            play(listener);
        }
    }

    @Override
    public void removeListener(MigrationListener listener) {
        listeners.remove(listener);
        removed.add(listener);
    }
}

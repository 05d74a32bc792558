package net.sessionmigration.qmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * One QEMU started by {@link QemuLauncher}, with its QMP connection. {@link #close()} always
 * leaves no process behind: {@code quit} over QMP, then SIGTERM, then SIGKILL.
 */
public final class QemuProcess implements AutoCloseable {
    private final VmSpec spec;
    private final Process process;
    private final QmpClient qmp;
    private final long startedNanos;
    /** Set once {@link #close()} or {@link #kill()} began: an exit after it was asked for. */
    private volatile boolean stopping;

    QemuProcess(VmSpec spec, Process process, QmpClient qmp, long startedNanos) {
        this.spec = spec;
        this.process = process;
        this.qmp = qmp;
        this.startedNanos = startedNanos;
    }

    public VmSpec spec() {
        return spec;
    }

    public QmpClient qmp() {
        return qmp;
    }

    /** QEMU's PID ({@code ip netns exec} execs QEMU, so it is the same process). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** When the process was started ({@link System#nanoTime()}). */
    public long startedNanos() {
        return startedNanos;
    }

    /**
     * Calls {@code action} with QEMU's exit status if QEMU ends without {@link #close()} or
     * {@link #kill()} asking it to: a guest that panicked (the lab's {@code panic=-1} with
     * {@code -no-reboot}), a QEMU that crashed, a signal from outside. The returned stage
     * completes once QEMU's exit has been handled, either way.
     */
    public CompletableFuture<Void> onUnexpectedExit(IntConsumer action) {
        return process.onExit().thenAccept(p -> {
            if (!stopping) {
                action.accept(p.exitValue());
            }
        });
    }

    /** What the guest wrote on its serial console so far. */
    public String console() {
        try {
            return Files.readString(spec.consoleLog(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** QEMU's own stderr/stdout so far. */
    public String qemuLog() {
        try {
            return Files.readString(spec.qemuLog(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Waits until the guest's console shows {@code marker} (e.g. the lab image's
     * "sm-vm: ready"). Returns false on timeout or when QEMU exited.
     */
    public boolean awaitConsole(String marker, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (console().contains(marker)) {
                return true;
            }
            if (!process.isAlive()) {
                return console().contains(marker);
            }
            QmpClient.sleep(20);
        }
        return false;
    }

    /** Waits for QEMU to exit by itself (e.g. a destination after a failed incoming migration). */
    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Kills QEMU at once (SIGKILL), as a crash would. */
    public void kill() {
        stopping = true;
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(5));
        qmp.close();
    }

    /** Stops QEMU: QMP {@code quit}, then SIGTERM, then SIGKILL; removes its socket. Idempotent. */
    @Override
    public void close() {
        stopping = true;
        if (process.isAlive() && qmp.isOpen()) {
            try {
                qmp.execute("quit", java.util.Map.of(), Duration.ofMillis(500));
            } catch (QmpException ignored) {
                // going on to signals
            }
        }
        qmp.close();
        if (!awaitExit(Duration.ofSeconds(2))) {
            process.destroy();
            if (!awaitExit(Duration.ofSeconds(2))) {
                process.destroyForcibly();
                awaitExit(Duration.ofSeconds(5));
            }
        }
        try {
            Files.deleteIfExists(spec.qmpSocket());
            Files.deleteIfExists(spec.pidFile());
        } catch (IOException ignored) {
            // stale socket is removed at the next start
        }
    }

    @Override
    public String toString() {
        return "qemu " + spec.name() + " pid " + pid();
    }
}

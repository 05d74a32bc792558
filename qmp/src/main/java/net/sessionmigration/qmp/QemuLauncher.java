package net.sessionmigration.qmp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Starts QEMU from a {@link VmSpec} (an argument list, never a shell) and connects to its QMP
 * socket; decides between KVM and TCG on this host.
 */
public final class QemuLauncher {
    private final Duration qmpTimeout;

    /** @param qmpTimeout default timeout of every QMP call on the started QEMUs */
    public QemuLauncher(Duration qmpTimeout) {
        this.qmpTimeout = qmpTimeout;
    }

    public QemuLauncher() {
        this(Duration.ofSeconds(5));
    }

    /**
     * Starts QEMU and returns once its QMP connection is ready (capabilities negotiated).
     * On any failure the process is killed and the exception carries the end of QEMU's log.
     */
    public QemuProcess start(VmSpec spec, Duration startTimeout) throws IOException {
        Files.createDirectories(spec.runDir());
        Files.deleteIfExists(spec.qmpSocket());
        Files.deleteIfExists(spec.consoleLog());
        ProcessBuilder pb = new ProcessBuilder(spec.commandLine())
                .redirectErrorStream(true)
                .redirectOutput(spec.qemuLog().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long t0 = System.nanoTime();
        Process p = pb.start();
        long deadline = t0 + startTimeout.toNanos();
        try {
            while (true) {
                if (!p.isAlive()) {
                    throw new IOException("QEMU " + spec.name() + " exited with " + p.exitValue() + ": " + tail(spec.qemuLog()));
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("QEMU " + spec.name() + " gave no QMP connection within "
                            + startTimeout.toMillis() + " ms: " + tail(spec.qemuLog()));
                }
                if (Files.exists(spec.qmpSocket())) {
                    try {
                        // short attempts: a QEMU that aborts leaves its socket file behind
                        QmpClient qmp = QmpClient.connect(spec.qmpSocket(), Duration.ofMillis(500), qmpTimeout);
                        return new QemuProcess(spec, p, qmp, t0);
                    } catch (QmpException e) {
                        if (!p.isAlive()) {
                            continue;
                        }
                    }
                }
                QmpClient.sleep(10);
            }
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    /**
     * Decides KVM or TCG by trying: /dev/kvm answering is not enough (on a PVM host KVM is
     * present, QEMU accepts {@code -accel kvm}, yet a guest aborts or crawls), so this boots
     * {@code probe} under KVM, without network, and takes KVM only if its console shows
     * {@code readyMarker} within {@code timeout}. The probe QEMU is always stopped.
     */
    public AcceleratorDecision decideAccelerator(VmSpec probe, String readyMarker, Duration timeout) {
        if (!Files.exists(Path.of("/dev/kvm"))) {
            return new AcceleratorDecision(Accelerator.TCG, "no /dev/kvm; using TCG");
        }
        VmSpec kvm = new VmSpec(probe.name() + "-kvmprobe", probe.qemuBinary(), probe.kernel(), probe.initrd(),
                probe.append(), probe.memoryMb(), Optional.empty(), Optional.empty(), probe.runDir(),
                Accelerator.KVM, false, false, List.of());
        long t0 = System.nanoTime();
        try (QemuProcess q = start(kvm, timeout)) {
            Duration left = timeout.minusNanos(System.nanoTime() - t0);
            if (q.awaitConsole(readyMarker, left.isNegative() ? Duration.ZERO : left)) {
                return new AcceleratorDecision(Accelerator.KVM, "KVM guest booted in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms; using KVM");
            }
            String why = q.isAlive() ? "KVM guest not up within " + timeout.toMillis() + " ms"
                    : "KVM guest died: " + lastLine(q.qemuLog());
            return new AcceleratorDecision(Accelerator.TCG, why + "; using TCG");
        } catch (IOException e) {
            return new AcceleratorDecision(Accelerator.TCG, "KVM QEMU failed: " + lastLine(e.getMessage()) + "; using TCG");
        }
    }

    /**
     * Stops a QEMU of this spec left from an earlier run (e.g. before a daemon restart): reads
     * its pidfile and kills the process only if its command line still names this spec's QMP
     * socket (a recycled PID is left alone). Returns whether a process was stopped.
     */
    public boolean killStale(VmSpec spec) throws IOException {
        Path pidFile = spec.pidFile();
        if (!Files.exists(pidFile)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (NumberFormatException e) {
            Files.deleteIfExists(pidFile);
            return false;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        boolean ours = h.isPresent() && cmdline(pid).contains("unix:" + spec.qmpSocket() + ",");
        if (ours) {
            ProcessHandle p = h.get();
            p.destroy();
            try {
                p.onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
                try {
                    p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // reported by the caller's next start failing
                }
            }
        }
        Files.deleteIfExists(pidFile);
        Files.deleteIfExists(spec.qmpSocket());
        return ours;
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** The last 600 characters of a QEMU log or a guest's console, for an error or a warning. */
    public static String tail(Path log) {
        try {
            String s = Files.readString(log).strip();
            return s.length() > 600 ? "..." + s.substring(s.length() - 600) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String lastLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no output)";
        }
        String[] lines = s.strip().split("\n");
        // QEMU's assertion comes last; the reason ("failed to set MSR ...") is usually just before
        String last = lines[lines.length - 1].strip();
        if (lines.length > 1 && last.contains("Assertion")) {
            return lines[lines.length - 2].strip() + " / " + last;
        }
        return last;
    }
}

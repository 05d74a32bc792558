package net.sessionmigration.daemon;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.logging.Logger;

import com.sun.jna.Native;

/**
 * Keeps the kernel's perf scheduler hooks switched on while the daemon runs, so that CRIU's first
 * dump does not switch them on inside the freeze.
 *
 * <p>CRIU sets a hardware breakpoint on each task it cures or restores ({@code PTRACE_POKEUSER} of
 * a debug register), and the kernel makes that breakpoint a perf event bound to the task. The
 * first such event on a machine that has none switches the scheduler's perf hooks on and waits
 * for an RCU grace period ({@code account_event} in kernel/events/core.c), 10-15 ms on the lab;
 * a second after the last one is freed they go off again. So the first migration after a quiet
 * spell paid it inside its freeze (a warm one does not: the restored copy's breakpoint keeps the
 * hooks on). One disabled software event of the kind {@code PERF_COUNT_SW_DUMMY}, bound to this
 * process and never read, keeps them on; it counts nothing, and costs each context switch on the
 * machine the hooks' check.
 */
final class PerfHooks {
    private static final Logger LOG = Logger.getLogger("sm-daemon");
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final int PERF_COUNT_SW_DUMMY = 9;
    private static final int PERF_ATTR_SIZE_VER0 = 64;
    private static final long DISABLED = 1L;
    private static final long EXCLUDE_KERNEL = 1L << 5;
    private static final long EXCLUDE_HV = 1L << 6;
    private static final long PERF_FLAG_FD_CLOEXEC = 8;

    private PerfHooks() {
    }

    /** {@code struct perf_event_attr} (the first, 64-byte version): the disabled dummy event. */
    static byte[] dummyEvent() {
        return ByteBuffer.allocate(PERF_ATTR_SIZE_VER0).order(ByteOrder.nativeOrder())
                .putInt(0, PERF_TYPE_SOFTWARE).putInt(4, PERF_ATTR_SIZE_VER0).putLong(8, PERF_COUNT_SW_DUMMY)
                .putLong(40, DISABLED | EXCLUDE_KERNEL | EXCLUDE_HV).array();
    }

    /** The number of perf_event_open(2) on this machine's architecture, or -1 where it is not known here. */
    static long syscallNumber(String arch) {
        return switch (arch) {
            case "amd64", "x86_64" -> 298;
            case "aarch64" -> 241;
            default -> -1;
        };
    }

    /** Opens the event and keeps its descriptor for the daemon's life; a failure is logged, not thrown. */
    static void keepOn() {
        String arch = System.getProperty("os.arch");
        long nr = syscallNumber(arch);
        if (nr < 0) {
            LOG.info("perf hooks: no perf_event_open number for " + arch
                    + "; CRIU's first dump may wait for the kernel to switch them on");
            return;
        }
        long fd = LibC.INSTANCE.syscall(nr, dummyEvent(), 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) {
            LOG.warning("perf hooks: perf_event_open failed (errno " + Native.getLastError()
                    + "); CRIU's first dump may wait for the kernel to switch them on");
        } else {
            LOG.info("perf hooks: kept on by a dummy perf event (fd " + fd + "), so CRIU's breakpoints need not switch them on");
        }
    }
}

package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class PerfHooksTest {

    @Test
    void theEventIsADisabledSoftwareDummyCountingNothingOfTheKernel() {
        ByteBuffer a = ByteBuffer.wrap(PerfHooks.dummyEvent()).order(ByteOrder.nativeOrder());
        assertEquals(64, a.capacity(), "PERF_ATTR_SIZE_VER0");
        assertEquals(1, a.getInt(0), "PERF_TYPE_SOFTWARE");
        assertEquals(64, a.getInt(4), "size");
        assertEquals(9, a.getLong(8), "PERF_COUNT_SW_DUMMY");
        assertEquals(0b110_0001, a.getLong(40), "disabled, exclude_kernel, exclude_hv");
        for (int i = 16; i < 64; i += 8) {
            if (i != 40) {
                assertEquals(0, a.getLong(i), "offset " + i);
            }
        }
    }

    @Test
    void theSyscallIsKnownForTheArchitecturesWeBuildFor() {
        assertEquals(298, PerfHooks.syscallNumber("amd64"));
        assertEquals(241, PerfHooks.syscallNumber("aarch64"));
        assertEquals(-1, PerfHooks.syscallNumber("riscv64"));
    }

    /** The kernel takes the event: the process holds a perf event descriptor afterwards. */
    @Test
    void keepOnLeavesThisProcessHoldingAPerfEvent() throws IOException {
        long before = perfEvents();
        PerfHooks.keepOn();
        assertEquals(before + 1, perfEvents(), "perf event descriptors in /proc/self/fd");
    }

    private static long perfEvents() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(f -> {
                try {
                    return Files.readSymbolicLink(f).toString().equals("anon_inode:[perf_event]");
                } catch (IOException e) {
                    return false; // closed since listed
                }
            }).count();
        }
    }
}

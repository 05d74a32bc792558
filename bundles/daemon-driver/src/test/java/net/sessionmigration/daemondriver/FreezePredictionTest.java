package net.sessionmigration.daemondriver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import net.sessionmigration.daemon.protocol.RecentMigration;

/** The expected freeze: fixed part + resident bytes / rate, from the source daemon's recent migrations. */
class FreezePredictionTest {
    private static final long MIB = 1 << 20;

    @Test
    void withNoHistoryTheDefaultsAreUsedAndSaidSo() {
        FreezePrediction p = FreezePrediction.of(50_000_000, List.of());
        assertEquals(Duration.ofMillis(150 + 500), p.expected(), "150 ms + 50 MB at 100 MB/s");
        assertEquals("expected freeze 650 ms = fixed 150 ms + 47.7 MiB at 100 MB/s (defaults: no recent migration)",
                p.note());
        assertEquals(Duration.ofMillis(150), FreezePrediction.of(0, List.of()).expected(), "today's default");
    }

    @Test
    void fixedPartAndRateAreTheMediansOfTheRecentMigrations() {
        List<RecentMigration> recent = List.of(
                // 100 ms freeze of which 20 ms moved 4 MiB: fixed 80 ms, 209.7 MB/s
                new RecentMigration(100, 20_000, 4 * MIB),
                // 90 ms, 40 ms moved 4 MiB: fixed 50 ms, 104.9 MB/s
                new RecentMigration(90, 40_000, 4 * MIB),
                // 300 ms, 200 ms moved 64 MiB: fixed 100 ms, 335.5 MB/s
                new RecentMigration(300, 200_000, 64 * MIB));
        FreezePrediction p = FreezePrediction.of(32 * MIB, recent);
        assertEquals(80, p.fixedMs());
        assertEquals(4 * MIB * 1e6 / 20_000, p.bytesPerSecond(), 1e-6);
        assertEquals(3, p.samples());
        // 32 MiB at 209.7 MB/s = 160 ms
        assertEquals(Duration.ofMillis(80 + 160), p.expected());
        assertEquals("expected freeze 240 ms = fixed 80 ms + 32.0 MiB at 210 MB/s (median of 3 recent)", p.note());
    }

    @Test
    void aBiggerWorkloadIsExpectedToFreezeLonger() {
        List<RecentMigration> recent = List.of(new RecentMigration(120, 50_000, 10_000_000));
        assertEquals(Duration.ofMillis(70 + 50), FreezePrediction.of(10_000_000, recent).expected(), "the same size: its freeze");
        assertEquals(Duration.ofMillis(70 + 500), FreezePrediction.of(100_000_000, recent).expected());
    }

    @Test
    void migrationsWithoutATransferMeasureKeepTheDefaultRate() {
        FreezePrediction p = FreezePrediction.of(100_000_000, List.of(new RecentMigration(120, 0, 0)));
        assertEquals(120, p.fixedMs());
        assertEquals(FreezePrediction.DEFAULT_BYTES_PER_SECOND, p.bytesPerSecond());
        assertEquals(Duration.ofMillis(120 + 1000), p.expected());
    }

    @Test
    void aTransferLongerThanItsFreezeLeavesNoNegativeFixedPart() {
        assertEquals(0, FreezePrediction.of(0, List.of(new RecentMigration(10, 30_000, MIB))).fixedMs());
    }
}

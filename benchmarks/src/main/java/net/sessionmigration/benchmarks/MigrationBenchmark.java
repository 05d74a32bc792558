package net.sessionmigration.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.coordinator.CoordinatorSettings;
import net.sessionmigration.coordinator.DriverRegistry;
import net.sessionmigration.coordinator.SessionMigrationCoordinator;

/**
 * The coordinator's own cost for one complete MOVE migration (S701-S711, freeze and VIP move,
 * 3 users on 2 switch drivers) with drivers that answer at once. The journal parameter shows
 * the store's share ({@link Journals}): {@code memory}, {@code file}, {@code file-fsync} (the
 * default setting) and {@code zookeeper} (a cluster's journal on a real three-server ensemble).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MigrationBenchmark {
    private static final String PLAN = """
            {"schemaVersion": 1, "name": "bench", "mode": "MOVE", "virtualIp": "10.0.0.10",
             "servers": {"main-srv": {"site": "main"}, "backup-srv": {"site": "backup"}},
             "workload": {"name": "stream", "driver": "noop-mover", "source": "main-srv", "target": "backup-srv",
                          "freeze": true, "moveVirtualIp": true},
             "devices": {"sw1": {"driver": "noop-switch"}, "gw1": {"driver": "noop-gateway"}},
             "users": [
               {"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 2},
               {"name": "u2", "device": "sw1", "port": "2", "fromVlan": 1, "toVlan": 2},
               {"name": "u3", "device": "gw1", "port": "eth1", "fromVlan": 10, "toVlan": 20}]}
            """;

    @Param({"memory", "file", "file-fsync", "zookeeper"})
    public String journal;

    private Path dir;
    private SessionMigrationCoordinator coordinator;
    private Journals journals;
    private final StartRequest request = StartRequest.of("bench", "benchmark");

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("sm-bench");
        Path plans = Files.createDirectories(dir.resolve("plans"));
        Files.writeString(plans.resolve("bench.json"), PLAN);
        DriverRegistry drivers = new DriverRegistry();
        drivers.addMover(new NoOpDrivers.Mover(), DriverRegistry.properties("noop-mover", "bench"));
        drivers.addSwitcher(new NoOpDrivers.Switcher(), DriverRegistry.properties("noop-switch", "bench"));
        drivers.addSwitcher(new NoOpDrivers.Switcher(), DriverRegistry.properties("noop-gateway", "bench"));
        journals = Journals.open(journal, dir);
        coordinator = new SessionMigrationCoordinator(
                new CoordinatorSettings(plans, Duration.ofSeconds(30), Duration.ZERO, 100), drivers, journals.journal,
                journals.leadership);
        coordinator.open();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        coordinator.close();
        journals.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public MigrationRecord moveWithThreeUsers() {
        Result<String> id = coordinator.start(request, e -> { });
        MigrationRecord r = coordinator.await(id.orElseThrow(), Duration.ofSeconds(30)).orElseThrow();
        if (r.state() != MigrationState.SUCCEEDED) {
            throw new IllegalStateException("benchmark migration did not succeed: " + r);
        }
        return r;
    }
}

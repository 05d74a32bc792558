package net.sessionmigration.coordinator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * A coordinator on a temp folder and journal file with fake drivers: a mover of type
 * {@code criu-daemon} and switchers of types {@code snmp-qbridge} and {@code netlink-gw}, all
 * logging into one list so that tests can check the order across drivers.
 */
final class Lab implements AutoCloseable {
    final Path dir;
    final Path plansDir;
    final Path journalFile;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final List<MigrationEvent> events = Collections.synchronizedList(new ArrayList<>());
    final DriverRegistry registry = new DriverRegistry();
    final FakeMover mover = new FakeMover(log);
    final FakeSwitcher snmp = new FakeSwitcher("snmp-qbridge", log);
    final FakeSwitcher netlink = new FakeSwitcher("netlink-gw", log);
    Duration stepTimeout = Duration.ofSeconds(20);
    Duration keepWarm = Duration.ZERO;
    Journal journal;
    SessionMigrationCoordinator coordinator;

    Lab(Path dir) {
        this.dir = dir;
        this.plansDir = dir.resolve("plans");
        this.journalFile = dir.resolve("journal.mv");
        try {
            Files.createDirectories(plansDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Lab withAllDrivers() {
        registry.addMover(mover, DriverRegistry.properties("criu-daemon", "test"));
        registry.addSwitcher(snmp, DriverRegistry.properties("snmp-qbridge", "test"));
        registry.addSwitcher(netlink, DriverRegistry.properties("netlink-gw", "test"));
        return this;
    }

    Lab plan(ObjectNode plan) {
        return write(plan.get("name").asText() + ".json", Plans.text(plan));
    }

    Lab write(String file, String text) {
        try {
            Files.writeString(plansDir.resolve(file), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    SessionMigrationCoordinator open() {
        return open(Journal.open(journalFile, false), Leadership.alone());
    }

    /** A member of a cluster: the shared journal, migrations only while it leads. */
    SessionMigrationCoordinator open(Journal shared, Leadership leadership) {
        journal = shared;
        coordinator = new SessionMigrationCoordinator(new CoordinatorSettings(plansDir, stepTimeout, Duration.ZERO,
                100, keepWarm), registry, journal, leadership);
        coordinator.open();
        coordinator.addListener(events::add);
        return coordinator;
    }

    String start(String plan) {
        return start(StartRequest.of(plan, "test"));
    }

    String start(StartRequest request) {
        Result<String> r = coordinator.start(request, e -> { });
        return r.toOptional().orElseThrow(() -> new AssertionError("start failed: " + r.failure().orElseThrow()));
    }

    MigrationRecord await(String id) {
        MigrationRecord r = coordinator.await(id, Duration.ofSeconds(30)).orElseThrow();
        if (!r.state().finished()) {
            throw new AssertionError("migration " + id + " did not finish: " + r);
        }
        return r;
    }

    MigrationRecord run(String plan) {
        return await(start(plan));
    }

    /** Simulates a crash: the store is dropped without a write, the coordinator is abandoned. */
    void crash() {
        journal.closeAbruptly();
    }

    /** Another coordinator process on the same journal and plans, with fresh drivers. */
    Lab restartedWithFreshDrivers() {
        Lab next = new Lab(dir);
        next.stepTimeout = stepTimeout;
        return next;
    }

    @Override
    public void close() {
        mover.gates.values().forEach(Gate::open);
        snmp.gates.values().forEach(Gate::open);
        netlink.gates.values().forEach(Gate::open);
        if (coordinator != null) {
            coordinator.close();
        }
    }
}

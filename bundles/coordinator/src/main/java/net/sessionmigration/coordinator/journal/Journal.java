package net.sessionmigration.coordinator.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.TriggerMemory;

/**
 * The coordinator's persistent store, on H2 MVStore. Every {@link #save} is committed (and,
 * with {@code sync}, forced to the disk) before it returns, so a caller may take the step it
 * announces only after the journal holds it. Reads come from an in-memory copy.
 */
public final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final MVStore store;
    private final boolean sync;
    private final MVMap<String, String> records;
    private final MVMap<String, String> planSources;
    private final MVMap<String, String> portsTaken;
    private final MVMap<String, String> backupActive;
    private final MVMap<String, String> triggers;
    private final MVMap<String, Long> meta;
    private final Map<String, MigrationRecord> cache = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper().registerModule(new Jdk8Module())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final String location;
    private boolean closed;

    private Journal(MVStore store, boolean sync, String location) {
        this.store = store;
        this.sync = sync;
        this.location = location;
        this.records = store.openMap("migrations");
        this.planSources = store.openMap("planSources");
        this.portsTaken = store.openMap("portsTaken");
        this.backupActive = store.openMap("backupActive");
        this.triggers = store.openMap("triggers");
        this.meta = store.openMap("meta");
        for (Map.Entry<String, String> e : records.entrySet()) {
            try {
                cache.put(e.getKey(), json.readValue(e.getValue(), MigrationRecord.class));
            } catch (JsonProcessingException ex) {
                LOG.error("journal {}: unreadable record of migration {}: {}", location, e.getKey(), ex.getMessage());
            }
        }
    }

    /**
     * Opens (or creates) the journal file.
     *
     * @param sync force every commit to the disk; without it a commit survives a crash of the
     *             JVM but not of the machine
     */
    public static Journal open(Path file, boolean sync) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the journal's folder for " + file, e);
        }
        MVStore store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        return new Journal(store, sync, file.toString());
    }

    /** A journal that survives nothing; for tests and for measuring the disk's share. */
    public static Journal inMemory() {
        return new Journal(new MVStore.Builder().autoCommitDisabled().open(), false, "memory");
    }

    public String location() {
        return location;
    }

    /** Writes and commits one migration's record; throws {@link JournalClosedException} once closed. */
    public synchronized void save(MigrationRecord record) {
        requireOpen();
        records.put(record.id(), write(record));
        commit();
        cache.put(record.id(), record);
    }

    /** Stored together with the first record of a migration, in the same commit. */
    public synchronized void saveNew(MigrationRecord record, PlanSource plan) {
        requireOpen();
        planSources.put(record.id(), write(plan));
        records.put(record.id(), write(record));
        commit();
        cache.put(record.id(), record);
    }

    public Optional<MigrationRecord> record(String id) {
        return Optional.ofNullable(cache.get(id));
    }

    public synchronized Optional<PlanSource> planSource(String id) {
        return read(planSources, id, PlanSource.class, "plan of migration");
    }

    /**
     * The users' ports a migration takes, by driver type, each with the VLAN it was really on:
     * committed at S702, before anything moves, so that rollback and recovery put every port
     * back exactly there.
     */
    public synchronized void savePortsTaken(String id, PortsTaken ports) {
        requireOpen();
        portsTaken.put(id, write(ports));
        commit();
    }

    public synchronized Optional<PortsTaken> portsTaken(String id) {
        return read(portsTaken, id, PortsTaken.class, "ports of migration");
    }

    /** Newest first. */
    public List<MigrationRecord> history(int limit) {
        List<MigrationRecord> all = new ArrayList<>(cache.values());
        all.sort(Comparator.comparingLong(MigrationRecord::startMicros).reversed()
                .thenComparing(MigrationRecord::id, Comparator.reverseOrder()));
        return all.size() > limit ? List.copyOf(all.subList(0, Math.max(0, limit))) : all;
    }

    /** Oldest first, the order in which recovery handles them. */
    public List<MigrationRecord> unfinished() {
        return cache.values().stream().filter(r -> !r.state().finished())
                .sorted(Comparator.comparingLong(MigrationRecord::startMicros)).toList();
    }

    /** A number never handed out before by this journal; committed with the record that uses it. */
    public synchronized long nextSequence() {
        requireOpen();
        long next = meta.getOrDefault("sequence", 0L) + 1;
        meta.put("sequence", next);
        return next;
    }

    public boolean backupActive(String plan) {
        synchronized (this) {
            return !closed && backupActive.containsKey(plan);
        }
    }

    public synchronized void setBackupActive(String plan, boolean active) {
        requireOpen();
        if (active) {
            backupActive.put(plan, "true");
        } else {
            backupActive.remove(plan);
        }
        commit();
    }

    /** A trigger rule's memory (fired, when, which migration), by rule name. */
    public synchronized Optional<TriggerMemory> triggerMemory(String rule) {
        return read(triggers, rule, TriggerMemory.class, "memory of trigger rule");
    }

    public synchronized void rememberTrigger(TriggerMemory memory) {
        requireOpen();
        triggers.put(memory.rule(), write(memory));
        commit();
    }

    /** Keeps the newest {@code keep} finished migrations; unfinished ones are never dropped. */
    public synchronized void prune(int keep) {
        if (closed) {
            return;
        }
        List<MigrationRecord> finished = history(Integer.MAX_VALUE).stream().filter(r -> r.state().finished()).toList();
        if (finished.size() <= keep) {
            return;
        }
        for (MigrationRecord r : finished.subList(keep, finished.size())) {
            records.remove(r.id());
            planSources.remove(r.id());
            portsTaken.remove(r.id());
            cache.remove(r.id());
        }
        commit();
    }

    /**
     * Refuses every later write at once and closes the store: after this returns, nothing is
     * written, so a migration that was running stays unfinished for the next start to recover.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.warn("journal {}: close failed: {}", location, e.toString());
        }
    }

    /** Drops the store without writing anything, as a crash would; for tests. */
    public synchronized void closeAbruptly() {
        closed = true;
        store.closeImmediately();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void requireOpen() {
        if (closed) {
            throw new JournalClosedException();
        }
    }

    private void commit() {
        store.commit();
        if (sync) {
            store.sync();
        }
    }

    /** One stored value, or empty when closed, absent or unreadable (logged: {@code what} and the key). */
    private <T> Optional<T> read(MVMap<String, String> map, String key, Class<T> type, String what) {
        String s = closed ? null : map.get(key);
        try {
            return s == null ? Optional.empty() : Optional.of(json.readValue(s, type));
        } catch (JsonProcessingException e) {
            LOG.error("journal {}: unreadable {} {}: {}", location, what, key, e.getMessage());
            return Optional.empty();
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}

package net.sessionmigration.coordinator.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;
import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.coordinator.journal.JournalStore.Table;
import net.sessionmigration.coordinator.journal.JournalStore.Write;

/**
 * The coordinator's journal: migration records, their plans and ports, trigger memory and the
 * backup-active flags, as JSON in a {@link JournalStore} (by default the embedded H2 MVStore file;
 * in a cluster, ZooKeeper). Every {@link #save} is committed before it returns, so a caller may take
 * the step it announces only after the journal holds it. Records are read from an in-memory copy,
 * which a shared store keeps current with what other members write.
 */
public final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private final JournalStore store;
    private final Map<String, MigrationRecord> cache = new ConcurrentHashMap<>();
    /** Plans whose backup is active, kept here too: plan status reads them, also while a shared store is unreachable. */
    private final Set<String> backupActive = ConcurrentHashMap.newKeySet();
    private final ObjectMapper json = new ObjectMapper().registerModule(new Jdk8Module())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private boolean closed;

    private Journal(JournalStore store) {
        this.store = store;
        warmUp();
        try {
            reload();
        } catch (RuntimeException e) {
            // a shared store not reachable yet: its change reports fill the copy once it is
            LOG.warn("journal {}: not read at start: {}", store.location(), e.getMessage());
        }
        store.onChange((table, id) -> {
            if ((table == Table.MIGRATIONS || table == Table.BACKUP_ACTIVE) && !isClosed()) {
                try {
                    Optional<String> now = store.read(table, id);
                    if (table == Table.BACKUP_ACTIVE) {
                        now.ifPresentOrElse(v -> backupActive.add(id), () -> backupActive.remove(id));
                    } else {
                        now.ifPresentOrElse(text -> decode(id, text), () -> cache.remove(id));
                    }
                } catch (RuntimeException e) {
                    LOG.warn("journal {}: migration {} changed, but cannot be read now: {}", store.location(), id,
                            e.getMessage());
                }
            }
        });
    }

    /** A journal on the given store, which it owns and closes. */
    public static Journal on(JournalStore store) {
        return new Journal(store);
    }

    /**
     * Opens (or creates) the embedded journal file.
     *
     * @param sync force every commit to the disk; without it a commit survives a crash of the
     *             JVM but not of the machine
     */
    public static Journal open(Path file, boolean sync) {
        return new Journal(MvStoreJournalStore.open(file, sync));
    }

    /** A journal that survives nothing; for tests and for measuring the disk's share. */
    public static Journal inMemory() {
        return new Journal(MvStoreJournalStore.inMemory());
    }

    public String location() {
        return store.location();
    }

    /** See {@link JournalStore#commitFences()}. */
    public boolean commitFences() {
        return store.commitFences();
    }

    /**
     * Reads every record from the store again: a member that becomes the leader does this before it
     * recovers, so that it acts on what the old leader last committed.
     */
    public void reload() {
        Map<String, String> all = store.readAll(Table.MIGRATIONS);
        Set<String> active = store.readAll(Table.BACKUP_ACTIVE).keySet();
        cache.keySet().retainAll(all.keySet());
        all.forEach(this::decode);
        backupActive.retainAll(active);
        backupActive.addAll(active);
    }

    private void decode(String id, String text) {
        try {
            cache.put(id, json.readValue(text, MigrationRecord.class));
        } catch (JsonProcessingException ex) {
            LOG.error("journal {}: unreadable record of migration {}: {}", store.location(), id, ex.getMessage());
        }
    }

    /** Writes and commits one migration's record; throws {@link JournalClosedException} once closed. */
    public synchronized void save(MigrationRecord record) {
        commit(Write.put(Table.MIGRATIONS, record.id(), write(record)));
        cache.put(record.id(), record);
    }

    /** Stored together with the first record of a migration, in the same commit. */
    public synchronized void saveNew(MigrationRecord record, PlanSource plan) {
        commit(Write.put(Table.PLAN_SOURCES, record.id(), write(plan)),
                Write.put(Table.MIGRATIONS, record.id(), write(record)));
        cache.put(record.id(), record);
    }

    public Optional<MigrationRecord> record(String id) {
        return Optional.ofNullable(cache.get(id));
    }

    public synchronized Optional<PlanSource> planSource(String id) {
        return read(Table.PLAN_SOURCES, id, PlanSource.class, "plan of migration");
    }

    /**
     * The users' ports a migration takes, by driver type, each with the VLAN it was really on:
     * committed at S702, before anything moves, so that rollback and recovery put every port
     * back exactly there.
     */
    public synchronized void savePortsTaken(String id, PortsTaken ports) {
        commit(Write.put(Table.PORTS_TAKEN, id, write(ports)));
    }

    public synchronized Optional<PortsTaken> portsTaken(String id) {
        return read(Table.PORTS_TAKEN, id, PortsTaken.class, "ports of migration");
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
        return store.nextSequence();
    }

    public boolean backupActive(String plan) {
        return !isClosed() && backupActive.contains(plan);
    }

    public synchronized void setBackupActive(String plan, boolean active) {
        commit(active ? Write.put(Table.BACKUP_ACTIVE, plan, "true") : Write.remove(Table.BACKUP_ACTIVE, plan));
        if (active) {
            backupActive.add(plan);
        } else {
            backupActive.remove(plan);
        }
    }

    /** A trigger rule's memory (fired, when, which migration), by rule name. */
    public synchronized Optional<TriggerMemory> triggerMemory(String rule) {
        return read(Table.TRIGGERS, rule, TriggerMemory.class, "memory of trigger rule");
    }

    public synchronized void rememberTrigger(TriggerMemory memory) {
        commit(Write.put(Table.TRIGGERS, memory.rule(), write(memory)));
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
        List<Write> writes = new ArrayList<>();
        for (MigrationRecord r : finished.subList(keep, finished.size())) {
            for (Table t : List.of(Table.MIGRATIONS, Table.PLAN_SOURCES, Table.PORTS_TAKEN)) {
                writes.add(Write.remove(t, r.id()));
            }
        }
        try {
            store.commit(writes);
            finished.subList(keep, finished.size()).forEach(r -> cache.remove(r.id()));
        } catch (JournalClosedException e) {
            LOG.warn("journal {}: old migrations not pruned: {}", store.location(), e.getMessage());
        }
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
            LOG.warn("journal {}: close failed: {}", store.location(), e.toString());
        }
    }

    /** Drops the store without writing anything, as a crash would; for tests. */
    public synchronized void closeAbruptly() {
        closed = true;
        store.closeAbruptly();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void requireOpen() {
        if (closed) {
            throw new JournalClosedException();
        }
    }

    private void commit(Write... writes) {
        requireOpen();
        store.commit(List.of(writes));
    }

    /** One stored value, or empty when closed, absent or unreadable (logged: {@code what} and the key). */
    private <T> Optional<T> read(Table table, String key, Class<T> type, String what) {
        Optional<String> s = closed ? Optional.empty() : store.read(table, key);
        try {
            return s.isEmpty() ? Optional.empty() : Optional.of(json.readValue(s.get(), type));
        } catch (JsonProcessingException e) {
            LOG.error("journal {}: unreadable {} {}: {}", store.location(), what, key, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The JDK's reflection calls a method natively 15 times and generates its fast accessor at the
     * 16th call. Every commit writes the whole record, so that 16th call of the step and operation
     * records' accessors came at the first migration's S708 commit and of the record's own at the
     * second migration's: a dozen or more generated classes each time, inside the users' freeze
     * (lab/bench/back-and-forth --class-loads). A record with every part is written often enough
     * here, at start, that none is left for a migration.
     */
    private void warmUp() {
        List<StepRecord> steps = new ArrayList<>();
        for (Step s : Step.values()) {
            steps.add(new StepRecord(s, 1, 2, StepOutcome.DONE, "warm-up"));
        }
        MigrationRecord r = new MigrationRecord("warm-up", "warm-up", MigrationMode.MOVE, "warm-up",
                MigrationState.SUCCEEDED, 1, 2, steps,
                List.of(new OperationRecord(Step.S704, "warm-up", "warm-up", "warm-up", 1, 2, "ok")),
                Optional.of(new Problem("warm-up", "warm-up")), List.of("warm-up"), 1);
        for (int i = 0; i < 16; i++) {
            write(r);
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

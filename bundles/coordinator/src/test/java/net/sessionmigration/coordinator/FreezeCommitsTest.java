package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;
import net.sessionmigration.coordinator.journal.Journal;
import net.sessionmigration.coordinator.journal.JournalStore;
import net.sessionmigration.coordinator.journal.MvStoreJournalStore;

/**
 * Which steps are committed before they act. Inside the users' freeze only S710's commit is
 * written on the embedded journal: S704's commit (before the freeze) stands for S705 and S708,
 * and recovery takes them as possibly taken. A journal whose commits fence a deposed leader
 * (a cluster's) still commits S705 and S708 before they act, and recovers exactly.
 */
class FreezeCommitsTest {
    private static final String PLAN = "evacuate-main";

    @TempDir
    Path dir;
    Lab first;
    Lab second;

    @AfterEach
    void tearDown() {
        for (Lab lab : new Lab[] {first, second}) {
            if (lab != null) {
                lab.close();
            }
        }
    }

    /** The embedded journal commits nothing between S704 and S710; a fencing one commits S705 and S708 too. */
    @ParameterizedTest(name = "a journal whose commits fence: {0}")
    @ValueSource(booleans = {false, true})
    void theStepsCommittedBeforeTheyAct(boolean fences) {
        StepsAtCommits store = new StepsAtCommits(MvStoreJournalStore.inMemory(), fences);
        first = new Lab(dir).withAllDrivers().plan(Plans.base());
        first.open(Journal.on(store), Leadership.alone());
        assertEquals(MigrationState.SUCCEEDED, first.run(PLAN).state());
        assertEquals(fences ? List.of(Step.S702, Step.S703, Step.S704, Step.S705, Step.S708, Step.S710)
                : List.of(Step.S702, Step.S703, Step.S704, Step.S710), store.begunAtCommit(), store.begun::toString);
    }

    @Test
    void aFencingJournalRecoversFromTheStepItCommitted() {
        Path file = dir.resolve("fencing.mv");
        first = new Lab(dir).withAllDrivers().plan(Plans.base());
        first.open(Journal.on(new StepsAtCommits(MvStoreJournalStore.open(file, false), true)), Leadership.alone());
        Gate gate = first.mover.hold("move-vip");
        String id = first.start(PLAN);
        gate.awaitEntered();
        first.crash();

        second = first.restartedWithFreshDrivers().withAllDrivers();
        second.mover.state = WorkloadState.READY_AT_TARGET;
        second.open(Journal.on(new StepsAtCommits(MvStoreJournalStore.open(file, false), true)), Leadership.alone());
        MigrationRecord r = second.await(id);

        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertEquals("coordinator stopped during S705; rolled back at restart", r.failure().orElseThrow().cause());
        assertTrue(second.log.contains("mover:rollback@S705"), second.log::toString);
        assertFalse(second.log.stream().anyMatch(c -> c.contains(":restore:")), "no port had been asked to move: "
                + second.log);
    }

    /**
     * A store that passes everything on and keeps, for each commit of a migration's record, the
     * step that record shows in progress: the step the commit was written for.
     */
    private static final class StepsAtCommits implements JournalStore {
        private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        private final JournalStore inner;
        private final boolean fences;
        final List<Step> begun = Collections.synchronizedList(new ArrayList<>());

        StepsAtCommits(JournalStore inner, boolean fences) {
            this.inner = inner;
            this.fences = fences;
        }

        /** Each step once, in the order of its first commit. */
        List<Step> begunAtCommit() {
            synchronized (begun) {
                return begun.stream().distinct().toList();
            }
        }

        @Override
        public boolean commitFences() {
            return fences;
        }

        @Override
        public void commit(List<Write> writes) {
            for (Write w : writes) {
                if (w.table() == Table.MIGRATIONS && w.value().isPresent()) {
                    inProgress(w.value().get()).ifPresent(begun::add);
                }
            }
            inner.commit(writes);
        }

        private static Optional<Step> inProgress(String json) {
            try {
                MigrationRecord r = JSON.readValue(json, MigrationRecord.class);
                return r.steps().stream().filter(s -> s.outcome() == StepOutcome.IN_PROGRESS).map(StepRecord::step)
                        .findFirst();
            } catch (java.io.IOException e) {
                throw new AssertionError("unreadable record: " + json, e);
            }
        }

        @Override
        public Map<String, String> readAll(Table table) {
            return inner.readAll(table);
        }

        @Override
        public Optional<String> read(Table table, String key) {
            return inner.read(table, key);
        }

        @Override
        public long nextSequence() {
            return inner.nextSequence();
        }

        @Override
        public String location() {
            return inner.location();
        }

        @Override
        public void onChange(BiConsumer<Table, String> listener) {
            inner.onChange(listener);
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public void closeAbruptly() {
            inner.closeAbruptly();
        }
    }
}

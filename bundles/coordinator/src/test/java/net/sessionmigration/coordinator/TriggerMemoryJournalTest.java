package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.coordinator.journal.Journal;

/** A trigger rule's memory is in the journal file: it outlives the coordinator and Karaf. */
class TriggerMemoryJournalTest {

    @Test
    void keptAcrossAReopen(@TempDir Path dir) {
        Path file = dir.resolve("journal.mv");
        TriggerMemory fired = new TriggerMemory("ups-on-battery", "ab12", 3, false, 1_700_000_000_000_000L, "m-7");
        try (Journal j = Journal.open(file, false)) {
            assertTrue(j.triggerMemory("ups-on-battery").isEmpty());
            j.rememberTrigger(fired);
        }
        try (Journal j = Journal.open(file, false)) {
            assertEquals(fired, j.triggerMemory("ups-on-battery").orElseThrow());
            assertTrue(j.triggerMemory("other").isEmpty());
        }
    }
}

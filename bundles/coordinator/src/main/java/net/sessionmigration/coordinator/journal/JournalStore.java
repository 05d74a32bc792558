package net.sessionmigration.coordinator.journal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Where the journal's entries live: {@link MvStoreJournalStore}, an embedded file that one
 * coordinator owns (the default), or a store shared by the coordinators of a cluster. Entries are
 * text (the journal writes JSON) by table and key. A {@link #commit} is atomic and durable before
 * it returns: a caller takes the step a record announces only after that.
 */
public interface JournalStore extends AutoCloseable {

    /** The journal's tables. */
    enum Table {
        MIGRATIONS, PLAN_SOURCES, PORTS_TAKEN, BACKUP_ACTIVE, TRIGGERS
    }

    /** One change of a commit: {@code value} empty removes the entry. */
    record Write(Table table, String key, Optional<String> value) {
        public static Write put(Table table, String key, String value) {
            return new Write(table, key, Optional.of(value));
        }

        public static Write remove(Table table, String key) {
            return new Write(table, key, Optional.empty());
        }
    }

    /** Every entry of a table. */
    Map<String, String> readAll(Table table);

    Optional<String> read(Table table, String key);

    /**
     * Applies every write or none, durably, before it returns.
     *
     * @throws JournalClosedException when the store is closed, or no longer allowed to write (a
     *         shared store whose member lost its right to write)
     */
    void commit(List<Write> writes);

    /**
     * Whether a commit also proves that its writer may still act: a shared store refuses the commit
     * of a member that lost its right to write (a deposed leader), so a commit before a step is that
     * step's fence as well as its record. The embedded store, which one coordinator owns, has
     * nothing to fence.
     */
    default boolean commitFences() {
        return false;
    }

    /** A number never handed out before by this store. */
    long nextSequence();

    /** Where the entries are, for logs and the shell (no secret). */
    String location();

    /**
     * Tells {@code listener} about entries that another writer changed (a shared store; the
     * embedded one never calls it). Called from the store's own thread.
     */
    default void onChange(BiConsumer<Table, String> listener) {
    }

    /** Refuses every later write at once and releases the store. */
    @Override
    void close();

    /** Drops the store without writing anything more, as a crash would; for tests. */
    default void closeAbruptly() {
        close();
    }
}

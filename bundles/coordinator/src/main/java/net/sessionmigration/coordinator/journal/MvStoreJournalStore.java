package net.sessionmigration.coordinator.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/** The journal in an embedded H2 MVStore file that one coordinator owns: the default. */
public final class MvStoreJournalStore implements JournalStore {
    private final MVStore store;
    private final boolean sync;
    private final String location;
    private final Map<Table, MVMap<String, String>> tables = new EnumMap<>(Table.class);
    private final MVMap<String, Long> meta;
    private boolean closed;

    private MvStoreJournalStore(MVStore store, boolean sync, String location) {
        this.store = store;
        this.sync = sync;
        this.location = location;
        for (Table t : Table.values()) {
            tables.put(t, store.openMap(mapName(t)));
        }
        this.meta = store.openMap("meta");
    }

    /**
     * Opens (or creates) the file.
     *
     * @param sync force every commit to the disk; without it a commit survives a crash of the
     *             JVM but not of the machine
     */
    public static MvStoreJournalStore open(Path file, boolean sync) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the journal's folder for " + file, e);
        }
        return new MvStoreJournalStore(new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open(), sync,
                file.toString());
    }

    /** A store that survives nothing; for tests and for measuring the disk's share. */
    public static MvStoreJournalStore inMemory() {
        return new MvStoreJournalStore(new MVStore.Builder().autoCommitDisabled().open(), false, "memory");
    }

    /** The map names of the files written before the tables had an enum: planSources, portsTaken… */
    private static String mapName(Table t) {
        String[] words = t.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            b.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return b.toString();
    }

    @Override
    public synchronized Map<String, String> readAll(Table table) {
        return closed ? Map.of() : new HashMap<>(tables.get(table));
    }

    @Override
    public synchronized Optional<String> read(Table table, String key) {
        return closed ? Optional.empty() : Optional.ofNullable(tables.get(table).get(key));
    }

    @Override
    public synchronized void commit(List<Write> writes) {
        requireOpen();
        for (Write w : writes) {
            MVMap<String, String> m = tables.get(w.table());
            w.value().ifPresentOrElse(v -> m.put(w.key(), v), () -> m.remove(w.key()));
        }
        store.commit();
        if (sync) {
            store.sync();
        }
    }

    @Override
    public synchronized long nextSequence() {
        requireOpen();
        long next = meta.getOrDefault("sequence", 0L) + 1;
        meta.put("sequence", next); // committed with the record that uses it
        return next;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            store.close();
        }
    }

    @Override
    public synchronized void closeAbruptly() {
        closed = true;
        store.closeImmediately();
    }

    private void requireOpen() {
        if (closed) {
            throw new JournalClosedException();
        }
    }
}

package net.sessionmigration.coordinator.cluster;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;

import net.sessionmigration.coordinator.journal.JournalClosedException;
import net.sessionmigration.coordinator.journal.JournalStore;

/**
 * The journal in ZooKeeper, shared by the coordinators of a cluster: one znode per entry,
 * {@code <root>/journal/<table>/<key>}, its data the entry's JSON. A commit is one ZooKeeper
 * transaction (all its writes or none, on a quorum's disks before it returns) that also checks the
 * latch node that made this member the leader: a member that is not the leader, or lost its session,
 * cannot write, and gets a {@link JournalClosedException} that stops its migration where it is for
 * the next leader to recover. Changes other members make reach {@link #onChange} through Curator's
 * {@link CuratorCache}.
 */
public final class ZooKeeperJournalStore implements JournalStore {
    private final ClusterMember member;
    private final CuratorFramework client;
    private final String base;
    private final CuratorCache cache;
    private volatile boolean closed;
    private volatile boolean znodesMade;

    public ZooKeeperJournalStore(ClusterMember member) {
        this.member = member;
        this.client = member.client();
        this.base = member.settings().root() + "/journal";
        this.cache = CuratorCache.build(client, base);
        this.cache.start(); // in the background: ZooKeeper may be unreachable now
    }

    /**
     * The table and sequence znodes, made once, when ZooKeeper is first reached. Persistent, not
     * containers: ZooKeeper deletes an empty container after a minute, and a table or the sequence
     * may well be empty for longer.
     */
    private void ensureZnodes() throws Exception {
        if (!znodesMade) {
            for (Table t : Table.values()) {
                createIfMissing(tablePath(t));
            }
            createIfMissing(base + "/sequence");
            znodesMade = true;
        }
    }

    private void createIfMissing(String path) throws Exception {
        try {
            client.create().creatingParentsIfNeeded().forPath(path, new byte[0]);
        } catch (KeeperException.NodeExistsException ignored) {
            // made before, by this member or another
        }
    }

    @Override
    public Map<String, String> readAll(Table table) {
        Map<String, String> all = new HashMap<>();
        try {
            ensureZnodes();
            for (String child : client.getChildren().forPath(tablePath(table))) {
                read(table, decode(child)).ifPresent(v -> all.put(decode(child), v));
            }
        } catch (Exception e) {
            throw new IllegalStateException("journal " + location() + ": cannot read " + table + ": " + e, e);
        }
        return all;
    }

    @Override
    public Optional<String> read(Table table, String key) {
        try {
            return Optional.of(new String(client.getData().forPath(path(table, key)), StandardCharsets.UTF_8));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new IllegalStateException("journal " + location() + ": cannot read " + table + " " + key + ": " + e, e);
        }
    }

    /** Each commit checks this member's latch node. */
    @Override
    public boolean commitFences() {
        return true;
    }

    @Override
    public void commit(List<Write> writes) {
        if (closed) {
            throw new JournalClosedException();
        }
        String fence = member.fencePath().orElseThrow(() -> new JournalClosedException(
                "journal " + location() + ": " + member.settings().member() + " is not the leader; it may not write"));
        try {
            ensureZnodes();
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(client.transactionOp().check().forPath(fence));
            for (Write w : writes) {
                String p = path(w.table(), w.key());
                boolean exists = client.checkExists().forPath(p) != null;
                if (w.value().isPresent()) {
                    byte[] data = w.value().get().getBytes(StandardCharsets.UTF_8);
                    ops.add(exists ? client.transactionOp().setData().forPath(p, data)
                            : client.transactionOp().create().forPath(p, data));
                } else if (exists) {
                    ops.add(client.transactionOp().delete().forPath(p));
                }
            }
            client.transaction().forOperations(ops);
        } catch (KeeperException.NoNodeException e) {
            throw new JournalClosedException("journal " + location() + ": " + (fenceGone(fence)
                    ? member.settings().member() + " lost its leadership (its latch node is gone)"
                    : "a znode is missing (" + e.getMessage() + ")") + "; nothing written");
        } catch (Exception e) {
            throw new JournalClosedException("journal " + location() + ": commit failed, nothing written: " + e);
        }
    }

    private boolean fenceGone(String fence) {
        try {
            return client.checkExists().forPath(fence) == null;
        } catch (Exception e) {
            return true; // cannot tell: say the likelier
        }
    }

    @Override
    public long nextSequence() {
        try {
            ensureZnodes();
            return client.setData().forPath(base + "/sequence", new byte[0]).getVersion();
        } catch (Exception e) {
            throw new JournalClosedException("journal " + location() + ": no sequence number: " + e);
        }
    }

    @Override
    public String location() {
        return "zookeeper " + member.settings().connect() + " " + base;
    }

    @Override
    public void onChange(BiConsumer<Table, String> listener) {
        cache.listenable().addListener(CuratorCacheListener.builder().forAll((type, before, after) -> {
            String p = after != null ? after.getPath() : before.getPath();
            entryOf(p).ifPresent(e -> listener.accept(e.getKey(), e.getValue()));
        }).build());
    }

    @Override
    public void close() {
        closed = true;
        cache.close();
    }

    private Optional<Map.Entry<Table, String>> entryOf(String path) {
        if (!path.startsWith(base + "/")) {
            return Optional.empty();
        }
        String[] parts = path.substring(base.length() + 1).split("/");
        if (parts.length != 2) {
            return Optional.empty();
        }
        for (Table t : Table.values()) {
            if (tableName(t).equals(parts[0])) {
                return Optional.of(Map.entry(t, decode(parts[1])));
            }
        }
        return Optional.empty();
    }

    private String tablePath(Table t) {
        return base + "/" + tableName(t);
    }

    private static String tableName(Table t) {
        return t.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private String path(Table t, String key) {
        // URL-encoded, and '.' too: a znode may not be named "." or ".."
        return tablePath(t) + "/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace(".", "%2E");
    }

    private static String decode(String child) {
        return URLDecoder.decode(child, StandardCharsets.UTF_8);
    }
}

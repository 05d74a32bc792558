package net.sessionmigration.coordinator.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.coordinator.Leadership;

/**
 * One coordinator of a cluster on ZooKeeper, through Apache Curator: its session, its entry in the
 * member list, and the leader election (Curator's {@link LeaderLatch}). Exactly one member leads
 * and runs migrations; the others follow the shared journal. Each leadership gets an <em>epoch</em>,
 * a number higher than every earlier leader's, taken in the same ZooKeeper transaction that checks
 * the latch node that made this member the leader. A member that loses its ZooKeeper connection
 * (Curator: SUSPENDED) stops being the leader at once, before ZooKeeper lets another member lead.
 * <p>
 * <b>Security.</b> The member talks to ZooKeeper over mutual TLS only ({@link ZooKeeperTls},
 * {@link MutualTlsClientConfig}): its client certificate is its identity. The servers run
 * {@code secureClientPort} alone with {@code ssl.clientAuth=need} and ZooKeeper's x509 authentication provider,
 * which makes a client's id the subject DN of its certificate ({@code x509:CN=coordinator}, say). Every znode the
 * cluster creates gets {@code CREATOR_ALL_ACL} ({@link CreatorOnlyAcl}): all rights for that id, none for any
 * other. All members therefore present certificates with the <em>same subject</em>, the coordinator's identity;
 * a member with another subject could neither read nor write the cluster's znodes (ZooKeeper: NoAuth), and nor
 * can any other client of the ensemble, though the same CA signed its certificate.
 */
public final class ClusterMember implements AutoCloseable, Leadership {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);

    private final ClusterSettings settings;
    private final CuratorFramework client;
    private final LeaderLatch latch;
    private final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.LOST);
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicReference<String> fencePath = new AtomicReference<>();
    private final java.util.concurrent.ScheduledExecutorService retry =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sm-cluster-retry");
                t.setDaemon(true);
                return t;
            });
    private final List<LongConsumer> onLeading = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> onLost = new CopyOnWriteArrayList<>();

    /**
     * @throws IllegalArgumentException when a TLS store cannot be read or opened with its password (the text names
     *                                  the key and the file, never a password); nothing has connected then
     */
    public ClusterMember(ClusterSettings settings) {
        this.settings = settings;
        int sessionMs = (int) settings.sessionTimeout().toMillis();
        this.client = CuratorFrameworkFactory.builder().connectString(settings.connect())
                .zkClientConfig(MutualTlsClientConfig.of(settings.tls().checked())).aclProvider(new CreatorOnlyAcl())
                .sessionTimeoutMs(sessionMs).connectionTimeoutMs(Math.min(sessionMs, 5_000))
                .retryPolicy(new ExponentialBackoffRetry(200, 3, 1_000)).build();
        this.latch = new LeaderLatch(client, settings.root() + "/leader", settings.member(), LeaderLatch.CloseMode.NOTIFY_LEADER);
    }

    /** Connects in the background and joins the election; {@link #view()} tells how far it got. */
    public void start() {
        client.getConnectionStateListenable().addListener((c, s) -> {
            ConnectionState before = state.getAndSet(s);
            if (before != s) {
                LOG.info("cluster {}: ZooKeeper {} -> {}", settings.member(), before, s);
            }
            if (s == ConnectionState.CONNECTED || s == ConnectionState.RECONNECTED) {
                registerMember();
            }
        });
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                onLeader();
            }

            @Override
            public void notLeader() {
                onNotLeader();
            }
        });
        client.start();
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("cluster " + settings.member() + ": cannot join the leader election: " + e, e);
        }
    }

    /** Waits until connected to a ZooKeeper quorum, at most {@code timeout}; true if connected. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return client.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Optional<String> whyNotLeading() {
        return leading() ? Optional.empty() : status().whyNotLeading();
    }

    @Override
    public synchronized void listen(LongConsumer leading, Consumer<String> lost) {
        onLeading.add(leading);
        onLost.add(lost);
        if (leading()) {
            leading.accept(epoch.get());
        }
    }

    public boolean leading() {
        return fencePath.get() != null && latch.hasLeadership();
    }

    @Override
    public long epoch() {
        return epoch.get();
    }

    public ClusterSettings settings() {
        return settings;
    }

    CuratorFramework client() {
        return client;
    }

    /**
     * The latch node that made this member the leader: a write to the shared journal checks in the
     * same transaction that it still exists, so a member that lost its session (and with it the
     * node) cannot write, whatever it believes. Empty when not leading.
     */
    Optional<String> fencePath() {
        return Optional.ofNullable(fencePath.get());
    }

    @Override
    public ClusterStatus status() {
        ConnectionState s = state.get();
        Optional<String> leader = Optional.empty();
        List<String> members = new ArrayList<>();
        if (s.isConnected()) {
            try {
                Participant p = latch.getLeader();
                leader = p.isLeader() ? Optional.of(p.getId()) : Optional.empty();
                members.addAll(client.getChildren().forPath(settings.root() + "/members"));
                members.sort(null);
            } catch (Exception e) {
                LOG.debug("cluster {}: status incomplete: {}", settings.member(), e.toString());
            }
        }
        boolean leads = leading();
        return new ClusterStatus(settings.member(), true, leads, leader, epoch.get(), s.name(), members,
                settings.connect(), leads ? Optional.empty() : Optional.of(whyNot(s, leader)));
    }

    private String whyNot(ConnectionState s, Optional<String> leader) {
        if (!s.isConnected()) {
            return "no ZooKeeper quorum reachable from " + settings.member() + " (ZooKeeper " + settings.connect() + ": "
                    + s + "); no migration starts without it";
        }
        return leader.map(l -> "this coordinator (" + settings.member() + ") follows; the leader is " + l
                + ": start migrations there").orElse("no leader elected yet");
    }

    private void registerMember() {
        String path = settings.root() + "/members/" + settings.member();
        try {
            client.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(path, ("since=" + Instant.now()).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            LOG.warn("cluster {}: cannot register under {}: {}", settings.member(), path, e.toString());
        }
    }

    private synchronized void onLeader() {
        String ours = latch.getOurPath();
        String epochPath = settings.root() + "/epoch";
        try {
            try {
                client.create().creatingParentsIfNeeded().forPath(epochPath, new byte[0]);
            } catch (KeeperException.NodeExistsException ignored) {
                // an earlier leader made it
            }
            // the epoch and the check of our latch node in one transaction: only a leader whose node
            // still exists gets a new epoch
            var results = client.transaction().forOperations(
                    client.transactionOp().check().forPath(ours),
                    client.transactionOp().setData().forPath(epochPath, settings.member().getBytes(StandardCharsets.UTF_8)));
            Stat stat = results.get(1).getResultStat();
            epoch.set(stat.getVersion());
            fencePath.set(ours);
        } catch (Exception e) {
            // still elected: try again, or the cluster would have a leader that does not act
            LOG.warn("cluster {}: elected, but could not take an epoch ({}); trying again in 1 s", settings.member(),
                    e.toString());
            retry.schedule(() -> {
                if (latch.hasLeadership() && fencePath.get() == null) {
                    onLeader();
                }
            }, 1, TimeUnit.SECONDS);
            return;
        }
        LOG.info("cluster {}: leading, epoch {}", settings.member(), epoch.get());
        onLeading.forEach(l -> l.accept(epoch.get()));
    }

    private synchronized void onNotLeader() {
        if (fencePath.getAndSet(null) == null) {
            return;
        }
        String why = "lost the leadership (ZooKeeper " + state.get() + ")";
        LOG.warn("cluster {}: {}; stops calling devices and daemons", settings.member(), why);
        onLost.forEach(l -> l.accept(why));
    }

    @Override
    public void close() {
        retry.shutdownNow();
        try {
            latch.close();
        } catch (Exception e) {
            LOG.debug("cluster {}: latch close: {}", settings.member(), e.toString());
        }
        client.close();
    }
}

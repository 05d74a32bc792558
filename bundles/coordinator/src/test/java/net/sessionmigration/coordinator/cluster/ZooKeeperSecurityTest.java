package net.sessionmigration.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * What the ensemble lets in, on real servers secured as the README asks ({@link ZooKeeperEnsemble}): no session
 * without a certificate of the ensemble's CA (plaintext, TLS without a key, a certificate of another CA even with
 * the coordinator's subject); a certificate of the right CA with another subject gets a session but neither reads
 * nor writes a znode of the cluster (its ACLs: NoAuth); and every znode the members make belongs to the
 * coordinator's subject alone. That members lead and share the journal over TLS is {@link ZooKeeperClusterTest}.
 */
class ZooKeeperSecurityTest {
    private static final Duration SESSION = Duration.ofSeconds(4);
    /** Long enough for a refused client to have tried every server more than once, and for a good one to connect. */
    private static final Duration REFUSED_FOR = Duration.ofSeconds(5);
    private static final Id COORDINATOR = new Id("x509", EnsemblePki.COORDINATOR);

    @RegisterExtension
    static final ClusterFixture CLUSTER = new ClusterFixture("sm-security");

    @Test
    void noSessionWithoutACertificateOfTheEnsemblesCa() throws Exception {
        EnsemblePki pki = CLUSTER.ensemble().pki();
        SessionProbe plain = probe(plaintext());
        SessionProbe noKey = probe(tlsWithoutKey(pki));
        SessionProbe foreign = probe(MutualTlsClientConfig.of(pki.foreignCa()));
        SessionProbe coordinator = probe(MutualTlsClientConfig.of(pki.coordinator()));
        Thread.sleep(REFUSED_FOR.toMillis());
        assertAll(
                () -> assertTrue(coordinator.connected(), "meanwhile the coordinator's certificate got a session"),
                () -> assertFalse(plain.connected(), "a plaintext client got a session"),
                () -> assertFalse(noKey.connected(), "a TLS client without a certificate got a session"),
                () -> assertFalse(foreign.connected(),
                        "a certificate of another CA (with the coordinator's subject) got a session"));
    }

    @Test
    void anotherSubjectOfTheSameCaConnectsButCanNeitherReadNorWriteTheCluster() throws Exception {
        ClusterMember a = CLUSTER.member("site-a", SESSION);
        ZooKeeperEnsemble.await(ClusterFixture.WAIT, a::leading, "site-a leads");
        Journal journal = CLUSTER.closeAfterTest(Journal.on(new ZooKeeperJournalStore(a)));
        journal.save(new MigrationRecord("m-1", "evacuate-main", MigrationMode.MOVE, "test", MigrationState.RUNNING, 1, 0,
                List.of(), List.of(), Optional.empty(), List.of()));
        String root = CLUSTER.root();
        String entry = null;
        for (String table : a.client().getChildren().forPath(root + "/journal")) {
            for (String key : a.client().getChildren().forPath(root + "/journal/" + table)) {
                entry = root + "/journal/" + table + "/" + key;
            }
        }
        assertTrue(entry != null, "the journal has an entry");
        String anEntry = entry;

        CuratorFramework other = CLUSTER.closeAfterTest(CuratorFrameworkFactory.builder()
                .connectString(CLUSTER.ensemble().connect()).zkClientConfig(MutualTlsClientConfig.of(
                        CLUSTER.ensemble().pki().otherIdentity()))
                .sessionTimeoutMs((int) SESSION.toMillis()).retryPolicy(new RetryOneTime(100)).build());
        other.start();
        assertTrue(other.blockUntilConnected((int) ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS),
                "a certificate of the ensemble's CA with another subject gets a session");

        assertAll(
                () -> noAuth("list the root", () -> other.getChildren().forPath(root)),
                () -> noAuth("read the epoch", () -> other.getData().forPath(root + "/epoch")),
                () -> noAuth("list the members", () -> other.getChildren().forPath(root + "/members")),
                () -> noAuth("read a journal entry", () -> other.getData().forPath(anEntry)),
                () -> noAuth("change a journal entry", () -> other.setData().forPath(anEntry, "{}".getBytes())),
                () -> noAuth("raise the journal's sequence", () -> other.setData().forPath(root + "/journal/sequence")),
                () -> noAuth("overwrite the epoch", () -> other.setData().forPath(root + "/epoch", new byte[0])),
                () -> noAuth("join as a member", () -> other.create().forPath(root + "/members/intruder")),
                () -> noAuth("remove a member", () -> other.delete().forPath(root + "/members/site-a")),
                () -> noAuth("enter the leader election", () -> other.create().forPath(root + "/leader/intruder")));
        long next = journal.nextSequence();
        assertTrue(next > 0 && a.leading(), "the member goes on as before: sequence " + next);
    }

    @Test
    void everyZnodeTheClusterMakesBelongsToTheCoordinatorsSubjectAlone() throws Exception {
        ClusterMember a = CLUSTER.member("site-a", SESSION);
        ClusterMember b = CLUSTER.member("site-b", SESSION);
        ZooKeeperEnsemble.await(ClusterFixture.WAIT, () -> a.leading() != b.leading(), "one of them leads");
        ClusterMember leader = a.leading() ? a : b;
        Journal journal = CLUSTER.closeAfterTest(Journal.on(new ZooKeeperJournalStore(leader)));
        journal.setBackupActive("evacuate-main", true);
        journal.nextSequence();

        List<ACL> creatorOnly = List.of(new ACL(ZooDefs.Perms.ALL, COORDINATOR));
        Deque<String> paths = new ArrayDeque<>(List.of(CLUSTER.root()));
        int seen = 0;
        while (!paths.isEmpty()) {
            String path = paths.pop();
            assertEquals(creatorOnly, b.client().getACL().forPath(path), path);
            seen++;
            for (String child : b.client().getChildren().forPath(path)) {
                paths.push(path + "/" + child);
            }
        }
        assertTrue(seen >= 10, "the root, leader latch, epoch, members, journal tables and entries: " + seen + " znodes");
    }

    private static void noAuth(String what, ThrowingCall call) {
        try {
            call.run();
            fail("another subject could " + what);
        } catch (KeeperException.NoAuthException expected) {
            // the ACL: this id has no right on the znode
        } catch (Exception e) {
            fail("another subject trying to " + what + ": " + e + ", not NoAuth");
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    /** ZooKeeper's default client: NIO, no TLS. */
    private static ZKClientConfig plaintext() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        return config;
    }

    /** TLS that trusts the ensemble's CA but has no certificate to show. */
    private static ZKClientConfig tlsWithoutKey(EnsemblePki pki) {
        ZKClientConfig config = plaintext();
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        try (ClientX509Util x509 = new ClientX509Util()) {
            config.setProperty(x509.getSslTruststoreLocationProperty(), pki.truststore().toString());
            config.setProperty(x509.getSslTruststorePasswdProperty(), pki.password());
            config.setProperty(x509.getSslTruststoreTypeProperty(), "PKCS12");
        }
        return config;
    }

    /** A bare ZooKeeper client (Curator would only add retries) that records whether it ever had a session. */
    private static SessionProbe probe(ZKClientConfig config) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        ZooKeeper zk = new ZooKeeper(CLUSTER.ensemble().connect(), (int) SESSION.toMillis(), watcher, config);
        return CLUSTER.closeAfterTest(new SessionProbe(zk, connected));
    }

    private record SessionProbe(ZooKeeper zk, CountDownLatch sessions) implements AutoCloseable {
        boolean connected() {
            return sessions.getCount() == 0;
        }

        @Override
        public void close() throws InterruptedException {
            zk.close();
        }
    }
}

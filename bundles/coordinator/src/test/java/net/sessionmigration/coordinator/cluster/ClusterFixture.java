package net.sessionmigration.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The cluster tests' fixture, registered as a static {@code @RegisterExtension}: one real
 * three-server {@link ZooKeeperEnsemble} per test class (mutual TLS, a PKI of its own), a root znode
 * of its own for each test, members started and connected on it with the coordinator's certificate,
 * and everything a test opened closed after it, newest first.
 */
public final class ClusterFixture implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final String prefix;
    private final List<AutoCloseable> open = new ArrayList<>();
    private ZooKeeperEnsemble zk;
    private int roots;
    private String root;

    /** @param prefix the start of each test's root znode, e.g. {@code sm-test} */
    public ClusterFixture(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        zk = new ZooKeeperEnsemble(3);
        zk.awaitServing(3, WAIT);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (zk != null) {
            zk.close();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
        root = null;
    }

    public ZooKeeperEnsemble ensemble() {
        return zk;
    }

    /** A member of this test's cluster, started and connected; closed after the test. */
    public ClusterMember member(String name, Duration session) throws InterruptedException {
        ClusterMember m = new ClusterMember(new ClusterSettings(zk.connect(), root(), name, session, zk.tls()));
        closeAfterTest(m);
        m.start();
        assertTrue(m.awaitConnected(WAIT), name + " did not connect to " + zk.connect());
        return m;
    }

    /** This test's root znode. */
    public String root() {
        if (root == null) {
            root = "/" + prefix + "-" + ProcessHandle.current().pid() + "-" + (++roots);
        }
        return root;
    }

    /** Closed after the test, before whatever was opened earlier. */
    public <T extends AutoCloseable> T closeAfterTest(T resource) {
        open.add(resource);
        return resource;
    }
}

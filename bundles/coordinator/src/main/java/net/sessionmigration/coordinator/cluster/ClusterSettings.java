package net.sessionmigration.coordinator.cluster;

import java.time.Duration;

/**
 * How one coordinator joins the cluster.
 *
 * @param connect        the ZooKeeper ensemble, {@code host:port,host:port,…}
 * @param root           the znode under which this cluster keeps everything, e.g. {@code /session-migration}
 * @param member         this coordinator's name, unique in the cluster (shown by {@code migration:cluster})
 * @param sessionTimeout how long ZooKeeper keeps a silent member's session (and so its leadership)
 * @param tls            this member's mutual TLS to ZooKeeper: required, a cluster has no plaintext connection
 */
public record ClusterSettings(String connect, String root, String member, Duration sessionTimeout, ZooKeeperTls tls) {
    public ClusterSettings {
        if (connect == null || connect.isBlank()) {
            throw new IllegalArgumentException("zookeeper.connect is empty: give the ensemble as host:port,host:port,…");
        }
        if (root == null || !root.startsWith("/") || root.endsWith("/") || root.contains("//")) {
            throw new IllegalArgumentException("zookeeper.root '" + root + "' must be an absolute znode path such as"
                    + " /session-migration (no trailing /)");
        }
        if (member == null || !member.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("cluster.member '" + member + "' must be 1-63 letters, digits, '.', '_'"
                    + " or '-', starting with a letter or digit");
        }
        if (sessionTimeout == null || sessionTimeout.toMillis() < 2_000 || sessionTimeout.toMillis() > 120_000) {
            throw new IllegalArgumentException("zookeeper.session.timeout.ms " + (sessionTimeout == null ? null
                    : sessionTimeout.toMillis()) + " must be between 2000 and 120000");
        }
        if (tls == null) {
            throw new IllegalArgumentException("zookeeper.tls.* is not set: a cluster talks to ZooKeeper over mutual"
                    + " TLS only; give " + ZooKeeperTls.KEYSTORE + ", " + ZooKeeperTls.KEYSTORE_PASSWORD_REF + ", "
                    + ZooKeeperTls.TRUSTSTORE + " and " + ZooKeeperTls.TRUSTSTORE_PASSWORD_REF);
        }
    }
}

package net.sessionmigration.coordinator.osgi;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

import net.sessionmigration.api.driver.SecretRef;
import net.sessionmigration.coordinator.cluster.ClusterMember;
import net.sessionmigration.coordinator.cluster.ClusterSettings;
import net.sessionmigration.coordinator.cluster.ZooKeeperJournalStore;
import net.sessionmigration.coordinator.cluster.ZooKeeperTls;
import net.sessionmigration.coordinator.journal.Journal;

/**
 * This coordinator as one member of a cluster (journal.store = zookeeper): its ZooKeeper session
 * and the shared journal. In its own class so that a coordinator alone never loads Curator or
 * ZooKeeper (the bundle imports them optionally).
 */
final class Clustered implements AutoCloseable {
    private final ClusterMember member;
    private final Journal journal;

    private Clustered(ClusterMember member, Journal journal) {
        this.member = member;
        this.journal = journal;
    }

    /**
     * Joins the cluster. Its settings, the TLS stores included, are checked before anything connects: an error names
     * the configuration key (and the file), never a password.
     */
    static Clustered join(CoordinatorConfig config) {
        String name = config.cluster_member().isBlank() ? hostName() : config.cluster_member().trim();
        ClusterSettings settings = new ClusterSettings(config.zookeeper_connect().trim(), config.zookeeper_root().trim(),
                name, Duration.ofMillis(config.zookeeper_session_timeout_millis()), tls(config));
        ClusterMember member = new ClusterMember(settings); // loads both stores once: a wrong password fails here
        member.start();
        try {
            return new Clustered(member, Journal.on(new ZooKeeperJournalStore(member)));
        } catch (RuntimeException e) {
            member.close();
            throw e;
        }
    }

    /**
     * The {@code zookeeper.tls.*} keys, the passwords read through their references ({@link SecretRef}); the
     * stores themselves are loaded by {@link ZooKeeperTls#checked()}.
     */
    static ZooKeeperTls tls(CoordinatorConfig config) {
        // in this order, so that the first key missing is the one named
        Path keystore = path(config.zookeeper_tls_keystore(), ZooKeeperTls.KEYSTORE);
        String keystorePassword = secret(config.zookeeper_tls_keystorePasswordRef(), ZooKeeperTls.KEYSTORE_PASSWORD_REF);
        Path truststore = path(config.zookeeper_tls_truststore(), ZooKeeperTls.TRUSTSTORE);
        String truststorePassword = secret(config.zookeeper_tls_truststorePasswordRef(),
                ZooKeeperTls.TRUSTSTORE_PASSWORD_REF);
        return new ZooKeeperTls(keystore, keystorePassword, truststore, truststorePassword);
    }

    private static Path path(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is not set: a cluster talks to ZooKeeper over mutual TLS only;"
                    + " give the PKCS12 file");
        }
        return Path.of(value.strip());
    }

    /**
     * The password a reference names. Anything but {@code file:} or {@code env:} is refused without being echoed:
     * it may be a password written where its reference belongs.
     */
    private static String secret(String ref, String key) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException(key + " is not set: give file:/path or env:VARIABLE (the password's"
                    + " reference; a cluster talks to ZooKeeper over mutual TLS only)");
        }
        String r = ref.strip();
        if (!r.startsWith("file:") && !r.startsWith("env:")) {
            throw new IllegalArgumentException(key + " must be file:/path or env:VARIABLE, a reference to the"
                    + " password, never the password itself");
        }
        try {
            return SecretRef.resolve(r);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(key + " " + r + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(key + " " + r + ": not readable by this process");
        } catch (IOException e) {
            // SecretRef's texts name the file or the variable, never a value
            throw new IllegalArgumentException(key + " " + r + ": " + e.getMessage());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (UnknownHostException e) {
            return "coordinator";
        }
    }

    ClusterMember member() {
        return member;
    }

    Journal journal() {
        return journal;
    }

    @Override
    public void close() {
        member.close();
    }
}

package net.sessionmigration.coordinator.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Config Admin PID {@code net.sessionmigration.coordinator}; every key has a working default, except that a member of
 * a cluster (journal.store = zookeeper) needs its ZooKeeper ensemble and its mutual TLS ({@code zookeeper.tls.*}):
 * there is no plaintext connection to ZooKeeper. Passwords are given by reference ({@code file:} or {@code env:},
 * {@link net.sessionmigration.api.driver.SecretRef}), never as values, so that {@code config:list} shows none.
 */
@ObjectClassDefinition(id = CoordinatorComponent.PID, name = "Session migration coordinator",
        description = "Plans, step timeouts and the crash-safe journal of the session-migration coordinator")
public @interface CoordinatorConfig {

    @AttributeDefinition(name = "Plans folder", description = "Folder of *.json plan files; empty means"
            + " ${karaf.etc}/migration/plans (etc/migration/plans without Karaf)")
    String plans_dir() default "";

    @AttributeDefinition(name = "Journal file", description = "H2 MVStore file of the journal; empty means"
            + " ${karaf.data}/migration/journal.mv (data/migration/journal.mv without Karaf)")
    String journal_file() default "";

    @AttributeDefinition(name = "Force journal to disk", description = "fsync every journal commit; off, a"
            + " commit survives a JVM crash but not a power loss of this machine")
    boolean journal_sync() default true;

    @AttributeDefinition(name = "Step timeout (s)", description = "A driver call that takes longer counts as"
            + " failed and the migration rolls back", min = "1")
    long step_timeout_seconds() default 120;

    @AttributeDefinition(name = "Plans poll (ms)", description = "How often the plans folder is re-read",
            min = "0")
    long plans_poll_millis() default 1000;

    @AttributeDefinition(name = "History kept", description = "Finished migrations kept in the journal",
            min = "1")
    int history_keep() default 1000;

    @AttributeDefinition(name = "Keep warm (s)", description = "Every runnable plan's dry-run (the drivers'"
            + " preflight: connections, authentication, SNMPv3 engine discovery, CRIU's check) runs this often"
            + " while no migration runs, and soon after drivers come or go, so that the first migration after a"
            + " start or a long idle is not the slow one; 0 = off", min = "0")
    long keep_warm_seconds() default 300;

    @AttributeDefinition(name = "Journal store", description = "local: this coordinator alone, its journal in"
            + " the file above (the default). zookeeper: one member of a cluster of coordinators whose journal is"
            + " in ZooKeeper; only the elected leader runs migrations", options = {
                @org.osgi.service.metatype.annotations.Option(label = "local", value = "local"),
                @org.osgi.service.metatype.annotations.Option(label = "zookeeper", value = "zookeeper")})
    String journal_store() default "local";

    @AttributeDefinition(name = "ZooKeeper ensemble", description = "host:port,host:port,… of the ZooKeeper"
            + " servers (journal.store = zookeeper); give every server of the ensemble")
    String zookeeper_connect() default "";

    @AttributeDefinition(name = "ZooKeeper root", description = "znode under which the cluster keeps its"
            + " journal, leader election and members; the same on every member")
    String zookeeper_root() default "/session-migration";

    @AttributeDefinition(name = "Member name", description = "this coordinator's name in the cluster, unique;"
            + " empty means the host name")
    String cluster_member() default "";

    @AttributeDefinition(name = "ZooKeeper session timeout (ms)", description = "how long a silent member keeps"
            + " its session and so its leadership; a leader cut off stops calling devices after about two"
            + " thirds of it, another member leads after it", min = "2000", max = "120000")
    long zookeeper_session_timeout_millis() default 10_000;

    @AttributeDefinition(name = "ZooKeeper TLS key store", description = "PKCS12 key store with this coordinator's"
            + " client certificate for ZooKeeper (journal.store = zookeeper: required, the cluster talks to ZooKeeper"
            + " over mutual TLS only). Its subject is the cluster's identity in ZooKeeper: the same on every member")
    String zookeeper_tls_keystore() default "";

    @AttributeDefinition(name = "ZooKeeper TLS key store password", description = "Where the key store password is:"
            + " file:/path or env:VARIABLE")
    String zookeeper_tls_keystorePasswordRef() default "";

    @AttributeDefinition(name = "ZooKeeper TLS trust store", description = "PKCS12 trust store with the CA of the"
            + " ZooKeeper servers' certificates (journal.store = zookeeper: required)")
    String zookeeper_tls_truststore() default "";

    @AttributeDefinition(name = "ZooKeeper TLS trust store password", description = "Where the trust store password"
            + " is: file:/path or env:VARIABLE")
    String zookeeper_tls_truststorePasswordRef() default "";
}

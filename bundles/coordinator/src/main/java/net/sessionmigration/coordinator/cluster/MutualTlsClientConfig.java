package net.sessionmigration.coordinator.cluster;

import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

/**
 * The ZooKeeper client's configuration for mutual TLS, given to Curator: the Netty client socket (ZooKeeper's
 * default NIO socket has no TLS), the secure client on, this coordinator's PKCS12 key store and trust store, and
 * the server's host name verified against its certificate. The property names come from ZooKeeper's own
 * {@link ClientX509Util}, so that they follow its release. Set here, not as JVM system properties: the Karaf JVM
 * is shared, and another ZooKeeper client in it must not inherit (or change) the coordinator's keys.
 */
final class MutualTlsClientConfig {
    private static final String PKCS12 = "PKCS12";

    private MutualTlsClientConfig() {
    }

    static ZKClientConfig of(ZooKeeperTls tls) {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        // the certificate authenticates this coordinator: no SASL (Kerberos) login is looked for
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        try (ClientX509Util x509 = new ClientX509Util()) {
            config.setProperty(x509.getSslKeystoreLocationProperty(), tls.keystore().toString());
            config.setProperty(x509.getSslKeystorePasswdProperty(), tls.keystorePassword());
            config.setProperty(x509.getSslKeystoreTypeProperty(), PKCS12);
            config.setProperty(x509.getSslTruststoreLocationProperty(), tls.truststore().toString());
            config.setProperty(x509.getSslTruststorePasswdProperty(), tls.truststorePassword());
            config.setProperty(x509.getSslTruststoreTypeProperty(), PKCS12);
            // on whatever a JVM system property says: a server is the one its certificate names
            config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), "true");
        }
        return config;
    }
}

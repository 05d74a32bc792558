package net.sessionmigration.coordinator.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;

/**
 * This coordinator's mutual TLS to ZooKeeper: a PKCS12 key store with its client certificate (which is also its
 * identity in ZooKeeper, see {@link ClusterMember}) and a PKCS12 trust store with the CA of the ZooKeeper servers,
 * each with its password. A cluster talks to ZooKeeper over nothing else, so every {@link ClusterSettings} has one.
 * <p>
 * Error texts name the configuration key ({@link #KEYSTORE} and the others) and the file, never a password;
 * {@link #toString()} shows the files only.
 *
 * @param keystore           PKCS12 key store: this coordinator's private key and client certificate
 * @param keystorePassword   its password (also the key's, as keytool makes PKCS12 stores)
 * @param truststore         PKCS12 trust store: the CA that signed the ZooKeeper servers' certificates
 * @param truststorePassword its password
 */
public record ZooKeeperTls(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {
    public static final String KEYSTORE = "zookeeper.tls.keystore";
    public static final String KEYSTORE_PASSWORD_REF = "zookeeper.tls.keystorePasswordRef";
    public static final String TRUSTSTORE = "zookeeper.tls.truststore";
    public static final String TRUSTSTORE_PASSWORD_REF = "zookeeper.tls.truststorePasswordRef";

    public ZooKeeperTls {
        if (keystore == null) {
            throw new IllegalArgumentException(KEYSTORE + " is not set: a cluster talks to ZooKeeper over mutual TLS"
                    + " only; give the PKCS12 key store with this coordinator's client certificate");
        }
        if (keystorePassword == null || keystorePassword.isEmpty()) {
            throw new IllegalArgumentException(KEYSTORE_PASSWORD_REF + " gives no password for " + KEYSTORE + " "
                    + keystore + ": give file:/path or env:VARIABLE");
        }
        if (truststore == null) {
            throw new IllegalArgumentException(TRUSTSTORE + " is not set: a cluster talks to ZooKeeper over mutual TLS"
                    + " only; give the PKCS12 trust store with the CA of the ZooKeeper servers");
        }
        if (truststorePassword == null || truststorePassword.isEmpty()) {
            throw new IllegalArgumentException(TRUSTSTORE_PASSWORD_REF + " gives no password for " + TRUSTSTORE + " "
                    + truststore + ": give file:/path or env:VARIABLE");
        }
    }

    /**
     * Loads both stores once, so that a missing file or a wrong password is told now, naming its key and file,
     * rather than as a TLS handshake that fails at every connection attempt.
     *
     * @return this
     * @throws IllegalArgumentException naming the key and the file
     */
    public ZooKeeperTls checked() {
        KeyStore keys = load(keystore, keystorePassword, KEYSTORE, KEYSTORE_PASSWORD_REF);
        if (!hasUsableKey(keys)) {
            throw new IllegalArgumentException(KEYSTORE + " " + keystore + ": no private key with its certificate"
                    + " that opens with the password of " + KEYSTORE_PASSWORD_REF
                    + " (this coordinator's client certificate)");
        }
        KeyStore trust = load(truststore, truststorePassword, TRUSTSTORE, TRUSTSTORE_PASSWORD_REF);
        if (!hasTrustedCertificate(trust)) {
            throw new IllegalArgumentException(TRUSTSTORE + " " + truststore + ": no trusted certificate (the CA of"
                    + " the ZooKeeper servers) in it");
        }
        return this;
    }

    /** The files only: a password never appears where a settings object is printed or logged. */
    @Override
    public String toString() {
        return "ZooKeeperTls[keystore=" + keystore + ", truststore=" + truststore + "]";
    }

    private static KeyStore load(Path file, String password, String key, String passwordKey) {
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            try {
                store.load(in, password.toCharArray());
            } catch (IOException | GeneralSecurityException e) {
                // the JDK's texts ("keystore password was incorrect", ...) carry no password
                throw new IllegalArgumentException(key + " " + file + ": not a PKCS12 store that opens with the"
                        + " password of " + passwordKey + " (" + e.getMessage() + ")");
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(key + " " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(key + " " + file + ": not readable by this process");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(key + " " + file + ": cannot read it (" + e.getClass().getSimpleName()
                    + ")");
        }
        return store;
    }

    private boolean hasUsableKey(KeyStore keys) {
        try {
            for (String alias : Collections.list(keys.aliases())) {
                if (keys.isKeyEntry(alias) && keys.getCertificate(alias) != null
                        && keys.getKey(alias, keystorePassword.toCharArray()) != null) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean hasTrustedCertificate(KeyStore trust) {
        try {
            for (String alias : Collections.list(trust.aliases())) {
                if (trust.isCertificateEntry(alias)) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

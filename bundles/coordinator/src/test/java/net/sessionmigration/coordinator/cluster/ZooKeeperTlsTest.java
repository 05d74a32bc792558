package net.sessionmigration.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS settings without servers: every error names its configuration key (and the file), and neither an
 * error nor {@code toString} ever shows a password. The stores: a key pair made by keytool, a trust store with its
 * certificate, an empty store.
 */
class ZooKeeperTlsTest {
    private static final String PASSWORD = "Pw-0f-The-St0res-9dk2";
    private static final String WRONG = "Wr0ng-Passw0rd-Given-7c1";

    @TempDir
    static Path dir;
    private static Path keystore;
    private static Path truststore;
    private static Path empty;

    @BeforeAll
    static void stores() throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("store.pass"), PASSWORD + "\n");
        keystore = dir.resolve("client.p12");
        new Keytool(passwordFile).newKeyPair(keystore, "client", "CN=coordinator");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", keys.getCertificate("client"));
        truststore = store(trust, "truststore.p12");
        KeyStore nothing = KeyStore.getInstance("PKCS12");
        nothing.load(null, null);
        empty = store(nothing, "empty.p12");
    }

    private static Path store(KeyStore store, String name) throws Exception {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD.toCharArray());
        }
        return file;
    }

    @Test
    void storesThatOpenWithTheirPasswordsPass() {
        ZooKeeperTls tls = new ZooKeeperTls(keystore, PASSWORD, truststore, PASSWORD);
        assertSame(tls, tls.checked());
    }

    @Test
    void toStringShowsTheFilesAndNeverAPassword() {
        ZooKeeperTls tls = new ZooKeeperTls(keystore, PASSWORD, truststore, WRONG);
        ClusterSettings settings = new ClusterSettings("127.0.0.1:2281", "/sm", "site-a", Duration.ofSeconds(10), tls);
        for (String shown : new String[] {tls.toString(), settings.toString()}) {
            assertTrue(shown.contains(keystore.toString()) && shown.contains(truststore.toString()), shown);
            assertFalse(shown.contains(PASSWORD) || shown.contains(WRONG), shown);
        }
    }

    @Test
    void eachMissingSettingIsNamedByItsKey() {
        assertNames(ZooKeeperTls.KEYSTORE, () -> new ZooKeeperTls(null, PASSWORD, truststore, PASSWORD));
        assertNames(ZooKeeperTls.KEYSTORE_PASSWORD_REF, () -> new ZooKeeperTls(keystore, "", truststore, PASSWORD));
        assertNames(ZooKeeperTls.TRUSTSTORE, () -> new ZooKeeperTls(keystore, PASSWORD, null, PASSWORD));
        assertNames(ZooKeeperTls.TRUSTSTORE_PASSWORD_REF, () -> new ZooKeeperTls(keystore, PASSWORD, truststore, null));
        assertNames(ZooKeeperTls.KEYSTORE, () -> new ClusterSettings("127.0.0.1:2281", "/sm", "site-a",
                Duration.ofSeconds(10), null));
    }

    @Test
    void aMissingFileIsNamedWithItsKey() {
        Path nowhere = dir.resolve("no-such.p12");
        assertNames(ZooKeeperTls.KEYSTORE + " " + nowhere + ": no such file",
                () -> new ZooKeeperTls(nowhere, PASSWORD, truststore, PASSWORD).checked());
        assertNames(ZooKeeperTls.TRUSTSTORE + " " + nowhere + ": no such file",
                () -> new ZooKeeperTls(keystore, PASSWORD, nowhere, PASSWORD).checked());
    }

    @Test
    void aWrongPasswordIsNamedByItsKeyAndItsFileAndShownNowhere() {
        String key = assertNames(ZooKeeperTls.KEYSTORE + " " + keystore,
                () -> new ZooKeeperTls(keystore, WRONG, truststore, PASSWORD).checked());
        assertTrue(key.contains(ZooKeeperTls.KEYSTORE_PASSWORD_REF), key);
        String trust = assertNames(ZooKeeperTls.TRUSTSTORE + " " + truststore,
                () -> new ZooKeeperTls(keystore, PASSWORD, truststore, WRONG).checked());
        assertTrue(trust.contains(ZooKeeperTls.TRUSTSTORE_PASSWORD_REF), trust);
    }

    @Test
    void aKeyStoreWithoutAKeyAndATrustStoreWithoutACertificateAreRefused() {
        String noKey = assertNames(ZooKeeperTls.KEYSTORE + " " + truststore,
                () -> new ZooKeeperTls(truststore, PASSWORD, truststore, PASSWORD).checked());
        assertTrue(noKey.contains("no private key"), noKey);
        String noCa = assertNames(ZooKeeperTls.TRUSTSTORE + " " + empty,
                () -> new ZooKeeperTls(keystore, PASSWORD, empty, PASSWORD).checked());
        assertTrue(noCa.contains("no trusted certificate"), noCa);
    }

    /** The error's text, which contains {@code expected} and, in no cause either, a password. */
    private static String assertNames(String expected, Supplier<Object> call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::get);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()) + t;
            assertFalse(text.contains(PASSWORD) || text.contains(WRONG), "a password in: " + text);
        }
        assertEquals(IllegalArgumentException.class, e.getClass());
        return e.getMessage();
    }
}

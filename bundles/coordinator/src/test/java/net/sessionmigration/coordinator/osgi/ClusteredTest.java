package net.sessionmigration.coordinator.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.coordinator.cluster.ZooKeeperTls;

/**
 * The cluster's configuration ({@code zookeeper.tls.*}) is refused before anything connects, each error naming the
 * key (and the file or variable), never a password: without TLS keys there is no cluster.
 */
class ClusteredTest {
    private static final String PASSWORD = "St0re-Passw0rd-4kq8";

    @TempDir
    Path dir;

    /** A configuration as Config Admin gives it: the annotation's defaults, {@code values} by key. */
    private static CoordinatorConfig config(Map<String, String> values) {
        Map<String, Object> all = new HashMap<>(Map.of("journal.store", "zookeeper", "zookeeper.connect",
                "127.0.0.1:2281", "cluster.member", "site-a"));
        all.putAll(values);
        return (CoordinatorConfig) Proxy.newProxyInstance(CoordinatorConfig.class.getClassLoader(),
                new Class<?>[] {CoordinatorConfig.class}, (proxy, method, args) -> {
                    Object v = all.get(method.getName().replace('_', '.'));
                    return v != null ? v : method.getDefaultValue();
                });
    }

    private Map<String, String> tlsKeys(String keystorePasswordRef) throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("store.pass"), PASSWORD + "\n");
        KeyStore nothing = KeyStore.getInstance("PKCS12");
        nothing.load(null, null);
        Path store = dir.resolve("store.p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            nothing.store(out, PASSWORD.toCharArray());
        }
        return Map.of("zookeeper.tls.keystore", store.toString(),
                "zookeeper.tls.keystorePasswordRef", keystorePasswordRef,
                "zookeeper.tls.truststore", store.toString(),
                "zookeeper.tls.truststorePasswordRef", "file:" + passwordFile);
    }

    private static String refused(CoordinatorConfig config) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Clustered.join(config).close());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(PASSWORD), "the password in: " + t);
        }
        return e.getMessage();
    }

    @Test
    void withoutTlsKeysNoClusterIsJoined() {
        String why = refused(config(Map.of()));
        assertTrue(why.startsWith(ZooKeeperTls.KEYSTORE + " is not set"), why);
    }

    @Test
    void eachMissingKeyIsNamed() throws Exception {
        Map<String, String> keys = tlsKeys("file:" + dir.resolve("store.pass"));
        for (String key : keys.keySet()) {
            Map<String, String> without = new HashMap<>(keys);
            without.remove(key);
            String why = refused(config(without));
            assertTrue(why.startsWith(key + " is not set"), key + ": " + why);
        }
    }

    @Test
    void aPasswordWhereItsReferenceBelongsIsRefusedAndNotRepeated() throws Exception {
        String why = refused(config(tlsKeys(PASSWORD)));
        assertTrue(why.startsWith(ZooKeeperTls.KEYSTORE_PASSWORD_REF + " must be file:/path or env:VARIABLE"), why);
        assertFalse(why.contains(PASSWORD.substring(0, 4)), why);
    }

    @Test
    void aReferenceThatCannotBeReadIsNamedWithItsKey() throws Exception {
        Path missing = dir.resolve("missing.pass");
        assertEquals(ZooKeeperTls.KEYSTORE_PASSWORD_REF + " file:" + missing + ": no such file",
                refused(config(tlsKeys("file:" + missing))));
        String why = refused(config(tlsKeys("env:SM_TEST_NO_SUCH_VARIABLE_7Q")));
        assertTrue(why.startsWith(ZooKeeperTls.KEYSTORE_PASSWORD_REF + " env:SM_TEST_NO_SUCH_VARIABLE_7Q:"), why);
    }

    @Test
    void aWrongPasswordIsToldBeforeConnectingNamingTheKeyAndTheFile() throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.pass"), "Not-The-Passw0rd-2x\n");
        String why = refused(config(tlsKeys("file:" + wrong)));
        assertTrue(why.startsWith(ZooKeeperTls.KEYSTORE + " " + dir.resolve("store.p12")), why);
        assertTrue(why.contains(ZooKeeperTls.KEYSTORE_PASSWORD_REF), why);
        assertFalse(why.contains("Not-The-Passw0rd-2x"), why);
    }

    @Test
    void theStoresAreCheckedBeforeConnecting() throws Exception {
        // the right passwords, but the key store holds no key: refused by the loading check, nothing connects
        String why = refused(config(tlsKeys("file:" + dir.resolve("store.pass"))));
        assertTrue(why.contains("no private key"), why);
    }
}

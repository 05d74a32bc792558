package net.sessionmigration.coordinator.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The PKI of one test ensemble, new for each, in a folder of its own (mode 0700), every store PKCS12 with one
 * random password (in {@code store.pass}, mode 0600). The certificates are made by the JDK's keytool
 * ({@link Keytool}); the stores are put together with {@link KeyStore}, which saves keytool runs (each a JVM):
 * <ul>
 * <li>a CA, whose certificate is the one entry of {@code truststore.p12} (servers and clients);</li>
 * <li>{@code server.p12}: the servers' certificate, SubjectAltName ip:127.0.0.1, for client and quorum TLS (a
 * server is a TLS client of its peers, so it is good for both);</li>
 * <li>{@link #clientDir()}: the coordinator's {@code client.p12} ({@value #COORDINATOR}), {@code truststore.p12}
 * and {@code store.pass}: what a coordinator is configured with;</li>
 * <li>{@code other.p12}: another identity ({@value #OTHER}), signed by the same CA;</li>
 * <li>{@code foreign.p12}: the coordinator's subject, but signed by another CA.</li>
 * </ul>
 * The last two are made when a test first asks for them: every ensemble needs the others, few need these, and
 * each keytool run is a JVM's start.
 */
public final class EnsemblePki {
    public static final String CLIENT_KEYSTORE = "client.p12";
    public static final String TRUSTSTORE = "truststore.p12";
    public static final String PASSWORD_FILE = "store.pass";
    /** The coordinator's subject: every member's, and so the owner of the cluster's znodes. */
    static final String COORDINATOR = "CN=coordinator";
    static final String OTHER = "CN=other-client";

    private static final String CA = "ca.p12";
    private static final String FOREIGN_CA = "foreign-ca.p12";

    private final Path dir;
    private final String password;
    private final Keytool keytool;

    private EnsemblePki(Path dir, String password) {
        this.dir = dir;
        this.password = password;
        this.keytool = new Keytool(dir.resolve(PASSWORD_FILE));
    }

    /** Makes the CA, the servers' and the coordinator's certificates in {@code dir} (created). */
    static EnsemblePki create(Path dir) throws IOException, InterruptedException {
        Path client = dir.resolve("client");
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createDirectories(client, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        for (Path f : List.of(dir.resolve(PASSWORD_FILE), client.resolve(PASSWORD_FILE))) {
            Files.writeString(privateFile(f), password + "\n");
        }
        EnsemblePki pki = new EnsemblePki(dir, password);
        pki.issue(List.of(
                new Leaf("server", "CN=zookeeper", CA, dir.resolve("server.p12"),
                        "san=ip:127.0.0.1", "eku=serverAuth,clientAuth"),
                new Leaf("coordinator", COORDINATOR, CA, client.resolve(CLIENT_KEYSTORE), "eku=clientAuth")),
                List.<String[]>of(new String[] {CA, "CN=sm-test-ca"}));
        pki.writeTruststores();
        return pki;
    }

    /** The coordinator's settings from a folder as {@link #clientDir()} (another process's ensemble, say). */
    public static ZooKeeperTls clientIn(Path clientDir) throws IOException {
        String password = Files.readString(clientDir.resolve(PASSWORD_FILE), StandardCharsets.UTF_8).strip();
        return new ZooKeeperTls(clientDir.resolve(CLIENT_KEYSTORE), password, clientDir.resolve(TRUSTSTORE), password);
    }

    /** {@code client.p12} (the coordinator's certificate), {@code truststore.p12}, {@code store.pass}. */
    public Path clientDir() {
        return dir.resolve("client");
    }

    /** The coordinator's settings: {@link #clientDir()}. */
    public ZooKeeperTls coordinator() {
        return new ZooKeeperTls(clientDir().resolve(CLIENT_KEYSTORE), password, clientDir().resolve(TRUSTSTORE),
                password);
    }

    /** A certificate of the same CA with another subject ({@value #OTHER}); made on the first call. */
    synchronized ZooKeeperTls otherIdentity() throws IOException, InterruptedException {
        Path store = dir.resolve("other.p12");
        if (!Files.exists(store)) {
            issue(List.of(new Leaf("other", OTHER, CA, store, "eku=clientAuth")), List.of());
        }
        return new ZooKeeperTls(store, password, truststore(), password);
    }

    /** The coordinator's subject, signed by another CA (made with it on the first call). */
    synchronized ZooKeeperTls foreignCa() throws IOException, InterruptedException {
        Path store = dir.resolve("foreign.p12");
        if (!Files.exists(store)) {
            issue(List.of(new Leaf("foreign", COORDINATOR, FOREIGN_CA, store, "eku=clientAuth")),
                    List.<String[]>of(new String[] {FOREIGN_CA, "CN=sm-test-foreign-ca"}));
        }
        return new ZooKeeperTls(store, password, truststore(), password);
    }

    Path truststore() {
        return dir.resolve(TRUSTSTORE);
    }

    String password() {
        return password;
    }

    /**
     * The servers' TLS lines of zoo.cfg: mutual TLS for clients (the certificate required, its subject the client's
     * id through the x509 authentication provider) and between the servers; passwords by file, none in zoo.cfg.
     */
    List<String> serverConfig() {
        Path keystore = dir.resolve("server.p12");
        Path passwordFile = dir.resolve(PASSWORD_FILE);
        List<String> lines = new ArrayList<>(List.of(
                "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider",
                "ssl.clientAuth=need",
                "sslQuorum=true"));
        for (String prefix : List.of("ssl.", "ssl.quorum.")) {
            lines.addAll(List.of(
                    prefix + "keyStore.location=" + keystore, prefix + "keyStore.passwordPath=" + passwordFile,
                    prefix + "keyStore.type=PKCS12",
                    prefix + "trustStore.location=" + truststore(), prefix + "trustStore.passwordPath=" + passwordFile,
                    prefix + "trustStore.type=PKCS12"));
        }
        return lines;
    }

    /**
     * Issues {@code leaves}, making the CAs {@code newCas} ({store, subject} each) first: key pairs and requests two at
     * a time, then the signatures, then each leaf's store with its chain (certificate, CA).
     */
    private void issue(List<Leaf> leaves, List<String[]> newCas) throws IOException, InterruptedException {
        List<Callable<Void>> keys = new ArrayList<>();
        for (String[] ca : newCas) {
            keys.add(() -> {
                keytool.newKeyPair(dir.resolve(ca[0]), "ca", ca[1], "bc:c", "ku:c=keyCertSign,cRLSign");
                return null;
            });
        }
        for (Leaf leaf : leaves) {
            keys.add(() -> {
                keytool.newKeyPair(leaf.keyPair(dir), leaf.name, leaf.subject);
                keytool.certificateRequest(leaf.keyPair(dir), leaf.name, leaf.request(dir));
                return null;
            });
        }
        inParallel(keys);
        List<Callable<Void>> signed = new ArrayList<>();
        for (Leaf leaf : leaves) {
            signed.add(() -> {
                keytool.sign(dir.resolve(leaf.caStore), "ca", leaf.request(dir), leaf.certificate(dir), leaf.extensions);
                return null;
            });
        }
        inParallel(signed);
        try {
            for (Leaf leaf : leaves) {
                KeyStore keyPair = load(leaf.keyPair(dir));
                Certificate certificate;
                try (InputStream in = Files.newInputStream(leaf.certificate(dir))) {
                    certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
                }
                KeyStore store = empty();
                store.setKeyEntry(leaf.name, (PrivateKey) keyPair.getKey(leaf.name, password.toCharArray()),
                        password.toCharArray(), new Certificate[] {certificate, caCertificate(leaf.caStore)});
                save(store, leaf.store);
                Files.delete(leaf.keyPair(dir));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("the test PKI in " + dir + ": " + e, e);
        }
    }

    /** The trust stores: the ensemble's CA, the one entry. */
    private void writeTruststores() throws IOException {
        try {
            for (Path truststore : List.of(truststore(), clientDir().resolve(TRUSTSTORE))) {
                KeyStore trust = empty();
                trust.setCertificateEntry("ca", caCertificate(CA));
                save(trust, truststore);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("the test PKI in " + dir + ": " + e, e);
        }
    }

    private Certificate caCertificate(String caStore) throws IOException, GeneralSecurityException {
        return load(dir.resolve(caStore)).getCertificate("ca");
    }

    private static void inParallel(List<Callable<Void>> tasks) throws IOException, InterruptedException {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (Future<Void> f : two.invokeAll(tasks)) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            }
        } finally {
            two.shutdownNow();
        }
    }

    private KeyStore empty() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private KeyStore load(Path file) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    private void save(KeyStore store, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(privateFile(file))) {
            store.store(out, password.toCharArray());
        }
    }

    /** {@code file}, created empty with mode 0600 (readable by this user only) if it is not there. */
    private static Path privateFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return file;
    }

    /** A certificate to make: its key pair, request and signed certificate on the way, its store at the end. */
    private record Leaf(String name, String subject, String caStore, Path store, String... extensions) {
        Path keyPair(Path dir) {
            return dir.resolve(name + "-key.p12");
        }

        Path request(Path dir) {
            return dir.resolve(name + ".csr");
        }

        Path certificate(Path dir) {
            return dir.resolve(name + ".crt");
        }
    }
}

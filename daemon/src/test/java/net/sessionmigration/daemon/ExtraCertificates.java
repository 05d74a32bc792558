package net.sessionmigration.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import net.sessionmigration.daemon.protocol.MutualTls;

/**
 * Client certificates a daemon must refuse, made with keytool (argument lists) beside a {@link TestPki}:
 * signed by the test CA but expired or not yet valid, and signed by another CA.
 */
final class ExtraCertificates {
    private final TestPki pki;

    ExtraCertificates(TestPki pki) {
        this.pki = pki;
    }

    /** A client certificate signed by the test CA, valid for 2 days from {@code startDate} (keytool's {@code -startdate}, e.g. "-12d"). */
    void signedByTestCa(String name, String startDate) throws IOException, InterruptedException {
        sign(name, "ca", pki.store("ca"), startDate);
    }

    /** A second CA and a client certificate it signed, which looks like a proper client certificate. */
    void otherCaWithClient(String ca, String client) throws IOException, InterruptedException {
        kt("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + ca,
                "-ext", "bc:c", "-validity", "2", "-keystore", p(ca + ".p12"), "-storetype", "PKCS12", "-storepass", TestPki.PASS);
        sign(client, "ca", pki.store(ca), null);
    }

    private void sign(String name, String caAlias, Path caStore, String startDate) throws IOException, InterruptedException {
        kt("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=coordinator",
                "-validity", "2", "-keystore", p(name + ".p12"), "-storetype", "PKCS12", "-storepass", TestPki.PASS);
        kt("-certreq", "-alias", name, "-keystore", p(name + ".p12"), "-storepass", TestPki.PASS, "-file", p(name + ".csr"));
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", caAlias, "-keystore", caStore.toString(),
                "-storepass", TestPki.PASS, "-infile", p(name + ".csr"), "-outfile", p(name + ".pem"),
                "-ext", "SAN=dns:coordinator", "-ext", "EKU=serverAuth,clientAuth", "-validity", "2", "-rfc"));
        if (startDate != null) {
            gencert.addAll(List.of("-startdate", startDate));
        }
        kt(gencert.toArray(String[]::new));
        kt("-exportcert", "-alias", caAlias, "-keystore", caStore.toString(), "-storepass", TestPki.PASS, "-rfc",
                "-file", p(name + "-ca.pem"));
        kt("-importcert", "-noprompt", "-alias", "ca", "-file", p(name + "-ca.pem"), "-keystore", p(name + ".p12"),
                "-storepass", TestPki.PASS);
        kt("-importcert", "-alias", name, "-file", p(name + ".pem"), "-keystore", p(name + ".p12"), "-storepass", TestPki.PASS);
    }

    /** A TLS 1.3 client context trusting the test CA, presenting {@code keystore}'s certificate (none when null). */
    static SSLContext clientContext(TestPki pki, String keystore) throws Exception {
        char[] pw = TestPki.PASS.toCharArray();
        if (keystore != null) {
            return MutualTls.sslContext(pki.store(keystore), pw, pki.store("truststore"), pw);
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.store("truststore"))) {
            ts.load(in, pw);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private String p(String f) {
        return pki.dir.resolve(f).toString();
    }

    private static void kt(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}

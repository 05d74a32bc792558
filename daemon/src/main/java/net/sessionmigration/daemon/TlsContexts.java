package net.sessionmigration.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** One SSLContext from a PKCS12 key store (our certificate) and a trust store (the lab CA). */
public final class TlsContexts {
    private TlsContexts() {
    }

    public static SSLContext create(Path keystore, char[] keyPassword, Path truststore, char[] trustPassword)
            throws IOException, GeneralSecurityException {
        KeyStore ks = load(keystore, keyPassword);
        KeyStore ts = load(truststore, trustPassword);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, keyPassword);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A PKCS12 store from a file (the daemon's key store, its trust store). */
    static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    public static SSLContext create(DaemonConfig.Tls tls) throws IOException, GeneralSecurityException {
        return create(Path.of(tls.keystore()), tls.keystorePassword().toCharArray(),
                Path.of(tls.truststore()), tls.truststorePassword().toCharArray());
    }
}

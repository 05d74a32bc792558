package net.sessionmigration.daemon.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The daemons' TLS: one TLSv1.3 {@link SSLContext} from a PKCS12 key store (our certificate, as
 * server and as client) and a PKCS12 trust store (the CA that signed the daemons' and the
 * drivers' certificates). The daemon's server, its peer client and both drivers load it here.
 */
public final class MutualTls {
    private MutualTls() {
    }

    public static SSLContext sslContext(Path keystore, char[] keyPassword, Path truststore, char[] trustPassword)
            throws IOException, GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(keystore, keyPassword), keyPassword);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(truststore, trustPassword));
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A PKCS12 store from a file. */
    public static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    /**
     * The alias of a key store's first key entry: this side's own key and certificate, which the
     * key manager above presents. The exception names the file when it holds no key.
     */
    public static String ownAlias(KeyStore ks, Path file) throws IOException, GeneralSecurityException {
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                return alias;
            }
        }
        throw new IOException(file + " holds no private key");
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import net.sessionmigration.daemon.protocol.MutualTls;

/**
 * The daemon's own certificate, key and trusted CA as PEM files, for CRIU's TLS (GnuTLS reads
 * files, not PKCS12 stores): so CRIU's page server and the dump that feeds it authenticate each
 * other with the same certificates as the daemons' HTTPS. Written once at start into a directory
 * only root can read ({@code 0700}, files {@code 0600}) on the image root's tmpfs, never logged.
 */
final class CriuTls {
    private static final Base64.Encoder PEM = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    private final Path dir;

    private CriuTls(Path dir) {
        this.dir = dir;
    }

    /** Exports the key store's key entry (key and chain) and the trust store's certificates into {@code dir}. */
    static CriuTls export(DaemonConfig.Tls tls, Path dir) throws IOException {
        try {
            KeyStore ks = MutualTls.load(Path.of(tls.keystore()), tls.keystorePassword().toCharArray());
            KeyStore ts = MutualTls.load(Path.of(tls.truststore()), tls.truststorePassword().toCharArray());
            String alias = MutualTls.ownAlias(ks, Path.of(tls.keystore()));
            Key key = ks.getKey(alias, tls.keystorePassword().toCharArray());
            if (!(key instanceof PrivateKey)) {
                throw new IOException(tls.keystore() + ": entry " + alias + " is not a private key");
            }
            List<Certificate> cas = new ArrayList<>();
            for (String a : Collections.list(ts.aliases())) {
                if (ts.isCertificateEntry(a)) {
                    cas.add(ts.getCertificate(a));
                }
            }
            if (cas.isEmpty()) {
                throw new IOException(tls.truststore() + " holds no trusted certificate");
            }
            MigrationService.deleteTree(dir);
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Certificate leaf = ks.getCertificate(alias);
            write(dir.resolve("key.pem"), key instanceof ECPrivateKey ec && leaf.getPublicKey() instanceof ECPublicKey pub
                    ? pem("EC PRIVATE KEY", sec1(ec, pub)) : pem("PRIVATE KEY", key.getEncoded()));
            write(dir.resolve("cert.pem"), pems(List.of(ks.getCertificateChain(alias))));
            write(dir.resolve("ca.pem"), pems(cas));
            return new CriuTls(dir);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot export the daemon's TLS identity for CRIU: " + e.getMessage(), e);
        }
    }

    /** The same files for a request over CRIU's RPC (the peer's name is checked). */
    net.sessionmigration.criurpc.Tls rpc() {
        return new net.sessionmigration.criurpc.Tls(dir.resolve("ca.pem"), dir.resolve("cert.pem"), dir.resolve("key.pem"),
                false);
    }

    /** CRIU's options for a TLS connection with these files. */
    List<String> args() {
        return List.of("--tls", "--tls-cacert", dir.resolve("ca.pem").toString(),
                "--tls-cert", dir.resolve("cert.pem").toString(), "--tls-key", dir.resolve("key.pem").toString());
    }

    /**
     * An EC key as SEC 1 (RFC 5915) with its public point: the JDK's PKCS#8 form leaves the point
     * out, and GnuTLS 3.7 refuses such a key ("ASN1 parser: Element was not found").
     */
    static byte[] sec1(ECPrivateKey key, ECPublicKey pub) throws GeneralSecurityException, IOException {
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(key.getParams());
        int size = (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        byte[] point = concat(new byte[] {0, 4}, unsigned(pub.getW().getAffineX(), size), unsigned(pub.getW().getAffineY(), size));
        return tlv(0x30, concat(tlv(0x02, new byte[] {1}), tlv(0x04, unsigned(key.getS(), size)),
                tlv(0xa0, params.getEncoded()), tlv(0xa1, tlv(0x03, point))));
    }

    private static byte[] unsigned(BigInteger n, int size) {
        byte[] b = n.toByteArray(); // big-endian, maybe with a leading 0 sign byte
        byte[] out = new byte[size];
        int len = Math.min(b.length, size);
        System.arraycopy(b, b.length - len, out, size - len, len);
        return out;
    }

    /** One DER element: tag, definite length (short or long form), content. */
    private static byte[] tlv(int tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 128 ? new byte[] {(byte) n}
                : n < 256 ? new byte[] {(byte) 0x81, (byte) n} : new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        return concat(new byte[] {(byte) tag}, len, content);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String pems(List<Certificate> certs) throws GeneralSecurityException {
        StringBuilder sb = new StringBuilder();
        for (Certificate c : certs) {
            sb.append(pem("CERTIFICATE", c.getEncoded()));
        }
        return sb.toString();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + PEM.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(Files.createFile(file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), text);
    }
}

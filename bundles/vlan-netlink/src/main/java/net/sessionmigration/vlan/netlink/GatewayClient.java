package net.sessionmigration.vlan.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The gateway role of one migration daemon over JDK HttpClient with this driver's client
 * certificate. Every failure becomes a {@link GatewayException} that says which kind it is.
 */
public final class GatewayClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String name;
    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    /** What went wrong talking to a gateway, in an operator's words. */
    public static final class GatewayException extends Exception {
        /** unreachable, timeout, tls, refused (400), no-gateway-role (404), or the daemon's kind (409). */
        private final String kind;
        private final String port;

        GatewayException(String kind, String port, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
            this.port = port;
        }

        public String kind() {
            return kind;
        }

        /** The port the failure is about, or null. */
        public String port() {
            return port;
        }
    }

    public GatewayClient(String name, URI base, SSLContext ssl, Duration timeout) {
        if (base == null || !"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("gateway " + name + ": url must be https://host:port");
        }
        this.name = name;
        this.base = base;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().sslContext(ssl)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : timeout) // includes the TLS handshake, slow in a cold JVM
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    public String name() {
        return name;
    }

    public URI url() {
        return base;
    }

    public static SSLContext sslContext(Path keystore, char[] keyPassword, Path truststore, char[] trustPassword)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, keyPassword);
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            ts.load(in, trustPassword);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, keyPassword);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** POST {@code /gateway/v1/OP} with a JSON body; the answer of a 200, else a GatewayException. */
    public JsonNode post(String op, Object body) throws GatewayException {
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(base.resolve("/gateway/v1/" + op)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new GatewayException("refused", null, "cannot build the request: " + e.getMessage(), e);
        }
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("interrupted", null, "interrupted", e);
        } catch (IOException e) {
            throw transportFailure(e);
        }
        if (r.statusCode() == 404) {
            // the JDK server answers a path without a context with its own HTML 404
            throw new GatewayException("no-gateway-role", null, "the daemon at " + base + " has no gateway role"
                    + " (404: add a \"gateway\" section to its config)", null);
        }
        JsonNode n;
        try {
            n = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new GatewayException("refused", null, "answered " + r.statusCode() + " with something other than JSON"
                    + " (is " + base + " a migration daemon?)", e);
        }
        return switch (r.statusCode()) {
            case 200 -> n;
            case 409 -> throw new GatewayException(n.path("kind").asText("failed"), n.path("port").isTextual()
                    ? n.path("port").asText() : null, n.path("error").asText("failed"), null);
            case 400 -> throw new GatewayException("refused", null, "the gateway refused the request (400): "
                    + n.path("error").asText(), null);
            default -> throw new GatewayException("daemon-error", null, "the gateway daemon answered " + r.statusCode()
                    + ": " + n.path("error").asText(), null);
        };
    }

    GatewayException transportFailure(IOException e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof SSLException) {
                return new GatewayException("tls", null, "TLS refused with " + base + ": " + t.getMessage()
                        + " (is the gateway's certificate signed by a CA in the trust store, and this driver's client"
                        + " certificate by the CA the daemon trusts?)", e);
            }
            t = t.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new GatewayException("unreachable", null, "gateway daemon unreachable at " + base
                    + ": no connection within the connect timeout (check the address and that the daemon runs)", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new GatewayException("timeout", null, "no answer from " + base + " within " + timeout.toMillis()
                    + " ms (the outcome of the request is unknown)", e);
        }
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return new GatewayException("unreachable", null, "gateway daemon unreachable at " + base
                    + ": connection refused (does the daemon run there with a gateway section?)", e);
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("Connection reset") || m.contains("closed") || m.contains("header parser received no bytes")) {
            // TLS 1.3: a server that refuses our certificate may just close after the handshake
            return new GatewayException("tls", null, "TLS refused with " + base + ": the daemon closed the connection"
                    + " (" + m + "; is this driver's client certificate signed by the CA the daemon trusts?)", e);
        }
        return new GatewayException("unreachable", null, "gateway daemon unreachable at " + base + ": " + e, e);
    }
}

package net.sessionmigration.daemondriver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The daemons' control API, over JDK HttpClient with our client certificate. */
public final class DaemonClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final Map<String, String> servers;
    private final Duration timeout;

    /** A daemon's refusal or an unreachable daemon, with the server's name. */
    public static final class DaemonException extends IOException {
        private final String server;

        DaemonException(String server, String message, Throwable cause) {
            super(message, cause);
            this.server = server;
        }

        public String server() {
            return server;
        }
    }

    public DaemonClient(SSLContext ssl, Map<String, String> servers, Duration timeout) {
        this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)) // includes the TLS handshake, slow in a cold JVM
                .version(HttpClient.Version.HTTP_1_1).build();
        this.servers = Map.copyOf(servers);
        this.timeout = timeout;
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

    public boolean knows(String server) {
        return servers.containsKey(server);
    }

    private String url(String server) throws DaemonException {
        String u = servers.get(server);
        if (u == null) {
            throw new DaemonException(server, "no daemon URL configured for server " + server, null);
        }
        return u;
    }

    public JsonNode get(String server, String path) throws DaemonException {
        try {
            return send(server, HttpRequest.newBuilder(URI.create(url(server) + path)).timeout(timeout).GET().build());
        } catch (IllegalArgumentException e) {
            throw new DaemonException(server, "bad URL: " + e.getMessage(), e);
        }
    }

    public JsonNode post(String server, String path, Object body) throws DaemonException {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url(server) + path)).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
            return send(server, req);
        } catch (IOException e) {
            throw e instanceof DaemonException d ? d : new DaemonException(server, e.getMessage(), e);
        }
    }

    private JsonNode send(String server, HttpRequest req) throws DaemonException {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode n = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            if (r.statusCode() != 200) {
                throw new DaemonException(server, "daemon answered " + r.statusCode() + ": " + n.path("error").asText(), null);
            }
            return n;
        } catch (DaemonException e) {
            throw e;
        } catch (IOException e) {
            throw new DaemonException(server, "daemon unreachable or not authenticated at " + req.uri().getAuthority()
                    + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaemonException(server, "interrupted", e);
        }
    }

    /** "ConnectException: Connection refused": the JDK's exception often has no message of its own, its cause does. */
    static String describe(Throwable e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        Throwable c = e.getCause();
        return c == null || c.getMessage() == null || c.getMessage().equals(e.getMessage()) ? text
                : text + " (" + c.getMessage() + ")";
    }
}

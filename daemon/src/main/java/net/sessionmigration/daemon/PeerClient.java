package net.sessionmigration.daemon;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Talks to another daemon over the same mutually authenticated TLS. */
public final class PeerClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final Map<String, String> peers;

    public PeerClient(SSLContext ssl, Map<String, String> peers) {
        this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)) // includes the TLS handshake, slow in a cold JVM
                .version(HttpClient.Version.HTTP_1_1).build();
        this.peers = peers;
    }

    public String url(String peer) {
        String u = peers.get(peer);
        if (u == null) {
            throw new RequestNames.BadRequest("unknown peer");
        }
        return u;
    }

    public JsonNode post(String peer, String path, HttpRequest.BodyPublisher body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url(peer) + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", contentType).POST(body).build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // the answer names the peer: "header parser received no bytes" alone does not say who went away
            throw new IOException("peer " + peer + " at " + url(peer) + " gave no answer: " + e.getMessage(), e);
        }
        JsonNode n = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IOException("peer " + peer + " answered " + r.statusCode() + ": " + n.path("error").asText());
        }
        return n;
    }

    /** A GET, answered 200 (the start-up warm-up asks each peer's health). */
    public JsonNode get(String peer, String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url(peer) + path)).timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("peer " + peer + " answered " + r.statusCode());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    public java.util.Set<String> names() {
        return peers.keySet();
    }

    public JsonNode postJson(String peer, String path, Object body) throws IOException, InterruptedException {
        return post(peer, path, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)),
                "application/json");
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import javax.net.ssl.SSLContext;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.HealthAnswer;

/**
 * Talks to another daemon over the same mutually authenticated TLS ({@code daemon-protocol}'s
 * client). A peer the request names but the config does not is a bad request; every other
 * failure names the peer. Every changing call carries the epoch of the request it serves
 * ({@code X-SM-Epoch}), so a peer that has seen a newer coordinator refuses a deposed one's
 * migration here as well, and accepts the current one's.
 */
public final class PeerClient {
    /** One operation (an image transfer, a restore). */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(10);
    private final DaemonClient daemons;

    public PeerClient(SSLContext ssl, Map<String, String> peers) {
        this.daemons = new DaemonClient(ssl, peers, CALL_TIMEOUT);
    }

    public String url(String peer) {
        try {
            return daemons.url(peer);
        } catch (DaemonClient.DaemonException e) {
            throw new RequestNames.BadRequest("unknown peer");
        }
    }

    /** A changing call for a request at {@code epoch}: the peer fences it as it fenced that request here. */
    public <T> T post(String peer, String path, DaemonClient.Body body, String contentType, Class<T> answer,
                      long epoch) throws IOException {
        url(peer);
        try {
            return daemons.withEpoch(epoch).post(peer, path, body, contentType, answer, CALL_TIMEOUT);
        } catch (DaemonClient.DaemonException e) {
            throw named(e);
        }
    }

    /** A changing call for a request at {@code epoch}, as {@link #post}. */
    public <T> T postJson(String peer, String path, Object body, Class<T> answer, long epoch) throws IOException {
        url(peer);
        try {
            return daemons.withEpoch(epoch).post(peer, path, body, answer);
        } catch (DaemonClient.DaemonException e) {
            throw named(e);
        }
    }

    /** The start-up warm-up asks each peer's health. */
    public HealthAnswer health(String peer) throws IOException {
        url(peer);
        try {
            return daemons.get(peer, "/v1/health", HealthAnswer.class, HEALTH_TIMEOUT);
        } catch (DaemonClient.DaemonException e) {
            throw named(e);
        }
    }

    public Set<String> names() {
        return daemons.names();
    }

    /** "daemon answered 500: …" alone does not say which peer: the answer names it. */
    private static IOException named(DaemonClient.DaemonException e) {
        return new IOException("peer " + e.server() + ": " + e.getMessage(), e);
    }
}

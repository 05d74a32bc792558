package net.sessionmigration.daemon.protocol;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The daemons' API over HTTPS with our certificate (JDK HttpClient, HTTP/1.1), for named
 * daemons: {@code name → https://address:port}. Requests are sent as JSON; a 200's answer is
 * read into the record asked for; anything else is a {@link DaemonException} that names the
 * daemon and says why. Used by the drivers and by the daemons among themselves.
 *
 * <p>A caller that may be fenced (a coordinator in a cluster) sends its epoch with each request
 * through {@link #withEpoch}: the header {@value #EPOCH_HEADER}; this client itself sends none.
 */
public final class DaemonClient {
    /**
     * The header that carries the caller's epoch ({@code X-SM-Epoch: 7}, a whole number): a daemon
     * refuses a changing request whose epoch is below the highest it has seen (409, kind
     * {@value ErrorAnswer#FENCED}); a request without it is epoch 0, a coordinator alone.
     */
    public static final String EPOCH_HEADER = "X-SM-Epoch";
    /** {@link #epoch}: no header. */
    private static final long NO_EPOCH = -1;

    /** Answers are read leniently: a field this side does not know is skipped. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Includes the TLS handshake, slow in a cold JVM. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final Map<String, String> servers;
    private final Duration timeout;
    private final long epoch;

    /** A daemon's refusal or an unreachable daemon, with the daemon's name. */
    public static final class DaemonException extends IOException {
        private final String server;
        private final int status;
        private final transient ErrorAnswer answer;

        DaemonException(String server, String message, Throwable cause) {
            this(server, 0, null, message, cause);
        }

        DaemonException(String server, int status, ErrorAnswer answer, String message, Throwable cause) {
            super(message, cause);
            this.server = server;
            this.status = status;
            this.answer = answer;
        }

        /** The daemon's name, as configured. */
        public String server() {
            return server;
        }

        /** The HTTP status the daemon answered, or 0 when there was no answer. */
        public int status() {
            return status;
        }

        /** The daemon's error answer; empty when there was no answer or it was not JSON. */
        public Optional<ErrorAnswer> answer() {
            return Optional.ofNullable(answer);
        }
    }

    /** {@code timeout}: of one call, unless the call names its own. */
    public DaemonClient(SSLContext ssl, Map<String, String> servers, Duration timeout) {
        this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1).build();
        this.servers = Map.copyOf(servers);
        this.timeout = timeout;
        this.epoch = NO_EPOCH;
    }

    private DaemonClient(DaemonClient of, long epoch) {
        this.http = of.http;
        this.servers = of.servers;
        this.timeout = of.timeout;
        this.epoch = epoch;
    }

    /**
     * This client for the calls of a caller at {@code epoch}: every request it sends carries
     * {@code X-SM-Epoch: epoch}. The same connections, daemons and timeout; this client is unchanged
     * (it still sends no epoch), so one client serves many migrations at once, each with its own.
     * Cheap: make one per call.
     *
     * @throws IllegalArgumentException when {@code epoch} is negative
     */
    public DaemonClient withEpoch(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("an epoch is 0 or more, not " + epoch);
        }
        return new DaemonClient(this, epoch);
    }

    /** The epoch this client's requests carry; empty: they carry none. */
    public OptionalLong epoch() {
        return epoch == NO_EPOCH ? OptionalLong.empty() : OptionalLong.of(epoch);
    }

    public boolean knows(String server) {
        return servers.containsKey(server);
    }

    public Set<String> names() {
        return servers.keySet();
    }

    public String url(String server) throws DaemonException {
        String u = servers.get(server);
        if (u == null) {
            throw new DaemonException(server, "no daemon URL configured for server " + server, null);
        }
        return u;
    }

    public <T> T get(String server, String path, Class<T> answer) throws DaemonException {
        return get(server, path, answer, timeout);
    }

    public <T> T get(String server, String path, Class<T> answer, Duration callTimeout) throws DaemonException {
        return send(server, request(server, path, callTimeout).GET(), answer);
    }

    /** POST of {@code body} as JSON. */
    public <T> T post(String server, String path, Object body, Class<T> answer) throws DaemonException {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new DaemonException(server, "cannot write the request: " + e.getMessage(), e);
        }
        return post(server, path, HttpRequest.BodyPublishers.ofByteArray(json), "application/json", answer, timeout);
    }

    /** POST of any body (the daemons send images as {@code application/octet-stream}). */
    public <T> T post(String server, String path, HttpRequest.BodyPublisher body, String contentType, Class<T> answer,
                      Duration callTimeout) throws DaemonException {
        return send(server, request(server, path, callTimeout).header("Content-Type", contentType).POST(body), answer);
    }

    private HttpRequest.Builder request(String server, String path, Duration callTimeout) throws DaemonException {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(server) + path)).timeout(callTimeout);
            return epoch == NO_EPOCH ? b : b.header(EPOCH_HEADER, Long.toString(epoch));
        } catch (IllegalArgumentException e) {
            throw new DaemonException(server, "bad URL: " + e.getMessage(), e);
        }
    }

    private <T> T send(String server, HttpRequest.Builder builder, Class<T> type) throws DaemonException {
        HttpRequest req = builder.build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DaemonException(server, "daemon unreachable or not authenticated at " + req.uri().getAuthority()
                    + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DaemonException(server, "interrupted", e);
        }
        String body = r.body().isEmpty() ? "{}" : r.body();
        if (r.statusCode() != 200) {
            ErrorAnswer error = read(body, ErrorAnswer.class).orElse(null);
            throw new DaemonException(server, r.statusCode(), error, "daemon answered " + r.statusCode() + ": "
                    + (error == null ? "(an answer that is not JSON)" : error.text()), null);
        }
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new DaemonException(server, 200, null, "daemon answered 200 with something that is not "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static <T> Optional<T> read(String body, Class<T> type) {
        try {
            return Optional.of(JSON.readValue(body, type));
        } catch (IOException e) {
            return Optional.empty();
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

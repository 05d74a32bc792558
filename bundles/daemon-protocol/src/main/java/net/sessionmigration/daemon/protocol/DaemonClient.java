package net.sessionmigration.daemon.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import javax.net.ssl.SSLContext;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityTemplate;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The daemons' API over HTTPS with our certificate (HTTP/1.1), for named daemons:
 * {@code name → https://address:port}. Requests are sent as JSON; a 200's answer is read into
 * the record asked for; anything else is a {@link DaemonException} that names the daemon and
 * says why. Used by the drivers and by the daemons among themselves.
 *
 * <p>Apache HttpClient 5's classic (blocking) client: a call is written and its answer read on
 * the caller's own thread, over a kept-alive connection from a pool, the request's headers and
 * a JSON body in one write. The JDK's HttpClient, before it, handed each call between its
 * selector and executor threads and wrote a request's headers and body apart; inside a migration,
 * on the lab's two busy vCPUs, Karaf's own part of a call (before its request's first packet and
 * after its answer's last) went from 4–7 ms with it to 2–3 ms with this one (BENCHMARKS.md, "Per
 * migration from captures", session 13). No call is retried on its own: a daemon's operations
 * change things.
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

    static {
        // The JDK's reflection generates a method's fast accessor at its 16th call: for the
        // requests and answers of a migration's steps that came inside the second migration's
        // freeze (lab/bench/back-and-forth --class-loads). Written and read that often here, once,
        // before any migration (the journal does the same for its records: Journal.warmUp).
        MigrationRequest request = new MigrationRequest("warm-up", "192.0.2.1", "warm-up", MigrationRequest.MOVE,
                List.of("192.0.2.2"), 1L, 1L, false);
        ProbeRequest probe = new ProbeRequest("192.0.2.1", 1, 1);
        try {
            byte[] answer = JSON.writeValueAsBytes(OperationAnswer.of("warm-up", Map.of("warm-up", "1")));
            byte[] reached = JSON.writeValueAsBytes(ProbeAnswer.connected("192.0.2.1", 1, 1, "192.0.2.2"));
            for (int i = 0; i < 16; i++) {
                JSON.writeValueAsBytes(request);
                JSON.writeValueAsBytes(probe);
                JSON.readValue(answer, OperationAnswer.class);
                JSON.readValue(reached, ProbeAnswer.class);
            }
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Includes the TLS handshake, slow in a cold JVM. */
    private static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(10);
    /**
     * A pooled connection idle longer than this is checked before use (a read of at most 1 ms):
     * a daemon closes a connection idle for 30 s, or restarts. Calls closer together skip it.
     */
    private static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofSeconds(1);
    /** Writes are gathered up to this much: a JSON request is one write; an image, writes of this size. */
    private static final int BUFFER = 64 * 1024;

    private final CloseableHttpClient http;
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

    /** A request body written straight to the connection (an image directory); it goes chunked. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * {@code timeout}: of one call, unless the call names its own: how long the answer may take
     * once the request is sent (the connection's own set-up has 10 s).
     */
    public DaemonClient(SSLContext ssl, Map<String, String> servers, Duration timeout) {
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(ssl)) // the host name is verified
                        .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                                .http1Config(Http1Config.custom().setBufferSize(BUFFER).setChunkSizeHint(BUFFER).build())
                                .build())
                        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(CONNECT_TIMEOUT)
                                .setValidateAfterInactivity(CHECK_AFTER_IDLE).build())
                        .setMaxConnPerRoute(32).setMaxConnTotal(256)
                        .build())
                .disableAutomaticRetries()
                // with our client certificate every connection would carry its principal as state and
                // be leased only to a caller that names it: none does, so each call would open a new one
                .disableConnectionState()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .build();
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
        return send(server, request(new HttpGet(uri(server, path)), callTimeout), answer);
    }

    /** A request as a JSON call sends it, for a body that carries it among other things (a restore's image). */
    public static byte[] json(Object request) throws IOException {
        return JSON.writeValueAsBytes(request);
    }

    /** POST of {@code body} as JSON. */
    public <T> T post(String server, String path, Object body, Class<T> answer) throws DaemonException {
        byte[] json;
        try {
            json = json(body);
        } catch (IOException e) {
            throw new DaemonException(server, "cannot write the request: " + e.getMessage(), e);
        }
        HttpPost post = new HttpPost(uri(server, path));
        post.setEntity(new ByteArrayEntity(json, ContentType.APPLICATION_JSON));
        return send(server, request(post, timeout), answer);
    }

    /** POST of a body written as it goes (the daemons send images as {@code application/octet-stream}). */
    public <T> T post(String server, String path, Body body, String contentType, Class<T> answer,
                      Duration callTimeout) throws DaemonException {
        HttpPost post = new HttpPost(uri(server, path));
        post.setEntity(new EntityTemplate(ContentType.parse(contentType), body::writeTo)); // no length: chunked
        return send(server, request(post, callTimeout), answer);
    }

    private URI uri(String server, String path) throws DaemonException {
        try {
            return URI.create(url(server) + path);
        } catch (IllegalArgumentException e) {
            throw new DaemonException(server, "bad URL: " + e.getMessage(), e);
        }
    }

    private HttpUriRequestBase request(HttpUriRequestBase r, Duration callTimeout) {
        r.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(callTimeout))
                .setConnectionRequestTimeout(Timeout.of(callTimeout)).build());
        if (epoch != NO_EPOCH) {
            r.setHeader(EPOCH_HEADER, Long.toString(epoch));
        }
        return r;
    }

    /** A status and its body, read whole; the connection goes back to the pool. */
    private record Answer(int status, String body) {
    }

    private <T> T send(String server, HttpUriRequestBase req, Class<T> type) throws DaemonException {
        Answer r;
        try {
            r = http.execute(req, response -> new Answer(response.getCode(), response.getEntity() == null ? ""
                    : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                InterruptedException stopped = new InterruptedException("interrupted");
                stopped.initCause(e);
                throw new DaemonException(server, "interrupted", stopped);
            }
            IOException why = timeout(e, req);
            throw new DaemonException(server, "daemon unreachable or not authenticated at " + req.getAuthority()
                    + ": " + describe(why), why);
        }
        String body = r.body().isEmpty() ? "{}" : r.body();
        if (r.status() != 200) {
            ErrorAnswer error = read(body, ErrorAnswer.class).orElse(null);
            throw new DaemonException(server, r.status(), error, "daemon answered " + r.status() + ": "
                    + (error == null ? "(an answer that is not JSON)" : error.text()), null);
        }
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new DaemonException(server, 200, null, "daemon answered 200 with something that is not "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Timeouts as the JDK names them: no connection in time, or no answer in time. */
    private static IOException timeout(IOException e, HttpUriRequestBase req) {
        if (e instanceof ConnectTimeoutException) {
            HttpConnectTimeoutException t = new HttpConnectTimeoutException("no connection within "
                    + CONNECT_TIMEOUT.toSeconds() + " s");
            t.initCause(e);
            return t;
        }
        if (e instanceof SocketTimeoutException) {
            HttpTimeoutException t = new HttpTimeoutException("no answer within "
                    + req.getConfig().getResponseTimeout().toMilliseconds() + " ms");
            t.initCause(e);
            return t;
        }
        return e;
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

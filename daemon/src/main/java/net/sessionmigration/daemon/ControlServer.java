package net.sessionmigration.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.ErrorAnswer;
import net.sessionmigration.daemon.protocol.GatewayRequest;
import net.sessionmigration.daemon.protocol.HealthAnswer;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.ProbeRequest;

/**
 * The control API: HTTPS with mandatory client certificates (TLS 1.3, trust = the lab CA).
 * Routes (all JSON; the bodies and answers are {@code daemon-protocol}'s records):
 * <pre>
 * GET  /v1/health
 * POST /v1/probe                          (any daemon: one TCP connect from its namespace)
 * GET  /v1/workloads/{w}/state?vip=V      GET /v1/workloads/{w}/preflight?vip=V
 * POST /v1/workloads/{w}/start
 * POST /v1/migrations/{id}/{freeze|migrate|move-vip|held|release|rollback} (source)
 * POST /v1/migrations/{id}/restore?workload=W (octet-stream: ImageArchive, the request first) (target)
 *      &amp;lazyPagesFrom=A&amp;lazyPagesPort=P: post-copy, the pages come from the source's lazy dump
 * POST /v1/migrations/{id}/{resume|announce|discard}                      (target)
 * POST /v1/migrations/{id}/page-server?address=A                         (target)
 * POST /v1/migrations/{id}/incoming                                      (target, VMs only)
 * POST /gateway/v1/{vlans|move|preflight}     (gateway role, only when configured)
 * </pre>
 * The changing requests ({@link #changes}) carry the coordinator's epoch ({@code X-SM-Epoch}); one
 * below the highest this daemon has seen is refused with 409 before it is routed ({@link EpochFence}).
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("sm-daemon");

    static {
        // The JDK server writes an answer's headers and body as two TLS records; with Nagle's
        // algorithm the second waits for the client's delayed ACK, ~40 ms a call (measured: a
        // POST's median 48 ms without, 5 ms with). Read once, when the JVM's first HttpServer is
        // made, so it is set here, before ours; -Dsun.net.httpserver.nodelay=false still wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    static final int MAX_JSON_BODY = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    private final HttpsServer server;
    private final ExecutorService pool;
    private final MigrationService service;
    private final GatewayService gateway;
    private final VmBackend vms;
    private final EpochFence fence;
    private final ProbeService probes = new ProbeService();

    public ControlServer(InetSocketAddress address, SSLContext ssl, MigrationService service) throws IOException {
        this(address, ssl, service, null);
    }

    /** With the gateway role when {@code gateway} is not null. */
    public ControlServer(InetSocketAddress address, SSLContext ssl, MigrationService service, GatewayService gateway)
            throws IOException {
        this(address, ssl, service, gateway, null);
    }

    /** Workloads that {@code vms} handles (VMs) go to it; the others to the CRIU backend. The highest epoch in memory only. */
    public ControlServer(InetSocketAddress address, SSLContext ssl, MigrationService service, GatewayService gateway,
                         VmBackend vms) throws IOException {
        this(address, ssl, service, gateway, vms, EpochFence.inMemory());
    }

    /** With the epochs kept by {@code fence}. */
    ControlServer(InetSocketAddress address, SSLContext ssl, MigrationService service, GatewayService gateway,
                  VmBackend vms, EpochFence fence) throws IOException {
        this.service = service;
        this.gateway = gateway;
        this.vms = vms;
        this.fence = fence;
        server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ssl.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                p.setProtocols(new String[] {"TLSv1.3"});
                params.setSSLParameters(p);
            }
        });
        pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "sm-daemon-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/v1/", ex -> handle(ex, this::route));
        if (gateway != null) {
            server.createContext("/gateway/", ex -> handle(ex, this::routeGateway));
        }
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    /** A changing request's epoch (0 without the header; 0 for the others) goes on with the calls it makes to peers. */
    @FunctionalInterface
    private interface Router {
        Object route(HttpExchange ex, long epoch) throws Exception;
    }

    private void handle(HttpExchange ex, Router router) throws IOException {
        int status = 200;
        Object body;
        try {
            long epoch = 0;
            String path = ex.getRequestURI().getRawPath();
            if (changes(ex.getRequestMethod(), path)) {
                epoch = EpochFence.parse(ex.getRequestHeaders().get(DaemonClient.EPOCH_HEADER));
                fence.admit(epoch, "POST " + (path.length() > 200 ? path.substring(0, 200) + "…" : path));
            }
            body = router.route(ex, epoch);
        } catch (EpochFence.Fenced e) {
            status = 409;
            body = e.answer();
        } catch (GatewayFailure e) {
            status = 409;
            body = e.body();
        } catch (MigrationService.SessionsWedged e) {
            status = 409;
            body = ErrorAnswer.of(e.getMessage());
        } catch (RequestNames.BadRequest e) {
            status = 400;
            body = ErrorAnswer.of(e.getMessage());
        } catch (TooLarge e) {
            status = 413;
            body = ErrorAnswer.of("request body too large");
        } catch (JsonProcessingException e) {
            status = 400;
            body = ErrorAnswer.of("malformed request: " + e.getOriginalMessage());
        } catch (NotFound e) {
            status = 404;
            body = ErrorAnswer.of("no such endpoint");
        } catch (Exception e) {
            status = 500;
            LOG.log(Level.WARNING, ex.getRequestURI().getPath() + " failed: " + e.getMessage());
            body = ErrorAnswer.of(String.valueOf(e.getMessage()));
        }
        byte[] out = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (!drained(ex.getRequestBody())) {
            ex.getResponseHeaders().set("Connection", "close");
        }
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    /**
     * The requests that change something here, which the epoch fences: every migration operation
     * (the commit checks too: steps of a migration), a workload's start, a gateway move. Reads
     * (GET, the probe, a gateway's vlans and preflight) are never refused.
     */
    static boolean changes(String method, String rawPath) {
        if (!method.equals("POST")) {
            return false;
        }
        String[] p = rawPath.split("/", -1); // "", "v1", ...
        boolean migration = p.length == 5 && p[1].equals("v1") && p[2].equals("migrations");
        boolean start = p.length == 5 && p[1].equals("v1") && p[2].equals("workloads") && p[4].equals("start");
        return migration || start || rawPath.equals("/gateway/v1/move");
    }

    private Object route(HttpExchange ex, long epoch) throws Exception {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        String[] p = path.split("/", -1); // "", "v1", ...
        if (p.length == 3 && p[2].equals("health") && method.equals("GET")) {
            return new HealthAnswer(true, service != null ? service.config().name() : gateway.name(), fence.highest(),
                    fence.refusals());
        }
        if (p.length == 3 && p[2].equals("probe") && method.equals("POST")) {
            return probes.probe(JSON.readValue(readLimited(ex.getRequestBody()), ProbeRequest.class));
        }
        if (service == null) {
            throw new NotFound();
        }
        if (p.length == 5 && p[2].equals("workloads")) {
            String w = RequestNames.require("workload", decode(p[3]));
            String vip = query.get("vip");
            if (vip != null) {
                RequestNames.requireIpv4("vip", vip);
            }
            if (vms != null && vms.handles(w)) {
                switch (method + " " + p[4]) {
                    case "GET state":
                        return vms.state(w);
                    case "GET preflight":
                        return vms.preflight(w);
                    case "POST start":
                        return vms.start(w);
                    default:
                        throw new NotFound();
                }
            }
            switch (method + " " + p[4]) {
                case "GET state":
                    return service.state(w, vip);
                case "GET preflight":
                    return service.preflight(w, vip);
                case "POST start":
                    return service.start(w);
                default:
                    throw new NotFound();
            }
        }
        if (p.length == 5 && p[2].equals("migrations") && method.equals("POST")) {
            String id = RequestNames.require("migration id", decode(p[3]));
            String op = p[4];
            if (op.equals("restore")) {
                // the image with the restore's request first (ImageArchive). The body is not closed
                // here: the answer reads it to its end (drained), and a body closed before that made
                // the answer say "Connection: close", so the next call paid a new TLS handshake
                String w = RequestNames.require("workload", query.get("workload"));
                byte[] request = service.receiveImage(id, w, ex.getRequestBody());
                MigrationRequest r = Requests.check(JSON.readValue(request, MigrationRequest.class));
                if (!r.workload().equals(w)) {
                    throw new RequestNames.BadRequest("the restore's request names workload " + r.workload()
                            + ", its URL " + w);
                }
                return service.restore(id, r, lazyPagesFrom(query));
            }
            MigrationRequest r = Requests.check(JSON.readValue(readLimited(ex.getRequestBody()), MigrationRequest.class));
            if (vms != null && vms.handles(r.workload())) {
                return vms.operation(op, id, r, epoch);
            }
            switch (op) {
                case "freeze": return service.freeze(id, r, epoch);
                case "migrate": return service.migrate(id, r, epoch);
                case "move-vip": return service.moveVip(id, r);
                case "release": return service.release(id, r);
                case "rollback": return service.rollbackSource(id, r);
                case "resume": return service.resume(id, r);
                case "announce": return service.announce(id, r);
                case "discard": return service.discard(id, r);
                case "held": return service.held(id, r);
                case "page-server": return service.pageServer(id, r, RequestNames.requireIpv4("address", query.get("address")));
                default: throw new NotFound();
            }
        }
        throw new NotFound();
    }

    private Object routeGateway(HttpExchange ex, long epoch) throws Exception {
        String[] p = ex.getRequestURI().getRawPath().split("/", -1); // "", "gateway", "v1", op
        if (p.length != 4 || !p[2].equals("v1") || !ex.getRequestMethod().equals("POST")) {
            throw new NotFound();
        }
        switch (p[3]) {
            case "vlans":
            case "move":
            case "preflight":
                break;
            default:
                throw new NotFound();
        }
        GatewayRequest r = JSON.readValue(readLimited(ex.getRequestBody()), GatewayRequest.class);
        switch (p[3]) {
            case "vlans": return gateway.vlans(r);
            case "move": return gateway.move(r);
            default: return gateway.preflight(r);
        }
    }

    /**
     * Reads what the handler left of the request body (an error answered before the body was read),
     * up to the body limit, so the connection can carry the client's next request. Left unread,
     * the JDK server kept such a connection open without reading from it: a client that reused it
     * waited ~35 s for its next answer (its idle timeout) and then failed. False when more is left
     * (the connection is then closed after this answer).
     */
    static boolean drained(InputStream body) {
        byte[] buf = new byte[8192];
        long left = MAX_JSON_BODY;
        try {
            for (int n; left > 0 && (n = body.read(buf, 0, (int) Math.min(buf.length, left))) >= 0; ) {
                left -= n;
            }
            return left > 0 || body.read() < 0;
        } catch (IOException e) {
            return false;
        }
    }

    static byte[] readLimited(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_JSON_BODY + 1);
        if (b.length > MAX_JSON_BODY) {
            throw new TooLarge();
        }
        return b;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RequestNames.BadRequest("bad escape in path");
        }
    }

    /** Post-copy's restore: {@code lazyPagesFrom=IPv4&lazyPagesPort=N}, where the source serves the pages. */
    static InetSocketAddress lazyPagesFrom(Map<String, String> query) {
        if (query.get("lazyPagesFrom") == null) {
            return null;
        }
        Inet4Address from = RequestNames.requireIpv4("lazyPagesFrom", query.get("lazyPagesFrom"));
        String port = query.getOrDefault("lazyPagesPort", "");
        if (!port.matches("[1-9][0-9]{0,4}") || Integer.parseInt(port) > 65535) {
            throw new RequestNames.BadRequest("lazyPagesPort must be 1..65535");
        }
        return new InetSocketAddress(from, Integer.parseInt(port));
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        if (raw.length() > 1024) {
            throw new RequestNames.BadRequest("query too long");
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            if (i > 0) {
                m.put(decode(kv.substring(0, i)), decode(kv.substring(i + 1)));
            }
        }
        return m;
    }

    static final class TooLarge extends IOException {
        TooLarge() {
            super("too large");
        }
    }

    static final class NotFound extends Exception {
        NotFound() {
            super("not found");
        }
    }
}

package net.sessionmigration.vlan.netlink;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.ErrorAnswer;
import net.sessionmigration.daemon.protocol.GatewayRequest;

/**
 * The gateway role of one migration daemon, through {@code daemon-protocol}'s mutual-TLS client
 * with this driver's client certificate. Every failure becomes a {@link GatewayException} that
 * says which kind it is.
 */
public final class GatewayClient {
    private final String name;
    private final URI base;
    private final DaemonClient daemon;
    private final Duration timeout;

    /** What went wrong talking to a gateway, in an operator's words. */
    public static final class GatewayException extends Exception {
        /** unreachable, timeout, tls, refused (400), no-gateway-role (404), or the daemon's kind (409; fenced: a lower epoch). */
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
        String root = base.resolve("/").toString(); // the calls' paths are absolute
        this.daemon = new DaemonClient(ssl, Map.of(name, root.substring(0, root.length() - 1)), timeout);
    }

    public String name() {
        return name;
    }

    public URI url() {
        return base;
    }

    /** POST {@code /gateway/v1/OP} of a read (vlans, preflight); the answer of a 200, else a GatewayException. */
    public <T> T post(String op, GatewayRequest body, Class<T> answer) throws GatewayException {
        return post(daemon, op, body, answer);
    }

    /**
     * POST {@code /gateway/v1/OP} of a change (move) by a coordinator at {@code epoch}: a daemon
     * that has seen a higher one refuses it, kind {@code fenced}.
     */
    public <T> T post(String op, GatewayRequest body, Class<T> answer, long epoch) throws GatewayException {
        return post(daemon.withEpoch(epoch), op, body, answer);
    }

    private <T> T post(DaemonClient client, String op, GatewayRequest body, Class<T> answer) throws GatewayException {
        try {
            return client.post(name, "/gateway/v1/" + op, body, answer);
        } catch (DaemonClient.DaemonException e) {
            throw failure(e);
        }
    }

    private GatewayException failure(DaemonClient.DaemonException e) {
        if (e.status() == 0) {
            if (e.getCause() instanceof InterruptedException) {
                return new GatewayException("interrupted", null, "interrupted", e);
            }
            if (e.getCause() instanceof IOException io) {
                return transportFailure(io);
            }
            return new GatewayException("refused", null, "cannot build the request: " + e.getMessage(), e);
        }
        if (e.status() == 404) {
            // the JDK server answers a path without a context with its own HTML 404
            return new GatewayException("no-gateway-role", null, "the daemon at " + base + " has no gateway role"
                    + " (404: add a \"gateway\" section to its config)", null);
        }
        if (e.answer().isEmpty()) {
            return new GatewayException("refused", null, "answered " + e.status() + " with something other than JSON"
                    + " (is " + base + " a migration daemon?)", e);
        }
        ErrorAnswer n = e.answer().get();
        return switch (e.status()) {
            case 409 -> new GatewayException(n.kind() == null ? "failed" : n.kind(), n.port(),
                    n.error() == null ? "failed" : n.error(), null);
            case 400 -> new GatewayException("refused", null, "the gateway refused the request (400): " + n.text(), null);
            default -> new GatewayException("daemon-error", null, "the gateway daemon answered " + e.status()
                    + ": " + n.text(), null);
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
        if (m.contains("Connection reset") || m.contains("closed") || m.contains("Broken pipe")
                || m.contains("failed to respond")) {
            // TLS 1.3: a server that refuses our certificate may just close after the handshake
            return new GatewayException("tls", null, "TLS refused with " + base + ": the daemon closed the connection"
                    + " (" + m + "; is this driver's client certificate signed by the CA the daemon trusts?)", e);
        }
        return new GatewayException("unreachable", null, "gateway daemon unreachable at " + base + ": " + e, e);
    }
}

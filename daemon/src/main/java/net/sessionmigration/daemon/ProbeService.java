package net.sessionmigration.daemon;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.logging.Logger;

import net.sessionmigration.daemon.protocol.ProbeAnswer;
import net.sessionmigration.daemon.protocol.ProbeRequest;

/**
 * The probe role: one TCP connect from this daemon's network namespace, for the coordinator's
 * probe-verified commit. A handshake that completes is the answer; nothing is sent, and the
 * socket is closed with SO_LINGER 0 (a reset, no TIME_WAIT) so the probed service sees at most
 * an accept and an immediate end. Any daemon answers it; in the lab a daemon on a user access
 * port does, so the connect travels the users' VLAN.
 */
public final class ProbeService {
    private static final Logger LOG = Logger.getLogger("sm-daemon");

    /** Why a probe failed, in the words the API answers. */
    enum Reason { REFUSED, TIMED_OUT, NO_ROUTE, NETWORK_UNREACHABLE, OTHER }

    public ProbeAnswer probe(ProbeRequest request) {
        Inet4Address address = Requests.probeAddress(request);
        int port = Requests.probePort(request);
        int timeoutMs = Requests.probeTimeoutMs(request);
        String target = address.getHostAddress() + ":" + port;
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0);
            s.connect(new InetSocketAddress(address, port), timeoutMs);
            long micros = (System.nanoTime() - start) / 1000;
            String local = s.getLocalAddress().getHostAddress();
            LOG.info("probe " + target + " connected in " + micros + " us from " + local);
            return ProbeAnswer.connected(address.getHostAddress(), port, micros, local);
        } catch (IOException e) {
            long micros = (System.nanoTime() - start) / 1000;
            Reason reason = reason(e);
            String error = describe(reason, target, timeoutMs, e);
            LOG.info("probe " + error);
            return ProbeAnswer.failed(address.getHostAddress(), port,
                    reason.name().toLowerCase(Locale.ROOT).replace('_', '-'), error, micros);
        }
    }

    /**
     * Once at start, on every daemon: one probe of this daemon's own control port, so the first
     * real probe (at S708, inside the users' freeze) does not load and compile the socket code
     * (measured cold on the lab: 41 ms against 8 warm).
     */
    public void warmUp(String listenAddress, int port) {
        String self = listenAddress == null || listenAddress.isBlank() || listenAddress.equals("0.0.0.0")
                ? "127.0.0.1" : listenAddress;
        long t0 = System.nanoTime();
        ProbeAnswer a = probe(new ProbeRequest(self, port, 1000));
        LOG.info("warm-up: probe path in " + (System.nanoTime() - t0) / 1_000_000 + " ms ("
                + (a.reachable() ? "connected to" : "could not connect to") + " " + self + ":" + port + ")");
    }

    static Reason reason(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (e instanceof SocketTimeoutException) {
            return Reason.TIMED_OUT;
        }
        if (e instanceof NoRouteToHostException || m.contains("no route to host")) {
            return Reason.NO_ROUTE;
        }
        if (m.contains("network is unreachable")) {
            return Reason.NETWORK_UNREACHABLE;
        }
        if (e instanceof ConnectException && m.contains("refused")) {
            return Reason.REFUSED;
        }
        return Reason.OTHER;
    }

    private static String describe(Reason reason, String target, int timeoutMs, IOException e) {
        return switch (reason) {
            case REFUSED -> "connect to " + target + " refused (nothing listens there, or a reset on the way)";
            case TIMED_OUT -> "connect to " + target + " timed out after " + timeoutMs + " ms (no answer)";
            case NO_ROUTE -> "connect to " + target + ": no route to host (no ARP answer or an ICMP unreachable)";
            case NETWORK_UNREACHABLE -> "connect to " + target + ": network is unreachable from the probe host";
            case OTHER -> "connect to " + target + " failed: " + e.getMessage();
        };
    }
}

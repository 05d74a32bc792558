package net.sessionmigration.daemondriver;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.HealthAnswer;
import net.sessionmigration.daemon.protocol.ProbeAnswer;
import net.sessionmigration.daemon.protocol.ProbeRequest;

/**
 * The user-side probe through a migration daemon on the probe host ({@code POST /v1/probe}):
 * the daemon connects to v:port from its own namespace, on a user access port. The probe host
 * is a named daemon in the same {@code servers} list as the servers. Plain Java.
 */
public final class DaemonProbe implements ReachabilityProbe {
    public static final String DRIVER_TYPE = "daemon-probe";

    private final DaemonClient daemons;

    public DaemonProbe(DaemonClient daemons) {
        this.daemons = daemons;
    }

    static ProbeRequest body(ProbeTask task) {
        return new ProbeRequest(task.address().address(), task.port(),
                (int) Math.min(Integer.MAX_VALUE, task.timeout().toMillis()));
    }

    /**
     * One real probe by the probe host, of its own API port (the address and port of its URL), so
     * that the commit's probe finds the path warm (the request, the daemon's handler, the connect,
     * the answer: measured cold on the lab at 33 ms against 8 warm), and its round trip is the
     * honest estimate of one. The service itself is not touched. A probe host named by a host
     * name gets a health call instead.
     */
    @Override
    public Result<Preflight> preflight(ProbeTask task) {
        String host = task.probeHost();
        if (!daemons.knows(host)) {
            return Result.ok(new Preflight(List.of(new Problem(host, notConfigured(host))), List.of(), Duration.ZERO));
        }
        try {
            long start = System.nanoTime();
            Optional<ProbeRequest> self = ownApiPort(daemons.url(host));
            String what;
            if (self.isPresent()) {
                ProbeAnswer n = daemons.post(host, "/v1/probe", self.get(), ProbeAnswer.class);
                what = "a probe of its own API port (" + (n.reachable() ? "connected" : "not connected") + ")";
            } else {
                daemons.get(host, "/v1/health", HealthAnswer.class);
                what = "its health";
            }
            Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);
            return Result.ok(Preflight.go(roundTrip, "probe host " + host + " answers " + what + " in "
                    + roundTrip.toMillis() + " ms; a probe that gets no answer waits up to "
                    + task.timeout().toMillis() + " ms"));
        } catch (DaemonClient.DaemonException e) {
            return Result.ok(new Preflight(List.of(new Problem(host, e.getMessage())), List.of(), Duration.ZERO));
        }
    }

    /** The probe of a daemon's own API port, from its URL; empty when the URL names no IPv4 address. */
    static Optional<ProbeRequest> ownApiPort(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String address = u.getHost();
        if (address == null || !isIpv4(address)) {
            return Optional.empty();
        }
        return Optional.of(new ProbeRequest(address, u.getPort() > 0 ? u.getPort() : 443, 1000));
    }

    /** The project's rule for an address literal ({@link VirtualIp}), IPv4 only: the daemon takes no other. */
    private static boolean isIpv4(String address) {
        try {
            return new VirtualIp(address).isIpv4();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public Result<OpReport> probe(ProbeTask task, DriverContext context) {
        String host = task.probeHost();
        if (!daemons.knows(host)) {
            return Result.failed(host, notConfigured(host));
        }
        try {
            return answer(host, daemons.post(host, "/v1/probe", body(task), ProbeAnswer.class));
        } catch (DaemonClient.DaemonException e) {
            return Result.failed(host, "probe host unreachable: " + e.getMessage());
        }
    }

    /** The daemon's answer as a result: the connect time, or its reason in words. */
    static Result<OpReport> answer(String host, ProbeAnswer n) {
        if (n.reachable()) {
            long micros = n.connectMicros() == null ? 0 : n.connectMicros();
            return Result.ok(new OpReport("connected from " + (n.from() == null ? "?" : n.from()) + " in " + micros + " us",
                    Map.of("connect_us", Long.toString(micros))));
        }
        String error = n.error() == null ? "" : n.error();
        return Result.failed(host, (error.isEmpty() ? "probe failed" : error)
                + (n.reason() != null ? " [" + n.reason() + "]" : ""));
    }

    private static String notConfigured(String host) {
        return "no daemon URL configured for probe host " + host + " (add " + host
                + "=https://ADDRESS:PORT to the servers of the daemon driver)";
    }
}

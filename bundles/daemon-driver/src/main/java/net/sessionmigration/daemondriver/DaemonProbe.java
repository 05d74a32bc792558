package net.sessionmigration.daemondriver;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
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

    @Override
    public Result<Preflight> preflight(ProbeTask task) {
        String host = task.probeHost();
        if (!daemons.knows(host)) {
            return Result.ok(new Preflight(List.of(new Problem(host, notConfigured(host))), List.of(), Duration.ZERO));
        }
        try {
            long start = System.nanoTime();
            daemons.get(host, "/v1/health", HealthAnswer.class);
            // a probe is one more call like this one plus a connect: its round trip is the honest estimate
            Duration roundTrip = Duration.ofNanos(System.nanoTime() - start);
            return Result.ok(Preflight.go(roundTrip, "probe host " + host + " answers in "
                    + roundTrip.toMillis() + " ms; a probe that gets no answer waits up to "
                    + task.timeout().toMillis() + " ms"));
        } catch (DaemonClient.DaemonException e) {
            return Result.ok(new Preflight(List.of(new Problem(host, e.getMessage())), List.of(), Duration.ZERO));
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

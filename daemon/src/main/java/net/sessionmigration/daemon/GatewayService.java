package net.sessionmigration.daemon;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.logging.Logger;

import net.sessionmigration.daemon.protocol.GatewayMoveAnswer;
import net.sessionmigration.daemon.protocol.GatewayPreflightAnswer;
import net.sessionmigration.daemon.protocol.GatewayRequest;
import net.sessionmigration.daemon.protocol.GatewayVlansAnswer;

/**
 * The gateway role: reads the VLAN of access ports, moves a batch of ports (all or nothing:
 * checked first, moved one netlink request each, verified by reading back, and on a partial
 * failure the moved ones are put back), and preflight. Batches are serialised.
 */
public final class GatewayService {
    private static final Logger LOG = Logger.getLogger("sm-daemon");
    private final String name;
    private final GatewayKernel kernel;

    GatewayService(String name, GatewayKernel kernel) {
        this.name = name;
        this.kernel = kernel;
    }

    /** The gateway role of {@code config} on this namespace's rtnetlink. */
    public static GatewayService open(DaemonConfig config) throws IOException {
        var rt = net.sessionmigration.netlink.RtNetlink.open();
        GatewayConfig g = config.gateway();
        GatewayKernel k = g.mode().equals(GatewayConfig.VLAN_FILTERING) ? new VlanFilteringKernel(rt, g)
                : new BridgePerVlanKernel(rt, g);
        return new GatewayService(config.name(), k);
    }

    public String name() {
        return name;
    }

    public String mode() {
        return kernel.mode();
    }

    public synchronized GatewayVlansAnswer vlans(GatewayRequest r) throws IOException, GatewayFailure {
        List<String> ports = Requests.ports(r);
        GatewayKernel.Snapshot s = kernel.snapshot();
        Map<String, Integer> vlans = new LinkedHashMap<>();
        for (String p : ports) {
            vlans.put(p, vlanOf(s, p));
        }
        return new GatewayVlansAnswer(true, name, vlans);
    }

    private static int vlanOf(GatewayKernel.Snapshot s, String port) throws GatewayFailure {
        if (!s.hasPort(port)) {
            throw new GatewayFailure("port-unknown", port, "port " + port + " does not exist on the gateway");
        }
        OptionalInt v = s.vlan(port);
        if (v.isEmpty()) {
            throw new GatewayFailure("not-in-vlan", port, "port " + port + " is in no VLAN (not a port of a VLAN bridge)");
        }
        return v.getAsInt();
    }

    public synchronized GatewayMoveAnswer move(GatewayRequest r) throws IOException, GatewayFailure {
        List<GatewayRequest.Move> moves = Requests.moves(r);
        long t0 = System.nanoTime();
        GatewayKernel.Snapshot s = kernel.snapshot();
        for (GatewayRequest.Move m : moves) {
            int now = vlanOf(s, m.port());
            if (now != m.from()) {
                // read again just before the move: the plan owns only ports on their fromVlan
                throw new GatewayFailure("wrong-vlan", m.port(), "port " + m.port() + " is on VLAN " + now
                        + ", the plan expects VLAN " + m.from() + "; nothing was moved");
            }
            if (!s.hasVlan(m.to())) {
                throw new GatewayFailure("vlan-missing", m.port(), "VLAN " + m.to() + " does not exist on the gateway ("
                        + s.vlanHome(m.to()) + " is missing); nothing was moved");
            }
        }
        long t1 = System.nanoTime();
        List<GatewayRequest.Move> done = new ArrayList<>();
        GatewayRequest.Move failed = null;
        String cause = null;
        for (GatewayRequest.Move m : moves) {
            try {
                kernel.move(s, m.port(), m.from(), m.to());
                done.add(m);
            } catch (IOException e) {
                failed = m;
                cause = e.getMessage();
                break;
            }
        }
        long t2 = System.nanoTime();
        GatewayKernel.Snapshot after = kernel.snapshot();
        long t3 = System.nanoTime();
        String kind = "kernel";
        if (failed == null) {
            for (GatewayRequest.Move m : moves) {
                OptionalInt v = after.vlan(m.port());
                if (v.isEmpty() || v.getAsInt() != m.to()) {
                    failed = m;
                    kind = "verify";
                    cause = "port " + m.port() + ": read back " + (v.isEmpty() ? "no VLAN" : "VLAN " + v.getAsInt())
                            + " after the move, expected VLAN " + m.to();
                    break;
                }
            }
        } else {
            cause = "port " + failed.port() + " (VLAN " + failed.from() + " → " + failed.to() + "): " + cause;
        }
        Map<String, Long> measurements = new LinkedHashMap<>();
        measurements.put("lookup_us", (t1 - t0) / 1000);
        measurements.put("kernel_us", (t2 - t1) / 1000);
        measurements.put("verify_us", (t3 - t2) / 1000);
        if (failed == null) {
            LOG.info("gateway " + name + ": moved " + moves.size() + " port(s) in " + (t2 - t1) / 1000 + " µs, verified");
            return new GatewayMoveAnswer(true, name, moves.stream().map(GatewayRequest.Move::port).toList(), measurements);
        }
        LOG.warning("gateway " + name + ": move failed: " + cause);
        if (!r.wantsPutBack()) {
            throw new GatewayFailure(kind, failed.port(), cause);
        }
        // all or nothing: every port not on its from VLAN goes back (reverse order)
        List<String> putBack = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        List<GatewayRequest.Move> back = new ArrayList<>();
        for (GatewayRequest.Move m : moves) {
            OptionalInt v = after.vlan(m.port());
            if (v.isEmpty() || v.getAsInt() != m.from()) {
                back.add(0, m);
            }
        }
        for (GatewayRequest.Move m : back) {
            try {
                kernel.move(s, m.port(), m.to(), m.from());
            } catch (IOException e) {
                stuck.add(m.port() + " (" + e.getMessage() + ")");
            }
        }
        GatewayKernel.Snapshot end = kernel.snapshot();
        for (GatewayRequest.Move m : back) {
            OptionalInt v = end.vlan(m.port());
            if (v.isPresent() && v.getAsInt() == m.from()) {
                putBack.add(m.port());
            } else if (stuck.stream().noneMatch(x -> x.startsWith(m.port() + " "))) {
                stuck.add(m.port() + " (on " + (v.isEmpty() ? "no VLAN" : "VLAN " + v.getAsInt()) + ")");
            }
        }
        String text = cause + "; put back " + putBack.size() + " port(s) already moved " + putBack
                + (stuck.isEmpty() ? "" : "; COULD NOT PUT BACK " + stuck);
        throw new GatewayFailure(kind, failed.port(), text, putBack, stuck);
    }

    public synchronized GatewayPreflightAnswer preflight(GatewayRequest r) throws IOException {
        List<GatewayRequest.Move> moves = Requests.moves(r);
        long t0 = System.nanoTime();
        GatewayKernel.Snapshot s = kernel.snapshot();
        long lookup = (System.nanoTime() - t0) / 1000;
        List<GatewayPreflightAnswer.Problem> problems = new ArrayList<>();
        for (GatewayRequest.Move m : moves) {
            try {
                int v = vlanOf(s, m.port());
                if (v != m.from()) {
                    problems.add(new GatewayPreflightAnswer.Problem(m.port(), "wrong-vlan", "port " + m.port()
                            + " is on VLAN " + v + ", the plan expects VLAN " + m.from()));
                }
            } catch (GatewayFailure f) {
                problems.add(new GatewayPreflightAnswer.Problem(m.port(), f.kind(), f.getMessage()));
            }
            if (!s.hasVlan(m.to())) {
                problems.add(new GatewayPreflightAnswer.Problem(m.port(), "vlan-missing", "VLAN " + m.to()
                        + " does not exist on the gateway (" + s.vlanHome(m.to()) + " is missing)"));
            }
        }
        return new GatewayPreflightAnswer(true, name, kernel.mode(), problems, lookup);
    }
}

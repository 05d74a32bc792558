package net.sessionmigration.coordinator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/** An access-port switcher that keeps each port's VLAN in a map and logs calls into a shared list. */
final class FakeSwitcher implements AccessPortSwitcher {
    final String type;
    final List<String> log;
    final Map<AccessPort, VlanId> vlans = new ConcurrentHashMap<>();
    final Set<String> failOn = ConcurrentHashMap.newKeySet();
    final Map<String, Gate> gates = new ConcurrentHashMap<>();
    volatile Duration expected = Duration.ofMillis(20);

    FakeSwitcher(String type, List<String> log) {
        this.type = type;
        this.log = log;
    }

    Gate hold(String op) {
        Gate g = new Gate();
        gates.put(op, g);
        return g;
    }

    private static String users(List<PortMove> moves) {
        return moves.stream().map(PortMove::user).collect(Collectors.joining(","));
    }

    private boolean enter(String op, List<PortMove> moves) {
        log.add(type + ":" + op + ":" + users(moves));
        Gate g = gates.get(op);
        if (g != null) {
            g.pass();
        }
        return !failOn.contains(op);
    }

    @Override
    public Result<Preflight> preflight(List<PortMove> moves) {
        if (!enter("preflight", moves)) {
            return Result.ok(new Preflight(List.of(new Problem(type + "-device", "port 9 is on VLAN 7")),
                    List.of(), expected));
        }
        return Result.ok(Preflight.go(expected, moves.size() + " port(s) ready"));
    }

    @Override
    public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
        log.add(type + ":read-vlans");
        return Result.ok(ports.stream().filter(vlans::containsKey).collect(Collectors.toMap(p -> p, vlans::get)));
    }

    /**
     * A failing move stops at its last port and leaves the ports before it moved, as a real driver
     * does: it puts nothing back; the coordinator's rollback calls restore, which does.
     */
    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        if (!enter("move", moves)) {
            PortMove last = moves.get(moves.size() - 1);
            moves.subList(0, moves.size() - 1).forEach(m -> vlans.put(m.port(), m.to()));
            return Result.failed(last.port().device(), "SNMP SET on port " + last.port().port() + " refused; "
                    + (moves.size() - 1) + " port(s) moved before the failure");
        }
        moves.forEach(m -> vlans.put(m.port(), m.to()));
        return Result.ok(OpReport.of(moves.size() + " moved"));
    }

    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        if (!enter("restore", moves)) {
            return Result.failed(moves.get(0).port().device(), "restore refused");
        }
        moves.forEach(m -> vlans.put(m.port(), m.from()));
        return Result.ok(OpReport.of(moves.size() + " restored"));
    }
}

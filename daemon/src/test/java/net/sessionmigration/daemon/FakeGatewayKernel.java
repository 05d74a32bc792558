package net.sessionmigration.daemon;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory gateway: ports with a VLAN, existing VLANs, ports whose move fails. */
final class FakeGatewayKernel implements GatewayKernel {
    final Map<String, Integer> vlans = new HashMap<>();
    final Set<Integer> existing = new HashSet<>(Set.of(1, 2));
    final Set<String> failing = new HashSet<>();
    /** Ports whose move "succeeds" but leaves the port where it was (for verify). */
    final Set<String> silentlyIgnored = new HashSet<>();
    final List<String> log = new CopyOnWriteArrayList<>();

    FakeGatewayKernel(String... ports) {
        for (String p : ports) {
            vlans.put(p, 1);
        }
    }

    @Override
    public Snapshot snapshot() {
        Map<String, Integer> copy = new HashMap<>(vlans);
        Set<Integer> ex = Set.copyOf(existing);
        return new Snapshot() {
            @Override
            public boolean hasPort(String port) {
                return copy.containsKey(port);
            }

            @Override
            public OptionalInt vlan(String port) {
                Integer v = copy.get(port);
                return v == null || v == 0 ? OptionalInt.empty() : OptionalInt.of(v);
            }

            @Override
            public boolean hasVlan(int vlan) {
                return ex.contains(vlan);
            }

            @Override
            public String vlanHome(int vlan) {
                return "bridge br-v" + vlan;
            }
        };
    }

    @Override
    public void move(Snapshot snapshot, String port, int from, int to) throws IOException {
        log.add(port + ":" + from + "->" + to);
        if (failing.contains(port)) {
            throw new IOException("set master of " + port + " to br-v" + to + ": Operation not permitted (EPERM)");
        }
        if (!silentlyIgnored.contains(port)) {
            vlans.put(port, to);
        }
    }

    @Override
    public String mode() {
        return "fake";
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import javax.net.ssl.SSLContext;

/**
 * The real daemon ControlServer with its gateway role over an in-memory kernel, for the
 * driver's unit tests (same package as the daemon to reach its package-private parts).
 */
public final class GatewayTestServer implements AutoCloseable {
    public final Map<String, Integer> vlans = new HashMap<>();
    public final Set<Integer> existing = new HashSet<>(Set.of(1, 2));
    public final Set<String> failing = new HashSet<>();
    private final ControlServer server;

    public GatewayTestServer(String name, SSLContext ssl, boolean gatewayRole, String... ports) throws IOException {
        for (String p : ports) {
            vlans.put(p, 1);
        }
        GatewayKernel kernel = new GatewayKernel() {
            @Override
            public Snapshot snapshot() {
                Map<String, Integer> copy;
                Set<Integer> ex;
                synchronized (vlans) {
                    copy = new HashMap<>(vlans);
                    ex = Set.copyOf(existing);
                }
                return new Snapshot() {
                    @Override
                    public boolean hasPort(String port) {
                        return copy.containsKey(port);
                    }

                    @Override
                    public OptionalInt vlan(String port) {
                        Integer v = copy.get(port);
                        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
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
            public void move(Snapshot s, String port, int from, int to) throws IOException {
                if (failing.contains(port)) {
                    throw new IOException("set master of " + port + " to br-v" + to + ": Operation not permitted (EPERM)");
                }
                synchronized (vlans) {
                    vlans.put(port, to);
                }
            }

            @Override
            public String mode() {
                return "bridge-per-vlan (br-v{vlan}) [in memory]";
            }
        };
        MigrationService none = null;
        if (!gatewayRole) {
            DaemonConfig config = new DaemonConfig(name, "127.0.0.1", 1, new DaemonConfig.Tls("u", "u", "u", "u"), Map.of(),
                    "/nonexistent/criu", "/nonexistent/img", 1024, Map.of());
            none = new MigrationService(config, new Criu("/nonexistent/criu"), new VirtualIpControl(), new PeerClient(ssl, Map.of()));
        }
        server = new ControlServer(new InetSocketAddress("127.0.0.1", 0), ssl, none,
                gatewayRole ? new GatewayService(name, kernel) : null);
        server.start();
    }

    public String url() {
        return "https://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}

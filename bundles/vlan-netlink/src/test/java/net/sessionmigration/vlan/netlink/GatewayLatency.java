package net.sessionmigration.vlan.netlink;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * Single-port latency on the lab gateway, in the same run: (a) the driver's move (one mTLS
 * request to the gateway daemon: lookup, one RTM_NEWLINK, verify), (b) {@code ip -n sm-gw link
 * set p1 master br-v2} (a process, one netlink request, no verify). Alternating, warm-up first,
 * gu1's port put back to br-v1 at the end. Not run by mvn verify:
 * <pre>
 * cd bundles/vlan-netlink && mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) net.sessionmigration.vlan.netlink.GatewayLatency [RUNS]
 * </pre>
 */
public final class GatewayLatency {
    private GatewayLatency() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        LabGateway lab = LabGateway.open();
        String port = lab.user("gu1").get("interface");
        try (NetlinkGatewaySwitcher sw = lab.switcher(Map.of("gw", lab.client("gw", lab.url())))) {
            DriverContext ctx = DriverContext.detached("latency");
            AccessPort p = new AccessPort("gw", port);
            PortMove there = new PortMove("gu1", p, VlanId.of(1), VlanId.of(2));
            PortMove back = there.reversed();
            for (int i = 0; i < 10; i++) { // warm-up: JIT, TLS session, process start caches
                check(sw.move(List.of(there), ctx));
                check(sw.move(List.of(back), ctx));
                ip(lab, port, "br-v2");
                ip(lab, port, "br-v1");
            }
            List<Double> driver = new ArrayList<>();
            List<Double> kernel = new ArrayList<>();
            List<Double> daemon = new ArrayList<>();
            List<Double> ipCmd = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long a = System.nanoTime();
                Result<OpReport> r = sw.move(List.of(there), ctx);
                driver.add((System.nanoTime() - a) / 1e6);
                check(r);
                kernel.add(Double.parseDouble(r.orElseThrow().measurements().get("kernel_ms_max")));
                daemon.add(Double.parseDouble(r.orElseThrow().measurements().get("daemon_ms_max")));
                check(sw.move(List.of(back), ctx));
                long b = System.nanoTime();
                ip(lab, port, "br-v2");
                ipCmd.add((System.nanoTime() - b) / 1e6);
                ip(lab, port, "br-v1");
            }
            System.out.printf(Locale.ROOT, "single-port move on %s, %d runs each, alternating (ms):%n", lab.ns(), runs);
            System.out.println("  driver move (mTLS request, lookup + RTM_NEWLINK + verify): " + stats(driver));
            System.out.println("    of which in the daemon (lookup + move + verify):         " + stats(daemon));
            System.out.println("    of which the daemon's RTM_NEWLINK alone:                 " + stats(kernel));
            System.out.println("  ip -n " + lab.ns() + " link set " + port + " master br-v2 (process):  " + stats(ipCmd));
        } finally {
            LabGateway.run(List.of("ip", "-n", lab.ns(), "link", "set", port, "master", "br-v1"), 10);
            lab.close();
        }
    }

    private static void ip(LabGateway lab, String port, String bridge) throws Exception {
        LabGateway.run(List.of("ip", "-n", lab.ns(), "link", "set", port, "master", bridge), 10);
    }

    private static void check(Result<OpReport> r) {
        if (!r.isOk()) {
            throw new IllegalStateException(r.failure().orElseThrow().toString());
        }
    }

    private static String stats(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return String.format(Locale.ROOT, "median %.2f, p10 %.2f, p90 %.2f, min %.2f", s.get(s.size() / 2),
                s.get(s.size() / 10), s.get(s.size() * 9 / 10), s.get(0));
    }
}

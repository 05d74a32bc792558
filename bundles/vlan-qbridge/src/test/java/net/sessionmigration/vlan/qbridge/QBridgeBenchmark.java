package net.sessionmigration.vlan.qbridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.VariableBinding;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * Not part of mvn verify. Run by lab/bench/qbridge-bench on a lab brought up with
 * {@code lab/lab up --switches 20 --ports 50}: every port of every lab switch moved with the
 * driver (one SET PDU per switch, switches in parallel, verify) against one SET per port in
 * sequence, and a single port with the driver against Net-SNMP's snmpset, in the same run.
 * Prints medians. Args: [rounds] [v2c|v3].
 */
public final class QBridgeBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        boolean v3 = args.length > 1 && args[1].equals("v3");
        LabSupport lab = LabSupport.ensureUpAndLocked();
        try {
            run(lab, rounds, v3);
        } finally {
            LabSupport.unlock();
        }
        System.exit(0);
    }

    private static void run(LabSupport lab, int rounds, boolean v3) throws Exception {
        List<String> agents = lab.switchAgents();
        int ports = lab.portsPerSwitch();
        Map<String, DeviceProfile> devices = new HashMap<>();
        SnmpCredential credential = v3 ? lab.sha256() : lab.community();
        for (int i = 0; i < agents.size(); i++) {
            String name = "sw" + (i + 1);
            devices.put(name, DeviceProfile.of(name, agents.get(i), v3 ? DeviceProfile.Version.V3 : DeviceProfile.Version.V2C,
                    credential.name(), DeviceProfile.Style.PVID).withMaxVarbinds(Math.max(60, ports)));
        }
        QBridgeSwitcher.Profiles profiles = QBridgeLabIT.profiles(devices, Map.of(credential.name(), credential));
        List<PortMove> all = new ArrayList<>();
        for (int i = 1; i <= agents.size(); i++) {
            for (int p = 1; p <= ports; p++) {
                all.add(new PortMove("b", new AccessPort("sw" + i, Integer.toString(p)), VlanId.of(1), VlanId.of(2)));
            }
        }
        System.out.printf("lab: %d switches x %d ports = %d ports, %s, %d rounds, %d cores, %s%n", agents.size(), ports,
                all.size(), v3 ? "v3 authPriv SHA-256/AES-256" : "v2c", rounds, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (QBridgeSwitcher driver = new QBridgeSwitcher(profiles)) {
            DriverContext ctx = DriverContext.detached("bench");
            if (!driver.preflight(all).orElseThrow().go()) {
                throw new IllegalStateException("preflight: " + driver.preflight(all).orElseThrow().problems());
            }
            // warm-up: engines, JIT, agents' pass_persist programs
            check(driver.move(all, ctx));
            check(driver.restore(all, ctx));

            List<Double> batch = new ArrayList<>();
            List<Double> batchSet = new ArrayList<>();
            List<Double> batchBack = new ArrayList<>();
            List<Double> sequential = new ArrayList<>();
            int failures = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                Result<OpReport> moved = driver.move(all, ctx);
                if (!moved.isOk()) {
                    // the lab is shared: another session's test may move a user's port under us
                    System.out.println("round " + r + " failed and was rolled back, repeating it: "
                            + moved.failure().orElseThrow());
                    if (++failures > 3) {
                        throw new IllegalStateException("too many failed rounds");
                    }
                    r--;
                    continue;
                }
                OpReport report = moved.orElseThrow();
                batch.add(ms(System.nanoTime() - t0));
                batchSet.add(Double.parseDouble(report.measurements().get("set_ms")));
                long t1 = System.nanoTime();
                check(driver.move(all.stream().map(PortMove::reversed).toList(), ctx));
                batchBack.add(ms(System.nanoTime() - t1));

                // the baseline: one SET per port, one after the other, same library and engines
                long t2 = System.nanoTime();
                for (PortMove m : all) {
                    SwitchSession s = driver.session(m.port().device());
                    int base = Integer.parseInt(m.port().port());
                    s.set(List.of(new VariableBinding(QBridgeMib.pvid(base), new UnsignedInteger32(2))), i -> m.port().toString());
                }
                sequential.add(ms(System.nanoTime() - t2));
                check(driver.move(all.stream().map(PortMove::reversed).toList(), ctx));
            }
            double b = median(batch);
            double s = median(sequential);
            System.out.printf("all %d ports, driver (1 SET PDU per switch, parallel, + verify GETs): median %.1f ms"
                    + " (SET phase %.1f ms, back to VLAN 1 %.1f ms) runs %s%n", all.size(), b, median(batchSet),
                    median(batchBack), fmt(batch));
            System.out.printf("all %d ports, one SET per port in sequence (no verify):              median %.1f ms runs %s%n",
                    all.size(), s, fmt(sequential));
            System.out.printf("speed-up %.1fx; goal <= 250 ms: %s; goal >= 10x: %s%n", s / b, b <= 250 ? "met" : "NOT met",
                    s / b >= 10 ? "met" : "NOT met");

            // where the time goes: the lab agent (snmpd + Python pass_persist) per varbind
            List<PortMove> sw1 = all.stream().filter(m -> m.port().device().equals("sw1")).toList();
            List<Double> oneSwitch = new ArrayList<>();
            List<Double> oneSwitchSeq = new ArrayList<>();
            List<Double> readAll = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                check(driver.move(sw1, ctx));
                oneSwitch.add(ms(System.nanoTime() - t0));
                check(driver.move(sw1.stream().map(PortMove::reversed).toList(), ctx));
                long t1 = System.nanoTime();
                for (PortMove m : sw1) {
                    driver.session("sw1").set(List.of(new VariableBinding(QBridgeMib.pvid(Integer.parseInt(m.port().port())),
                            new UnsignedInteger32(2))), i -> "seq");
                }
                oneSwitchSeq.add(ms(System.nanoTime() - t1));
                check(driver.move(sw1.stream().map(PortMove::reversed).toList(), ctx));
                long t2 = System.nanoTime();
                driver.readVlans(all.stream().map(PortMove::port).toList()).orElseThrow();
                readAll.add(ms(System.nanoTime() - t2));
            }
            System.out.printf("one switch alone, %d ports: driver %.1f ms, one SET per port in sequence %.1f ms (%.1fx)%n",
                    sw1.size(), median(oneSwitch), median(oneSwitchSeq), median(oneSwitchSeq) / median(oneSwitch));
            System.out.printf("read all %d PVIDs (1 GET per switch, parallel): median %.1f ms%n", all.size(), median(readAll));

            // one port: driver (SET + verify GET) vs Net-SNMP snmpset (process start included)
            PortMove one = all.get(all.size() - 1);
            SwitchSession s1 = driver.session(one.port().device());
            List<Double> driverOne = new ArrayList<>();
            List<Double> driverSetOnly = new ArrayList<>();
            List<Double> cli = new ArrayList<>();
            String agent = devices.get(one.port().device()).address();
            String oid = QBridgeMib.pvid(Integer.parseInt(one.port().port())).toDottedString();
            for (int r = 0; r < Math.max(11, rounds * 4); r++) {
                long t0 = System.nanoTime();
                check(driver.move(List.of(one), ctx));
                driverOne.add(ms(System.nanoTime() - t0));
                long t1 = System.nanoTime();
                s1.set(List.of(new VariableBinding(QBridgeMib.pvid(Integer.parseInt(one.port().port())),
                        new UnsignedInteger32(1))), i -> "one");
                driverSetOnly.add(ms(System.nanoTime() - t1));
                List<String> cmd = new ArrayList<>(List.of("env", "MIBS=", "snmpset", "-r", "0", "-t", "1"));
                if (v3) {
                    // the secrets go on snmpset's command line: lab-only credentials, never printed
                    cmd.addAll(List.of("-v3", "-l", "authPriv", "-u", credential.user(), "-a", "SHA-256", "-A",
                            credential.authPassphrase(), "-x", "AES-256", "-X", credential.privPassphrase()));
                } else {
                    cmd.addAll(List.of("-v2c", "-c", credential.community()));
                }
                cmd.addAll(List.of(agent, oid, "u", "2"));
                long t2 = System.nanoTime();
                LabSupport.run(cmd, 10);
                cli.add(ms(System.nanoTime() - t2));
                check(driver.move(List.of(one.reversed()), ctx));
            }
            System.out.printf("one port, driver move (SET + verify GET): median %.2f ms%n", median(driverOne));
            System.out.printf("one port, driver SET only:                median %.2f ms%n", median(driverSetOnly));
            System.out.printf("one port, Net-SNMP snmpset (incl. start): median %.2f ms%n", median(cli));
            Result<Map<AccessPort, VlanId>> end = driver.readVlans(all.stream().map(PortMove::port).toList());
            long off = end.orElseThrow().values().stream().filter(v -> v.value() != 1).count();
            System.out.println("ports not back on VLAN 1 at the end: " + off);
        }
    }

    private static OpReport check(Result<OpReport> r) {
        return r.orElseThrow();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String fmt(List<Double> xs) {
        List<String> out = new ArrayList<>();
        xs.forEach(x -> out.add(String.format(Locale.ROOT, "%.0f", x)));
        return out.toString();
    }
}

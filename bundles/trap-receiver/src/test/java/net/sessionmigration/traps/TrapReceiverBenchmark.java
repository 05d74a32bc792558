package net.sessionmigration.traps;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.MigrationListener;
import net.sessionmigration.api.service.StartRequest;

import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * Not a unit test (surefire excludes it). Run:
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) net.sessionmigration.traps.TrapReceiverBenchmark
 * </pre>
 * 1. latency: 2000 v2c traps sent one at a time by an SNMP4J sender in this JVM; time from send and from
 *    the listener's receipt to the call of coordinator.start (the rule has no hold-down, so every trap starts).
 * 2. intake: pre-encoded v2c traps blasted over loopback for a few seconds; every trap is accounted for as
 *    handled, queue drop, or lost in the kernel (UDP RcvbufErrors from /proc/net/snmp).
 */
public final class TrapReceiverBenchmark {
    static final String UPS = "1.3.6.1.2.1.33.2.1";

    public static void main(String[] args) throws Exception {
        int latencyTraps = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int blastSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        latency(latencyTraps);
        intake(blastSeconds, 10_000, 0);
        intake(blastSeconds, 10_000, args.length > 2 ? Integer.parseInt(args[2]) : 25_000);
    }

    /** A coordinator whose start() records the time; nothing ever runs, so no start is refused. */
    static final class StartClock extends FakeCoordinator {
        volatile long lastStartNanos;
        volatile long lastReceivedNanos;
        volatile long receivedOfCurrent;
        volatile int startCount;

        @Override
        public Result<String> start(StartRequest request, MigrationListener listener) {
            lastStartNanos = System.nanoTime();
            lastReceivedNanos = receivedOfCurrent;
            startCount++;
            return Result.ok("m" + startCount);
        }
    }

    static void latency(int n) throws Exception {
        StartClock coordinator = new StartClock();
        coordinator.plan("evacuate-main", "10.0.0.10");
        TrapCounters counters = new TrapCounters();
        RuleEngine engine = new RuleEngine(coordinator, coordinator, counters);
        engine.putRule("b", TriggerRule.disaster(Map.of("name", "ups", "trap.oid", UPS, "plan", "evacuate-main",
                "holddown.seconds", "0")));
        TrapReceiver receiver = new TrapReceiver(new TrapReceiver.Settings("127.0.0.1", 0, 10_000, List.of("bench")),
                counters, t -> {
                    coordinator.receivedOfCurrent = t.receivedNanos();
                    engine.onTrap(t);
                });
        receiver.start();
        Snmp sender = new Snmp(new DefaultUdpTransportMapping());
        sender.listen();
        CommunityTarget<Address> target = new CommunityTarget<>(new UdpAddress(InetAddress.getLoopbackAddress(),
                receiver.port()), new OctetString("bench"));
        target.setVersion(SnmpConstants.version2c);
        int warmup = 1000;
        long[] fromSend = new long[n];
        long[] fromReceipt = new long[n];
        for (int i = 0; i < warmup + n; i++) {
            PDU pdu = new PDU();
            pdu.setType(PDU.TRAP);
            pdu.add(new VariableBinding(SnmpConstants.sysUpTime, new TimeTicks(i)));
            pdu.add(new VariableBinding(SnmpConstants.snmpTrapOID, new OID(UPS)));
            int before = coordinator.startCount;
            long t0 = System.nanoTime();
            sender.send(pdu, target);
            long deadline = t0 + Duration.ofSeconds(2).toNanos();
            while (coordinator.startCount == before && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000); // leave the 2 cores to the listener and handler
            }
            if (coordinator.startCount == before) {
                throw new IllegalStateException("trap " + i + " lost");
            }
            if (i >= warmup) {
                fromSend[i - warmup] = coordinator.lastStartNanos - t0;
                fromReceipt[i - warmup] = coordinator.lastStartNanos - coordinator.lastReceivedNanos;
            }
        }
        sender.close();
        receiver.close();
        System.out.printf("latency over %d v2c traps (after %d warm-up), SNMP4J sender in the same JVM:%n", n, warmup);
        report("  send -> coordinator.start   ", fromSend);
        report("  receipt -> coordinator.start", fromReceipt);
    }

    static void report(String label, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%s median %.1f us, p99 %.1f us, max %.1f us%n", label, s[s.length / 2] / 1e3,
                s[(int) (s.length * 0.99)] / 1e3, s[s.length - 1] / 1e3);
    }

    static void intake(int seconds, int capacity, int ratePerSecond) throws Exception {
        FakeCoordinator coordinator = new FakeCoordinator().plan("evacuate-main", "10.0.0.10");
        TrapCounters counters = new TrapCounters();
        RuleEngine engine = new RuleEngine(coordinator, coordinator, counters);
        engine.putRule("b", TriggerRule.disaster(Map.of("name", "ups", "trap.oid", UPS, "plan", "evacuate-main")));
        TrapReceiver receiver = new TrapReceiver(new TrapReceiver.Settings("127.0.0.1", 0, capacity, List.of("bench")),
                counters, engine::onTrap);
        receiver.start();
        byte[] trap = encodedTrap(receiver.port());
        long kernelBefore = udpRcvbufErrors();
        long sent = 0;
        long t0 = System.nanoTime();
        long end = t0 + Duration.ofSeconds(seconds).toNanos();
        try (DatagramSocket s = new DatagramSocket()) {
            DatagramPacket p = new DatagramPacket(trap, trap.length, InetAddress.getLoopbackAddress(), receiver.port());
            while (System.nanoTime() < end) {
                for (int i = 0; i < 100; i++) {
                    s.send(p);
                }
                sent += 100;
                if (ratePerSecond > 0) {
                    long due = t0 + sent * 1_000_000_000L / ratePerSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            }
        }
        long sendNanos = System.nanoTime() - t0;
        // let the queue drain
        long handled;
        long prev = -1;
        while ((handled = counters.total(TrapOutcome.MATCHED) + counters.total(TrapOutcome.DUPLICATES)
                + counters.total(TrapOutcome.IGNORED)) != prev || receiver.queueDepth() > 0) {
            prev = handled;
            Thread.sleep(200);
        }
        long totalNanos = System.nanoTime() - t0;
        long received = counters.total(TrapOutcome.RECEIVED);
        long drops = counters.total(TrapOutcome.QUEUE_DROPS);
        long kernel = udpRcvbufErrors() - kernelBefore;
        receiver.close();
        System.out.printf("intake: one Java DatagramSocket thread sending a pre-encoded %d-byte v2c trap for %d s, %s, queue %d%n",
                trap.length, seconds, ratePerSecond > 0 ? "paced at " + ratePerSecond + "/s" : "unpaced", capacity);
        System.out.printf("  sent %d (%.0f/s); received by SNMP4J %d (%.0f/s over the send window); handled %d; "
                        + "queue drops %d; lost in the kernel (UDP RcvbufErrors) %d; unaccounted %d; starts %d%n",
                sent, sent / (sendNanos / 1e9), received, received / (sendNanos / 1e9), handled, drops, kernel,
                sent - received - kernel, coordinator.starts.size());
        System.out.printf("  handled rate over send+drain %.0f/s%n", handled / (totalNanos / 1e9));
    }

    /** One v2c trap as SNMP4J encodes it, captured from the wire. */
    static byte[] encodedTrap(int unusedPort) throws Exception {
        try (DatagramSocket capture = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Snmp sender = new Snmp(new DefaultUdpTransportMapping());
            CommunityTarget<Address> target = new CommunityTarget<>(new UdpAddress(InetAddress.getLoopbackAddress(),
                    capture.getLocalPort()), new OctetString("bench"));
            target.setVersion(SnmpConstants.version2c);
            PDU pdu = new PDU();
            pdu.setType(PDU.TRAP);
            pdu.add(new VariableBinding(SnmpConstants.sysUpTime, new TimeTicks(1)));
            pdu.add(new VariableBinding(SnmpConstants.snmpTrapOID, new OID(UPS)));
            pdu.add(new VariableBinding(new OID("1.3.6.1.2.1.33.1.2.1.0"), new org.snmp4j.smi.Integer32(3)));
            sender.send(pdu, target);
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            capture.receive(p);
            sender.close();
            return Arrays.copyOf(buf, p.getLength());
        }
    }

    static long udpRcvbufErrors() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:")) {
                    List<String> names = List.of(lines.get(i).split("\\s+"));
                    String[] values = lines.get(i + 1).split("\\s+");
                    return Long.parseLong(values[names.indexOf("RcvbufErrors")]);
                }
            }
        } catch (Exception e) {
            // not Linux: report 0
        }
        return 0;
    }
}

package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 000 malformed or mutated datagrams at the real receiver over UDP loopback: random bytes, and
 * structure-aware mutations of valid v1, v2c and v3 authPriv traps captured from Net-SNMP's own
 * {@code snmptrap} (bit flips, inserted and deleted bytes, corrupted BER tags and lengths, huge
 * lengths, truncation, wrong version, splices, wrong community / user / keys).
 *
 * <p>Every datagram must be counted exactly once in one of the final outcomes (malformed, auth
 * failure, queue drop, matched, duplicate, ignored) and nothing may start. The rule matches the
 * base traps' notification OID but wants the varbind value {@code EVACUATE} where the base traps
 * carry {@code exercise}: no mutation here changes all eight bytes, so a start would be the
 * receiver's fault; a real alarm sent at the end starts exactly once, so the rule does fire.
 *
 * <p>No datagram may be lost in the kernel, or the count would prove nothing: the receiver's socket
 * buffer is 4 MB and the sender keeps at most {@link #WINDOW} datagrams uncounted; the socket's own
 * drop counter ({@code /proc/net/udp*}) must stay at zero.
 */
class TrapFuzzTest {
    static final int PACKETS = 100_000;
    static final int WINDOW = 200;
    static final String UPS_ON_BATTERY = "1.3.6.1.2.1.33.2.1";
    static final String ALARM_TEXT = "1.3.6.1.4.1.99999.1.9.0";
    static final String COMMUNITY = "fuzz-community";
    static final String AUTH = "fuzz-auth-pass";
    static final String PRIV = "fuzz-priv-pass";
    static final List<TrapOutcome> FINAL = List.of(TrapOutcome.MALFORMED, TrapOutcome.AUTH_FAILURES,
            TrapOutcome.QUEUE_DROPS, TrapOutcome.MATCHED, TrapOutcome.DUPLICATES, TrapOutcome.IGNORED);

    @TempDir
    Path state;
    NetSnmp tools;
    FakeCoordinator coordinator;
    TrapCounters counters;
    TrapReceiver receiver;
    String target;

    @BeforeEach
    void start() {
        tools = new NetSnmp(state);
        coordinator = new FakeCoordinator().plan("evacuate-main", "10.0.0.10");
        counters = new TrapCounters();
        RuleEngine engine = new RuleEngine(coordinator, coordinator, counters);
        engine.putRule("ups", TriggerRule.disaster(Map.of("name", "ups-on-battery", "trap.oid", UPS_ON_BATTERY,
                "varbind.matches", ALARM_TEXT + "=EVACUATE", "plan", "evacuate-main")));
        receiver = new TrapReceiver(new TrapReceiver.Settings("127.0.0.1", 0, 10_000, List.of(COMMUNITY)), counters,
                engine::onTrap);
        receiver.putUser("u", UsmUserSpec.of("fuzzer", "SHA-256", AUTH, "AES-256", PRIV));
        assertTrue(receiver.start(), receiver::listening);
        target = "127.0.0.1:" + receiver.port();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void malformedAndMutatedTrapsAreEachCountedAndStartNothing() throws Exception {
        Map<String, byte[]> bases = captureBases();
        List<byte[]> baseList = new ArrayList<>(bases.values());
        Mutator mutator = new Mutator(new Random(20261125L), baseList);
        long socketDropsBefore = ReceiverSocket.drops(receiver.port());

        long t0 = System.nanoTime();
        try (DatagramSocket out = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            for (int sent = 0; sent < PACKETS; sent++) {
                byte[] b = mutator.next();
                out.send(new DatagramPacket(b, b.length, loopback, receiver.port()));
                awaitCounted(sent + 1 - WINDOW);
            }
        }
        awaitCounted(PACKETS);
        long nanos = System.nanoTime() - t0;

        long socketDrops = ReceiverSocket.drops(receiver.port()) - socketDropsBefore;
        System.out.printf("trap fuzz: %d datagrams in %.1f s (%.0f/s), kernel drops %d, by mutation %s%ncounters %s%n",
                PACKETS, nanos / 1e9, PACKETS / (nanos / 1e9), socketDrops, mutator.used, counters.snapshot());
        assertEquals(0, socketDrops, "datagrams lost in the kernel: the count below would prove nothing");
        assertEquals(PACKETS, counted(), () -> "each datagram counted once: " + counters.snapshot());
        assertEquals(0, coordinator.starts.size(), () -> "bad input started " + coordinator.starts);
        assertEquals(0, counters.total(TrapOutcome.MATCHED));
        assertTrue(counters.total(TrapOutcome.MALFORMED) > PACKETS / 10, counters.snapshot()::toString);
        assertTrue(counters.get(SnmpVersion.V3, TrapOutcome.AUTH_FAILURES) > 1000, counters.snapshot()::toString);

        // still alive and still doing its job: a real alarm starts the plan, once
        tools.run("snmptrap", "-v", "3", "-u", "fuzzer", "-l", "authPriv", "-a", "SHA-256", "-A", AUTH, "-x", "AES-256",
                "-X", PRIV, "-e", "0x80000000010203aa", target, "0", UPS_ON_BATTERY, ALARM_TEXT, "s", "EVACUATE");
        assertTrue(coordinator.awaitStarts(1, Duration.ofSeconds(10)), counters.snapshot()::toString);
        assertEquals("trap:ups-on-battery", coordinator.starts.get(0).request().trigger());
        assertEquals(1, counters.get(SnmpVersion.V3, TrapOutcome.MATCHED));
    }

    long counted() {
        long n = 0;
        for (TrapOutcome o : FINAL) {
            n += counters.total(o);
        }
        return n;
    }

    /** Waits until at least {@code n} datagrams are counted; stuck for 10 s means some went uncounted. */
    void awaitCounted(long n) {
        long last = -1;
        long since = System.nanoTime();
        long c;
        while ((c = counted()) < n) {
            if (c != last) {
                last = c;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > Duration.ofSeconds(10).toNanos()) {
                throw new AssertionError("only " + c + " datagrams counted, expected at least " + n
                        + " (kernel drops " + ReceiverSocket.drops(receiver.port()) + "): " + counters.snapshot());
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /** Valid traps (and wrong-credential ones) exactly as Net-SNMP's snmptrap puts them on the wire. */
    Map<String, byte[]> captureBases() throws Exception {
        Map<String, byte[]> bases = new LinkedHashMap<>();
        String[] payload = {"0", UPS_ON_BATTERY, ALARM_TEXT, "s", "exercise"};
        bases.put("v1", capture(List.of("-v", "1", "-c", COMMUNITY), List.of("1.3.6.1.2.1.33.2", "127.0.0.1", "6", "1",
                "0", ALARM_TEXT, "s", "exercise")));
        bases.put("v2c", capture(List.of("-v", "2c", "-c", COMMUNITY, "-Ci"), List.of(payload)));
        bases.put("v2c-wrong-community", capture(List.of("-v", "2c", "-c", "not-the-community"), List.of(payload)));
        List<String> v3 = List.of("-v", "3", "-l", "authPriv", "-a", "SHA-256", "-x", "AES-256", "-e", "0x8000000001020304");
        bases.put("v3", capture(concat(v3, "-u", "fuzzer", "-A", AUTH, "-X", PRIV), List.of(payload)));
        bases.put("v3-unknown-user", capture(concat(v3, "-u", "nobody", "-A", AUTH, "-X", PRIV), List.of(payload)));
        bases.put("v3-wrong-auth", capture(concat(v3, "-u", "fuzzer", "-A", "wrong-auth-pass", "-X", PRIV), List.of(payload)));
        bases.put("v3-wrong-priv", capture(concat(v3, "-u", "fuzzer", "-A", AUTH, "-X", "wrong-priv-pass"), List.of(payload)));
        bases.put("v3-noauth", capture(List.of("-v", "3", "-l", "noAuthNoPriv", "-u", "fuzzer", "-e", "0x8000000001020305"),
                List.of(payload)));
        return bases;
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    /** Runs snmptrap (an INFORM for -Ci) against a plain socket and keeps the first datagram it sends. */
    byte[] capture(List<String> options, List<String> payload) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(10_000);
            List<String> args = new ArrayList<>(options);
            args.addAll(List.of("-r", "0", "-t", "1", "127.0.0.1:" + s.getLocalPort()));
            args.addAll(payload);
            Process p = tools.builder(NetSnmp.tool("snmptrap"), args).start();
            byte[] buf = new byte[65_535];
            DatagramPacket d = new DatagramPacket(buf, buf.length);
            try {
                s.receive(d);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("snmptrap " + args + " sent nothing: "
                        + new String(p.getInputStream().readAllBytes()));
            } finally {
                p.destroy();
                p.waitFor();
            }
            return Arrays.copyOf(buf, d.getLength());
        }
    }
}

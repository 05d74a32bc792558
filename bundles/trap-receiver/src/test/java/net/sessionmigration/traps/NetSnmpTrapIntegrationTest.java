package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

import net.sessionmigration.api.service.StartRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver on 127.0.0.1 (a free port) with a recording coordinator, fed by Net-SNMP's real
 * snmptrap and snmpinform at every version and security level, and by bad input.
 */
class NetSnmpTrapIntegrationTest {
    static final String UPS_ON_BATTERY = "1.3.6.1.2.1.33.2.1";
    static final String FIRE_ALARM = "1.3.6.1.4.1.99999.0.7";
    static final String FIRE_ZONE = "1.3.6.1.4.1.99999.1.7.0";
    static final String COMMUNITY = "lab-only-community";
    static final String AUTH = "lab-only-auth-pass";
    static final String PRIV = "lab-only-priv-pass";

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
        coordinator = new FakeCoordinator().plan("evacuate-main", "10.0.0.10").plan("evacuate-fire", "10.0.0.11");
        counters = new TrapCounters();
        RuleEngine engine = new RuleEngine(coordinator, coordinator, counters);
        engine.putRule("ups", TriggerRule.disaster(Map.of("name", "ups-on-battery", "trap.oid", UPS_ON_BATTERY,
                "plan", "evacuate-main", "source.address", "127.0.0.1")));
        engine.putRule("fire", TriggerRule.disaster(Map.of("name", "fire-zone-3", "trap.oid", FIRE_ALARM,
                "varbind.matches", FIRE_ZONE + "=3", "plan", "evacuate-fire")));
        receiver = new TrapReceiver(new TrapReceiver.Settings("127.0.0.1", 0, 1000, List.of(COMMUNITY)), counters,
                engine::onTrap);
        receiver.putUser("u0", UsmUserSpec.of("noauth", null, null, null, null));
        receiver.putUser("u1", UsmUserSpec.of("authsha", "SHA", AUTH, null, null));
        receiver.putUser("u2", UsmUserSpec.of("privaes", "SHA", AUTH, "AES", PRIV));
        receiver.putUser("u3", UsmUserSpec.of("priv256", "SHA-256", AUTH, "AES-256", PRIV));
        assertTrue(receiver.start(), receiver::listening);
        target = "127.0.0.1:" + receiver.port();
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    void assertOneStart(String plan, String trigger) throws InterruptedException {
        await("a start of " + plan, () -> coordinator.starts.size() >= 1);
        Thread.sleep(100); // a second start would show up by now
        assertEquals(1, coordinator.starts.size(), coordinator.starts::toString);
        StartRequest r = coordinator.starts.get(0).request();
        assertEquals(plan, r.plan());
        assertEquals(trigger, r.trigger());
    }

    void send(String tool, String... args) throws Exception {
        NetSnmp.Run run = tools.run(tool, args);
        assertEquals(0, run.exit(), tool + " " + List.of(args) + ": " + run.output());
    }

    void sendExpectingFailure(String tool, String... args) throws Exception {
        tools.run(tool, args); // exit status differs by tool and error; the receiver's counters are what we check
    }

    @Test
    void v1TrapStartsThePlan() throws Exception {
        // SMIv1 form of upsTrapOnBattery: enterprise upsTraps (1.3.6.1.2.1.33.2), specific 1
        send("snmptrap", "-v", "1", "-c", COMMUNITY, target, "1.3.6.1.2.1.33.2", "127.0.0.1", "6", "1", "0");
        assertOneStart("evacuate-main", "trap:ups-on-battery");
        assertEquals(1, counters.get(SnmpVersion.V1, TrapOutcome.MATCHED));
    }

    @Test
    void v2cTrapStartsThePlanAndVarbindsSelectTheRule() throws Exception {
        send("snmptrap", "-v", "2c", "-c", COMMUNITY, target, "0", FIRE_ALARM, FIRE_ZONE, "i", "2");
        await("ignored", () -> counters.get(SnmpVersion.V2C, TrapOutcome.IGNORED) == 1);
        send("snmptrap", "-v", "2c", "-c", COMMUNITY, target, "0", FIRE_ALARM, FIRE_ZONE, "i", "3");
        assertOneStart("evacuate-fire", "trap:fire-zone-3");
        assertEquals(2, counters.get(SnmpVersion.V2C, TrapOutcome.RECEIVED));
    }

    @Test
    void v3NoAuthNoPriv() throws Exception {
        send("snmptrap", "-v", "3", "-u", "noauth", "-l", "noAuthNoPriv", "-e", "0x8000000001020304", target, "0",
                UPS_ON_BATTERY);
        assertOneStart("evacuate-main", "trap:ups-on-battery");
    }

    @Test
    void v3AuthNoPrivSha() throws Exception {
        send("snmptrap", "-v", "3", "-u", "authsha", "-l", "authNoPriv", "-a", "SHA", "-A", AUTH,
                "-e", "0x8000000001020305", target, "0", UPS_ON_BATTERY);
        assertOneStart("evacuate-main", "trap:ups-on-battery");
        assertEquals(1, counters.get(SnmpVersion.V3, TrapOutcome.MATCHED));
    }

    @Test
    void v3AuthPrivShaAes128() throws Exception {
        send("snmptrap", "-v", "3", "-u", "privaes", "-l", "authPriv", "-a", "SHA", "-A", AUTH, "-x", "AES", "-X", PRIV,
                "-e", "0x8000000001020306", target, "0", UPS_ON_BATTERY);
        assertOneStart("evacuate-main", "trap:ups-on-battery");
    }

    @Test
    void v3AuthPrivSha256Aes256FromTwoEngines() throws Exception {
        send("snmptrap", "-v", "3", "-u", "priv256", "-l", "authPriv", "-a", "SHA-256", "-A", AUTH, "-x", "AES-256",
                "-X", PRIV, "-e", "0x8000000001020307", target, "0", FIRE_ALARM, FIRE_ZONE, "i", "3");
        assertOneStart("evacuate-fire", "trap:fire-zone-3");
        // the same user from a second engine: keys are localised again for that engine
        send("snmptrap", "-v", "3", "-u", "priv256", "-l", "authPriv", "-a", "SHA-256", "-A", AUTH, "-x", "AES-256",
                "-X", PRIV, "-e", "0x80000000010203ff", target, "0", UPS_ON_BATTERY);
        await("second start", () -> coordinator.starts.size() == 2);
        assertEquals("evacuate-main", coordinator.starts.get(1).request().plan());
        assertEquals(0, counters.total(TrapOutcome.AUTH_FAILURES));
    }

    @Test
    void informsAreAcknowledged() throws Exception {
        send("snmpinform", "-v", "2c", "-c", COMMUNITY, "-r", "1", "-t", "3", target, "0", UPS_ON_BATTERY);
        assertOneStart("evacuate-main", "trap:ups-on-battery");
        assertEquals(1, counters.get(SnmpVersion.V2C, TrapOutcome.INFORMS_ACKED));
        // v3 inform: the sender discovers our engine ID, then sends authPriv to it
        send("snmpinform", "-v", "3", "-u", "priv256", "-l", "authPriv", "-a", "SHA-256", "-A", AUTH, "-x", "AES-256",
                "-X", PRIV, "-r", "1", "-t", "3", target, "0", FIRE_ALARM, FIRE_ZONE, "i", "3");
        await("v3 inform start", () -> coordinator.starts.size() == 2);
        assertEquals(1, counters.get(SnmpVersion.V3, TrapOutcome.INFORMS_ACKED));
    }

    @Test
    void burstOfFiftyDuplicatesStartsOne() throws Exception {
        for (int i = 0; i < 50; i++) {
            send("snmptrap", "-v", "2c", "-c", COMMUNITY, target, "0", UPS_ON_BATTERY);
        }
        await("50 handled", () -> counters.get(SnmpVersion.V2C, TrapOutcome.MATCHED)
                + counters.get(SnmpVersion.V2C, TrapOutcome.DUPLICATES) == 50);
        assertEquals(1, coordinator.starts.size());
        assertEquals(49, counters.get(SnmpVersion.V2C, TrapOutcome.DUPLICATES));
    }

    @Test
    void garbageIsCountedAsMalformed() throws Exception {
        Random random = new Random(42);
        List<byte[]> garbage = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] b = new byte[1 + random.nextInt(300)];
            random.nextBytes(b);
            b[0] = (byte) (i % 2 == 0 ? 0x30 : b[0]); // half look like a BER SEQUENCE
            garbage.add(b);
        }
        garbage.add(new byte[0]);
        garbage.add(new byte[]{0x30, 0x03, 0x02, 0x01, 0x01});                    // v2c header, nothing after
        garbage.add(new byte[]{0x30, 0x06, 0x02, 0x01, 0x07, 0x04, 0x01, 0x61}); // version 7
        garbage.add(new byte[]{0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x02, 0x01, 0x01}); // absurd length
        try (DatagramSocket s = new DatagramSocket()) {
            for (byte[] b : garbage) {
                s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), receiver.port()));
            }
        }
        await("garbage counted", () -> counters.total(TrapOutcome.MALFORMED) >= garbage.size() - 1);
        // the receiver still works afterwards
        send("snmptrap", "-v", "2c", "-c", COMMUNITY, target, "0", UPS_ON_BATTERY);
        assertOneStart("evacuate-main", "trap:ups-on-battery");
        assertEquals(0, counters.total(TrapOutcome.AUTH_FAILURES));
        System.out.println("garbage: " + garbage.size() + " datagrams, counters " + counters.snapshot());
    }

    @Test
    void wrongCredentialsAreCountedAndStartNothing() throws Exception {
        sendExpectingFailure("snmptrap", "-v", "2c", "-c", "wrong-community", target, "0", UPS_ON_BATTERY);
        sendExpectingFailure("snmptrap", "-v", "1", "-c", "wrong-community", target, "1.3.6.1.2.1.33.2", "127.0.0.1",
                "6", "1", "0");
        await("v1/v2c auth failures", () -> counters.get(SnmpVersion.V2C, TrapOutcome.AUTH_FAILURES) == 1
                && counters.get(SnmpVersion.V1, TrapOutcome.AUTH_FAILURES) == 1);

        sendExpectingFailure("snmptrap", "-v", "3", "-u", "nobody", "-l", "authPriv", "-a", "SHA", "-A", AUTH, "-x", "AES",
                "-X", PRIV, "-e", "0x8000000001020308", target, "0", UPS_ON_BATTERY);
        await("unknown user", () -> counters.get(SnmpVersion.V3, TrapOutcome.AUTH_FAILURES) == 1);
        sendExpectingFailure("snmptrap", "-v", "3", "-u", "privaes", "-l", "authPriv", "-a", "SHA", "-A",
                "wrong-auth-pass", "-x", "AES", "-X", PRIV, "-e", "0x8000000001020309", target, "0", UPS_ON_BATTERY);
        await("wrong auth key", () -> counters.get(SnmpVersion.V3, TrapOutcome.AUTH_FAILURES) == 2);
        sendExpectingFailure("snmptrap", "-v", "3", "-u", "privaes", "-l", "authPriv", "-a", "SHA", "-A", AUTH, "-x",
                "AES", "-X", "wrong-priv-pass", "-e", "0x800000000102030a", target, "0", UPS_ON_BATTERY);
        await("wrong priv key", () -> counters.get(SnmpVersion.V3, TrapOutcome.AUTH_FAILURES) == 3);
        // a user known only without auth may not claim a higher level
        sendExpectingFailure("snmptrap", "-v", "3", "-u", "noauth", "-l", "authNoPriv", "-a", "SHA", "-A", AUTH,
                "-e", "0x800000000102030b", target, "0", UPS_ON_BATTERY);
        await("unsupported level", () -> counters.get(SnmpVersion.V3, TrapOutcome.AUTH_FAILURES) == 4);

        Thread.sleep(200);
        assertEquals(0, coordinator.starts.size());
        assertEquals(0, counters.total(TrapOutcome.MATCHED));
        assertEquals(0, counters.total(TrapOutcome.MALFORMED), counters.snapshot()::toString);
    }

    @Test
    void aPortInUseGivesAnErrorNamingIt() {
        TrapReceiver second = new TrapReceiver(new TrapReceiver.Settings("127.0.0.1", receiver.port(), 10, List.of()),
                new TrapCounters(), t -> { });
        try {
            assertTrue(!second.start());
            String why = second.listening();
            assertTrue(why.contains("127.0.0.1") && why.contains("port " + receiver.port()), why);
        } finally {
            second.close();
        }
    }
}

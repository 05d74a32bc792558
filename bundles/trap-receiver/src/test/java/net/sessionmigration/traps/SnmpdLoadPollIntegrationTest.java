package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.TriggerRuleStatus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The load rule against a real snmpd on 127.0.0.1 (own config and state directory) that reads
 * this machine's real TCP-MIB, while the test opens real TCP connections on loopback to a local
 * server socket whose address (127.0.0.1) is the test plan's virtual IP.
 */
class SnmpdLoadPollIntegrationTest {
    static final String AUTH = "lab-only-auth-pass";
    static final String PRIV = "lab-only-priv-pass";

    @TempDir
    Path dir;
    Process snmpd;
    int agentPort;
    ServerSocket service;
    final List<Socket> sockets = new ArrayList<>();
    LoadPollers pollers;

    @BeforeEach
    void startAgent() throws Exception {
        Path bin = NetSnmp.require("snmpd", "install snmpd");
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            agentPort = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("snmpd.conf"), String.join("\n",
                "agentaddress udp:127.0.0.1:" + agentPort,
                "rocommunity lab-only-community 127.0.0.1",
                // only to shorten Net-SNMP's 60 s cache of tcpConnectionTable (nsCacheTimeout) in this test
                "rwcommunity lab-only-rw 127.0.0.1 .1.3.6.1.4.1.8072.1.5.3",
                "createUser pollu SHA-256 \"" + AUTH + "\" AES \"" + PRIV + "\"",
                "rouser pollu authPriv", ""));
        NetSnmp env = new NetSnmp(dir);
        snmpd = env.builder(bin, List.of("-f", "-C", "-c", dir.resolve("snmpd.conf").toString(), "-Lf",
                dir.resolve("snmpd.log").toString(), "-p", dir.resolve("snmpd.pid").toString())).start();
        service = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!service.isClosed()) {
                try {
                    synchronized (sockets) {
                        sockets.add(service.accept());
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-service");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stopAgent() throws Exception {
        if (pollers != null) {
            pollers.close();
        }
        service.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                s.close();
            }
        }
        snmpd.destroy();
        if (!snmpd.waitFor(5, TimeUnit.SECONDS)) {
            snmpd.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"v3, auto", "v2c, tcpConnectionTable"})
    void connectedUsersPastThresholdStartReplicateOnce(String version, String table) throws Exception {
        {
            NetSnmp.Run set = new NetSnmp(dir).run("snmpset", "-v", "2c", "-c", "lab-only-rw", "-r", "3", "-t", "1",
                    "127.0.0.1:" + agentPort, "1.3.6.1.4.1.8072.1.5.3.1.2.1.3.6.1.2.1.6.19", "i", "1");
            assertEquals(0, set.exit(), set.output());
        }
        FakeCoordinator coordinator = new FakeCoordinator().plan("load-main", "127.0.0.1");
        RuleEngine engine = new RuleEngine(coordinator, coordinator, new TrapCounters());
        Map<String, Object> rule = new HashMap<>(Map.of("name", "main-load", "plan", "load-main", "threshold", "2.5",
                "source", "poll", "agent.address", "127.0.0.1", "agent.port", String.valueOf(agentPort),
                "poll.seconds", "1", "service.port", String.valueOf(service.getLocalPort()), "table", table));
        rule.put("snmp.version", version);
        if (version.equals("v2c")) {
            rule.put("community", "lab-only-community");
        } else {
            rule.putAll(Map.of("user", "pollu", "auth.protocol", "SHA-256", "auth.passphrase", AUTH,
                    "priv.protocol", "AES", "priv.passphrase", PRIV));
        }
        engine.putRule("pid.load", TriggerRule.load(rule));
        pollers = new LoadPollers(engine, coordinator);
        pollers.sync();

        // the agent answers and counts nobody yet
        awaitState(engine, s -> s.state().contains("count 0"), Duration.ofSeconds(20));
        assertEquals(0, coordinator.starts.size());

        for (int i = 0; i < 3; i++) {
            new Socket(InetAddress.getLoopbackAddress(), service.getLocalPort()).close();
        }
        // closed ones do not count (they are TIME_WAIT/CLOSE_WAIT, not established); these three stay open
        List<Socket> users = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                users.add(new Socket(InetAddress.getLoopbackAddress(), service.getLocalPort()));
            }
            assertTrue(coordinator.awaitStarts(1, Duration.ofSeconds(30)),
                    () -> "no start; rule: " + engine.statuses());
            Thread.sleep(2500); // two or three more polls over the threshold
            assertEquals(1, coordinator.starts.size(), coordinator.starts::toString);
            FakeCoordinator.Start start = coordinator.starts.get(0);
            assertEquals(MigrationMode.REPLICATE, start.request().mode().orElseThrow());
            assertEquals("load:main-load", start.request().trigger());

            coordinator.finish(start.id(), MigrationState.SUCCEEDED); // backup site now active
            awaitState(engine, s -> s.state().startsWith("backup active"), Duration.ofSeconds(10));
            assertEquals(1, coordinator.starts.size());
        } finally {
            for (Socket s : users) {
                s.close();
            }
        }
    }

    static void awaitState(RuleEngine engine, java.util.function.Predicate<TriggerRuleStatus> p, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!engine.statuses().isEmpty() && p.test(engine.statuses().get(0))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("rule never reached the expected state: " + engine.statuses());
    }
}

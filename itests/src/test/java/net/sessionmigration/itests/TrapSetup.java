package net.sessionmigration.itests;

import static net.sessionmigration.itests.SessionMigrationTestSupport.update;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import net.sessionmigration.api.service.TriggerService;

/** Points the assembly's trap receiver at a free loopback port with a community and a v3 authPriv user, and sends traps. */
final class TrapSetup {
    static final String UPS_ON_BATTERY = "1.3.6.1.2.1.33.2.1";
    // values a test searches for in logs and outputs: each must be unique text
    static final String COMMUNITY = "itest-community-Xq7w-secret";
    static final String V3_USER = "itest-trap-user";
    static final String AUTH = "itest-auth-Kp3v-secret";
    static final String PRIV = "itest-priv-Zr8m-secret";

    private final SessionMigrationTestSupport test;

    TrapSetup(SessionMigrationTestSupport test) {
        this.test = test;
    }

    /** Configures the receiver and the v3 user; returns the port once the receiver listens on it. */
    int listen(Map<String, String> extra) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> settings = new HashMap<>(Map.of("listen.address", "127.0.0.1",
                "listen.port", Integer.toString(port), "communities", COMMUNITY));
        settings.putAll(extra);
        update(test.configAdmin.getFactoryConfiguration("net.sessionmigration.traps.user", "itest", "?"),
                Map.of("user", V3_USER, "auth.protocol", "SHA-256", "auth.passphrase", AUTH,
                        "priv.protocol", "AES-256", "priv.passphrase", PRIV));
        update(test.configAdmin.getConfiguration("net.sessionmigration.traps", "?"), settings);
        int bound = port;
        SessionMigrationTestSupport.waitFor("receiver on 127.0.0.1:" + port, () -> current()
                .map(t -> t.statistics().listening().contains("127.0.0.1/" + bound)).orElse(false));
        return port;
    }

    void rule(String key, Map<String, String> rule) throws Exception {
        update(test.configAdmin.getFactoryConfiguration("net.sessionmigration.trigger.disaster", key, "?"), rule);
        SessionMigrationTestSupport.waitFor("rule " + rule.get("name"), () -> current().map(t -> t.rules().stream()
                .anyMatch(r -> r.name().equals(rule.get("name")) && r.valid())).orElse(false));
    }

    Map<String, Map<String, Long>> counts() {
        return current().orElseThrow(() -> new AssertionError("no TriggerService: is sm-trap-receiver installed?"))
                .statistics().counts();
    }

    /** The receiver's component restarts when its configuration changes: always ask for the current one. */
    Optional<TriggerService> current() {
        var ref = test.bundleContext.getServiceReference(TriggerService.class);
        return ref == null ? Optional.empty() : Optional.ofNullable(test.bundleContext.getService(ref));
    }

    /** Net-SNMP's snmptrap with an argument list (no shell), no retries. */
    static void snmptrap(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("snmptrap", "-r", "0", "-t", "1"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("MIBS", "");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("snmptrap not found: install snmp (Net-SNMP tools)", e);
        }
        p.getInputStream().readAllBytes();
        assertTrue("snmptrap did not finish", p.waitFor(10, TimeUnit.SECONDS));
    }
}

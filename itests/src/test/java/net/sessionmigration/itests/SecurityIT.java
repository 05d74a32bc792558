package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.PlanStatus;

/**
 * Security in the real assembly. (1) The shipped configuration defaults to SNMPv3 authPriv: the
 * assembly's {@code etc/*.cfg} and examples, and the metatype defaults of the installed bundles.
 * (2) Secrets never leak: with SNMP communities and v3 passphrases (trap receiver and switch credentials)
 * and TLS key-store passwords configured, traps received (right and wrong), a dry run and a failed
 * migration through the real drivers, and our packages logging at DEBUG, none of the secret values
 * appears in Karaf's log, in {@code migration:history}/{@code traps}/{@code dry-run}/{@code drivers}
 * (tables and {@code --json}), nor in the trap receiver's JMX attributes.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SecurityIT extends SessionMigrationTestSupport {
    static final String SWITCH_COMMUNITY = "itest-switch-community-Hd2k-secret";
    static final String SWITCH_AUTH = "itest-switch-auth-Wn5t-secret";
    static final String SWITCH_PRIV = "itest-switch-priv-Qs9j-secret";
    static final String STORE_PASS = "itest-store-pass-Mv4c-secret";
    static final String FIRE = "1.3.6.1.4.1.99999.0.7";

    @Test
    public void noSecretInLogsHistoryTrapsOrJson() throws Exception {
        List<String> secrets = List.of(TrapSetup.COMMUNITY, TrapSetup.AUTH, TrapSetup.PRIV, SWITCH_COMMUNITY,
                SWITCH_AUTH, SWITCH_PRIV, STORE_PASS);
        execute("log:set DEBUG net.sessionmigration");

        // the daemon driver with a real key store whose password is a secret; the daemons are not there
        Path pki = Files.createTempDirectory("itest-pki");
        Path store = pki.resolve("client.p12");
        keytool("-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=itest",
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASS);
        Path trust = pki.resolve("trust.p12");
        keytool("-exportcert", "-alias", "client", "-keystore", store.toString(), "-storepass", STORE_PASS,
                "-file", pki.resolve("client.cer").toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", pki.resolve("client.cer").toString(),
                "-keystore", trust.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASS);
        Path pass = pki.resolve("store.pass");
        Files.writeString(pass, STORE_PASS + "\n");
        int closed = closedUdpPort();
        update(configAdmin.getConfiguration("net.sessionmigration.daemon.driver", "?"), Map.of(
                "servers", "main-srv=https://127.0.0.1:" + closed + ",backup-srv=https://127.0.0.1:" + closed,
                "keystore", store.toString(), "keystorePasswordRef", "file:" + pass,
                "truststore", trust.toString(), "truststorePasswordRef", "file:" + pass, "timeoutSeconds", "2"));
        // switch credentials (v3 authPriv and a v2c community) and a switch that does not answer
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.snmp.credential", "itest-v3", "?"),
                Map.of("name", "itest-v3", "user", "itest-switch-user", "auth.protocol", "SHA-256",
                        "auth.passphrase", SWITCH_AUTH, "priv.protocol", "AES-256", "priv.passphrase", SWITCH_PRIV));
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.snmp.credential", "itest-v2c", "?"),
                Map.of("name", "itest-v2c", "community", SWITCH_COMMUNITY));
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.vlan.qbridge.device", "itest-sw", "?"),
                Map.of("name", "sw-secret-plan", "address", "127.0.0.1", "port", Integer.toString(closed),
                        "version", "v3", "credential", "itest-v3", "timeout.millis", "300", "retries", "0"));
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.vlan.qbridge.device", "itest-sw2", "?"),
                Map.of("name", "sw-secret-v2c", "address", "127.0.0.1", "port", Integer.toString(closed),
                        "version", "v2c", "credential", "itest-v2c", "timeout.millis", "300", "retries", "0"));
        writePlan("secret-plan.json", Plans.plan("secret-plan", "MOVE", "criu-daemon", "snmp-qbridge"));
        waitFor("plan secret-plan runnable", () -> migrations.plan("secret-plan").map(PlanStatus::runnable).orElse(false));

        // traps with the right and wrong secrets start the plan once; the migration fails (no daemons)
        TrapSetup traps = new TrapSetup(this);
        int port = traps.listen(Map.of());
        traps.rule("secret", Map.of("name", "secret-fire", "trap.oid", FIRE, "plan", "secret-plan"));
        String target = "127.0.0.1:" + port;
        TrapSetup.snmptrap("-v", "2c", "-c", TrapSetup.COMMUNITY, target, "", FIRE);
        TrapSetup.snmptrap("-v", "2c", "-c", TrapSetup.COMMUNITY + "-typo", target, "", FIRE);
        TrapSetup.snmptrap("-v", "3", "-l", "authPriv", "-u", TrapSetup.V3_USER, "-a", "SHA-256", "-A", TrapSetup.AUTH,
                "-x", "AES-256", "-X", TrapSetup.PRIV, target, "", FIRE);
        TrapSetup.snmptrap("-v", "3", "-l", "authPriv", "-u", TrapSetup.V3_USER, "-a", "SHA-256", "-A", TrapSetup.AUTH,
                "-x", "AES-256", "-X", TrapSetup.AUTH, target, "", FIRE);
        waitFor("the alarm's migration to end", () -> migrations.history(100).stream()
                .anyMatch(r -> r.plan().equals("secret-plan") && r.state().finished()));
        MigrationRecord failed = migrations.history(100).stream().filter(r -> r.plan().equals("secret-plan"))
                .findFirst().orElseThrow();
        assertFalse("no daemon answers, so the migration cannot succeed: " + failed, failed.state().name().equals("SUCCEEDED"));

        Map<String, String> shown = new LinkedHashMap<>();
        for (String command : List.of("migration:dry-run secret-plan", "migration:dry-run --json secret-plan",
                "migration:history", "migration:history --json", "migration:history " + failed.id(),
                "migration:history --json " + failed.id(), "migration:traps", "migration:traps --json",
                "migration:drivers", "migration:drivers --json", "migration:plan-show --json secret-plan",
                "migration:status --json")) {
            shown.put(command, execute(command));
        }
        shown.put("JMX net.sessionmigration:type=TrapReceiver", jmxAttributes());
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        shown.put(log.toString(), Files.readString(log, StandardCharsets.UTF_8));

        // the search looks at the right things: the outputs and the log talk about this test's objects
        assertTrue(shown.get("migration:history --json"), shown.get("migration:history --json").contains(failed.id()));
        assertTrue(shown.get("migration:traps --json"), shown.get("migration:traps --json").contains("secret-fire"));
        assertTrue("the log shows our DEBUG lines", shown.get(log.toString()).contains("itest-trap-user"));
        assertTrue(shown.get("migration:dry-run secret-plan"), shown.get("migration:dry-run secret-plan").contains("sw-secret-plan"));
        List<String> leaks = new ArrayList<>();
        shown.forEach((where, text) -> {
            for (String secret : secrets) {
                int at = text.indexOf(secret);
                if (at >= 0) {
                    leaks.add(where + ": ..." + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + 40)));
                }
            }
        });
        System.out.printf("secrets: searched %d outputs (%d characters) for %d secret values%n", shown.size(),
                shown.values().stream().mapToInt(String::length).sum(), secrets.size());
        assertEquals("secrets shown", List.of(), leaks);
    }

    @Test
    public void shippedConfigurationDefaultsToSnmpV3AuthPriv() throws Exception {
        Path etc = Path.of(System.getProperty("sm.root"), "karaf-assembly", "src", "main", "resources", "assembly", "etc");
        List<Path> active;
        List<Path> examples;
        try (var files = Files.list(etc)) {
            active = files.filter(f -> f.toString().endsWith(".cfg")).sorted().toList();
        }
        try (var files = Files.list(etc.resolve("examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".cfg.example")).sorted().toList();
        }
        assertTrue("shipped .cfg files under " + etc, active.size() >= 3);
        List<String> problems = new ArrayList<>();
        int v3Users = 0;
        for (Path f : active) {
            Map<String, String> cfg = cfg(f);
            for (String key : List.of("communities", "community")) {
                if (!cfg.getOrDefault(key, "").isBlank()) {
                    problems.add(f.getFileName() + ": " + key + " is set, so v1/v2c is on by default");
                }
            }
            cfg.forEach((k, v) -> {
                if (k.endsWith("version") && !v.equals("v3")) {
                    problems.add(f.getFileName() + ": " + k + " = " + v + " (not v3)");
                }
            });
        }
        for (Path f : concat(active, examples)) {
            Map<String, String> cfg = cfg(f);
            if (cfg.containsKey("user")) {
                v3Users++;
                String auth = cfg.getOrDefault("auth.protocol", "");
                String priv = cfg.getOrDefault("priv.protocol", "");
                if (!auth.startsWith("SHA-") || !priv.startsWith("AES")) {
                    problems.add(f.getFileName() + ": v3 user " + cfg.get("user") + " is not authPriv SHA-2/AES (auth "
                            + auth + ", priv " + priv + ")");
                }
            }
        }
        assertTrue("the shipped files configure v3 users", v3Users >= 3);

        // metatype defaults of the installed bundles: what config:edit and the web console start from
        int checked = 0;
        for (org.osgi.framework.Bundle b : bundleContext.getBundles()) {
            var entries = b.findEntries("OSGI-INF/metatype", "net.sessionmigration.*.xml", false);
            while (entries != null && entries.hasMoreElements()) {
                java.net.URL url = entries.nextElement();
                org.w3c.dom.Document doc;
                try (var in = url.openStream()) {
                    doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
                }
                org.w3c.dom.NodeList ads = doc.getElementsByTagName("AD");
                Map<String, String> defaults = new LinkedHashMap<>();
                for (int i = 0; i < ads.getLength(); i++) {
                    org.w3c.dom.Element ad = (org.w3c.dom.Element) ads.item(i);
                    defaults.put(ad.getAttribute("id"), ad.getAttribute("default"));
                }
                String file = url.getPath();
                checked++;
                defaults.forEach((id, d) -> {
                    if ((id.equals("communities") || id.equals("community")) && !d.isEmpty()) {
                        problems.add(file + ": " + id + " defaults to a community");
                    }
                    if (id.endsWith("version") && !d.isEmpty() && !d.equals("v3")) {
                        problems.add(file + ": " + id + " defaults to " + d);
                    }
                });
                if (file.endsWith("net.sessionmigration.traps.user.xml")
                        && !(defaults.get("auth.protocol").startsWith("SHA-") && defaults.get("priv.protocol").startsWith("AES"))) {
                    problems.add(file + ": a trap user does not default to authPriv: " + defaults);
                }
            }
        }
        System.out.printf("shipped defaults: %d cfg files, %d examples, %d v3 users, %d metatype files%n",
                active.size(), examples.size(), v3Users, checked);
        assertTrue("metatype of our bundles found: " + checked, checked >= 5);
        assertEquals("shipped defaults that are not SNMPv3 authPriv", List.of(), problems);
    }

    /**
     * [safety] A new user unpacking the assembly cannot log in with a published password, reach
     * the console or the trap receiver from another host, run host commands without being an
     * administrator, or find an SNMP user the repository publishes.
     */
    @Test
    public void theShippedAssemblyIsClosedByDefault() throws Exception {
        List<String> problems = new ArrayList<>();
        // no login with the Karaf default (nor any user: the realm has none)
        try {
            javax.security.auth.login.LoginContext login = new javax.security.auth.login.LoginContext("karaf",
                    callbacks -> {
                        for (var c : callbacks) {
                            if (c instanceof javax.security.auth.callback.NameCallback n) {
                                n.setName("karaf");
                            } else if (c instanceof javax.security.auth.callback.PasswordCallback pw) {
                                pw.setPassword("karaf".toCharArray());
                            }
                        }
                    });
            login.login();
            problems.add("karaf/karaf logs in to the realm 'karaf'");
        } catch (javax.security.auth.login.LoginException expected) {
            // refused: there is no such user
        }
        Path etc = Path.of(System.getProperty("karaf.etc"));
        for (String file : List.of("users.properties", "keys.properties")) {
            for (String line : Files.readAllLines(etc.resolve(file), StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith("_g_\\:")) {
                    problems.add(file + " has an active login: " + t.substring(0, Math.min(20, t.length())) + "...");
                }
            }
        }
        // SSH on loopback, no SFTP: as the running console has it
        var shell = configAdmin.getConfiguration("org.apache.karaf.shell", null).getProperties();
        if (!"127.0.0.1".equals(String.valueOf(shell.get("sshHost")))) {
            problems.add("sshHost is " + shell.get("sshHost"));
        }
        if (!"false".equals(String.valueOf(shell.get("sftpEnabled")))) {
            problems.add("sftpEnabled is " + shell.get("sftpEnabled"));
        }
        if (!"true".equals(String.valueOf(configAdmin.getConfiguration("org.apache.karaf.jaas", null).getProperties()
                .get("encryption.enabled")))) {
            problems.add("passwords typed into users.properties would stay in clear");
        }
        // roles: host commands for admins, migrations for operators
        var acl = configAdmin.getConfiguration("org.apache.karaf.command.acl.migration", null).getProperties();
        Map<String, String> want = Map.of("start", "manager", "abort", "manager", "reset-backup", "admin",
                "history", "viewer", "status", "viewer");
        want.forEach((command, role) -> {
            if (acl == null || !role.equals(String.valueOf(acl.get(command)).strip())) {
                problems.add("migration:" + command + " is not for role " + role + ": " + (acl == null ? "no ACL" : acl.get(command)));
            }
        });
        var shellAcl = configAdmin.getConfiguration("org.apache.karaf.command.acl.shell", null).getProperties();
        if (shellAcl == null || !"admin".equals(String.valueOf(shellAcl.get("exec")).strip())) {
            problems.add("shell:exec is not admin-only");
        }
        // the ACLs at work, typed by users of the shipped groups
        List<String> viewer = List.of("viewer", "ssh");
        List<String> operator = List.of("manager", "viewer", "ssh");
        String plans = executeAs(viewer, "migration:plan-list");
        if (plans.contains("ERROR")) {
            problems.add("a viewer cannot list plans: " + plans.strip());
        }
        for (var attempt : List.of(List.of("viewer", "migration:start no-such-plan"),
                List.of("operator", "migration:reset-backup no-such-plan"), List.of("operator", "shell:exec id"))) {
            String out = executeAs(attempt.get(0).equals("viewer") ? viewer : operator, attempt.get(1));
            if (!(out.contains("Insufficient credentials") || out.contains("Command not found"))) {
                problems.add("a user in the " + attempt.get(0) + " group ran " + attempt.get(1) + ": " + out.strip());
            }
        }
        // the shipped files: the trap receiver on loopback, no SNMP user active
        Path shipped = Path.of(System.getProperty("sm.root"), "karaf-assembly", "src", "main", "resources", "assembly", "etc");
        if (!"127.0.0.1".equals(cfg(shipped.resolve("net.sessionmigration.traps.cfg")).get("listen.address"))) {
            problems.add("the shipped trap receiver does not listen on 127.0.0.1");
        }
        try (var files = Files.list(shipped)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("net.sessionmigration.traps.user")
                    || n.startsWith("net.sessionmigration.snmp.credential")).forEach(n -> problems.add("active SNMP user: " + n));
        }
        // secrets by reference: a switch credential whose passphrases are files; config:list shows the files
        Path secrets = Files.createTempDirectory("itest-secrets");
        String authSecret = "itest-ref-auth-Jx4d-secret";
        String privSecret = "itest-ref-priv-Lm2s-secret";
        Files.writeString(secrets.resolve("auth"), authSecret);
        Files.writeString(secrets.resolve("priv"), privSecret);
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.snmp.credential", "itest-ref", "?"),
                Map.of("name", "itest-ref", "user", "itest-ref-user", "auth.protocol", "SHA-256",
                        "auth.passphraseRef", "file:" + secrets.resolve("auth"), "priv.protocol", "AES-256",
                        "priv.passphraseRef", "file:" + secrets.resolve("priv")));
        String listed = execute("config:list");
        if (!listed.contains("itest-ref-user")) {
            problems.add("config:list does not list the credential configured by reference");
        }
        if (listed.contains(authSecret) || listed.contains(privSecret)) {
            problems.add("config:list shows a passphrase given by reference");
        }
        assertEquals("the assembly as shipped", List.of(), problems);
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A Karaf .cfg as key -> value (comments and blank lines skipped; no continuation lines in ours). */
    private static Map<String, String> cfg(Path f) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String t = line.strip();
            int eq = t.indexOf('=');
            if (t.isEmpty() || t.startsWith("#") || eq < 0) {
                continue;
            }
            m.put(t.substring(0, eq).strip(), t.substring(eq + 1).strip());
        }
        return m;
    }

    private static String jmxAttributes() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("net.sessionmigration:type=TrapReceiver");
        StringBuilder all = new StringBuilder();
        for (MBeanAttributeInfo a : server.getMBeanInfo(name).getAttributes()) {
            all.append(a.getName()).append('=').append(server.getAttribute(name, a.getName())).append('\n');
        }
        return all.toString();
    }

    private static int closedUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            return s.getLocalPort();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("keytool: " + out, 0, p.waitFor());
    }
}

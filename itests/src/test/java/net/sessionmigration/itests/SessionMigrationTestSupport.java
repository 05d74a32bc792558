package net.sessionmigration.itests;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;

import net.sessionmigration.api.service.DriverStatus;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationService;

/**
 * Boots the project's own Karaf assembly (built by karaf-assembly) and gives the tests the
 * coordinator's services, the shell, Config Admin and the features service.
 */
public abstract class SessionMigrationTestSupport {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    protected BundleContext bundleContext;
    @Inject
    protected MigrationService migrations;
    @Inject
    protected MigrationAdminService admin;
    @Inject
    protected SessionFactory sessionFactory;
    @Inject
    protected ConfigurationAdmin configAdmin;
    @Inject
    protected FeaturesService features;

    @Configuration
    public Option[] config() {
        String assembly = System.getProperty("sm.assembly");
        return new Option[] {
            karafDistributionConfiguration("file:" + assembly, "session-migration", System.getProperty("karaf.version"))
                    .unpackDirectory(new File("target/exam"))
                    .useDeployFolder(false),
            configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
            logLevel(LogLevel.INFO),
            systemProperty("sm.root").value(new File("..").getAbsoluteFile().toPath().normalize().toString()),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", freePort()),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", freePort()),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", freePort()),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                    System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository")),
        };
    }

    /** The probe starts only once Karaf's boot features are in: see {@link BootGate}. */
    @ProbeBuilder
    public TestProbeBuilder probe(TestProbeBuilder probe) {
        probe.setHeader(Constants.BUNDLE_ACTIVATOR, BootGate.class.getName());
        return probe;
    }

    private static String freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return Integer.toString(s.getLocalPort());
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    protected Path plansDir() {
        return Path.of(System.getProperty("karaf.etc"), "migration", "plans");
    }

    protected void writePlan(String fileName, String json) throws IOException {
        Path dir = plansDir();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + fileName + ".tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(fileName), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Installs the simulated drivers' feature through the features service registered now: Karaf
     * may still be finishing its boot provisioning when a test starts, and replaces its features
     * service then (the injected one's executor is terminated: RejectedExecutionException, seen
     * once in LoadOnLabIT); so it is looked up again and asked again for a while.
     */
    protected void installSimulatedDrivers() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            var ref = bundleContext.getServiceReference(FeaturesService.class);
            FeaturesService fs = ref == null ? null : bundleContext.getService(ref);
            try {
                if (fs != null) {
                    if (!fs.isInstalled(fs.getFeature("sm-simulated-drivers"))) {
                        fs.installFeature("sm-simulated-drivers");
                    }
                    return;
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            } finally {
                if (fs != null) {
                    bundleContext.ungetService(ref);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no features service within " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(200);
        }
    }

    /** Sets the simulated drivers' fault injection (empty strings clear it) and waits for it to apply. */
    protected void configureSimulated(String pid, String fail, String delay) throws Exception {
        update(configAdmin.getConfiguration(pid, "?"), Map.of("fail", fail, "delay", delay));
        Thread.sleep(500);
    }

    /** Replaces a Config Admin configuration's properties with these. */
    static void update(org.osgi.service.cm.Configuration c, Map<String, ?> values) throws IOException {
        Dictionary<String, Object> props = new Hashtable<>(values);
        c.update(props);
    }

    /**
     * The real drivers on the lab: the daemon driver talks to these daemons ({@code name → https URL})
     * with the lab's PKI, the switch sw1 is reached over SNMPv3 authPriv with the lab's credential
     * (lab/run/credentials.env, never printed); returns once these driver types are installed.
     */
    protected void configureLabDrivers(LabFixture lab, Map<String, String> daemons, String... driverTypes)
            throws Exception {
        Path pki = lab.pki();
        update(configAdmin.getConfiguration("net.sessionmigration.daemon.driver", "?"), Map.of(
                "servers", daemons.entrySet().stream().map(d -> d.getKey() + "=" + d.getValue()).toArray(String[]::new),
                "keystore", pki.resolve("coordinator.p12").toString(),
                "keystorePasswordRef", "file:" + pki.resolve("store.pass"),
                "truststore", pki.resolve("truststore.p12").toString(),
                "truststorePasswordRef", "file:" + pki.resolve("store.pass"),
                "timeoutSeconds", 60));
        Map<String, String> secrets = lab.env("credentials.env");
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.snmp.credential", "itest-v3", "?"), Map.of(
                "name", "lab-v3", "user", secrets.get("SNMP_V3_SHA256_USER"),
                "auth.protocol", "SHA-256", "auth.passphrase", secrets.get("SNMP_V3_SHA256_AUTH"),
                "priv.protocol", "AES-256", "priv.passphrase", secrets.get("SNMP_V3_SHA256_PRIV")));
        update(configAdmin.getFactoryConfiguration("net.sessionmigration.vlan.qbridge.device", "itest-sw1", "?"), Map.of(
                "name", "sw1", "address", "10.99.1.1", "port", "161", "version", "v3", "credential", "lab-v3",
                "timeout.millis", "1000", "retries", "1", "max.varbinds", "60", "style", "pvid"));
        List<String> wanted = List.of(driverTypes);
        waitFor(String.join(", ", wanted) + " installed", () -> {
            Set<String> installed = migrations.drivers().stream().filter(DriverStatus::installed)
                    .map(DriverStatus::driverType).collect(Collectors.toSet());
            return installed.containsAll(wanted);
        });
    }

    protected static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** The roles of the assembly's administrator group (etc/users.properties). */
    protected static final List<String> ADMIN = List.of("admin", "manager", "viewer", "systembundles", "ssh");

    /**
     * Runs a shell command as an administrator would and returns what it printed. Karaf registers
     * a bundle's commands asynchronously after it starts: a command of ours not found yet is asked
     * again for a while (one that never appears still ends in "Command not found").
     */
    protected String execute(String command) throws Exception {
        return executeAs(ADMIN, command);
    }

    /** The same as a user with these Karaf roles: the command ACLs decide what the user may run. */
    protected String executeAs(List<String> roles, String command) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        String out = executeOnce(roles, command);
        while (roles.contains("admin") && out.contains("Command not found: migration:") && System.nanoTime() < deadline) {
            Thread.sleep(250);
            out = executeOnce(roles, command);
        }
        return out;
    }

    private String executeOnce(List<String> roles, String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        javax.security.auth.Subject user = new javax.security.auth.Subject();
        user.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.UserPrincipal("itest"));
        roles.forEach(r -> user.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal(r)));
        try (Session session = sessionFactory.create(System.in, out, out)) {
            javax.security.auth.Subject.doAs(user, (java.security.PrivilegedExceptionAction<Object>) () -> session.execute(command));
        } catch (Exception e) {
            Throwable cause = e instanceof java.security.PrivilegedActionException p ? p.getException() : e;
            out.println("ERROR: " + cause.getMessage());
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static String mavenUrl(String artifact) {
        return maven("net.sessionmigration", artifact).version(System.getProperty("sm.version")).getURL();
    }
}

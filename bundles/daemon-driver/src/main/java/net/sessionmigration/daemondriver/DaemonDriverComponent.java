package net.sessionmigration.daemondriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.WorkloadState;

/** DS wrapper: reads Config Admin, builds the mTLS client, delegates to {@link CriuDaemonMover}. */
@Component(service = WorkloadMover.class, configurationPolicy = ConfigurationPolicy.REQUIRE,
        configurationPid = DaemonDriverComponent.PID,
        property = {"driver.type=" + CriuDaemonMover.DRIVER_TYPE, "vendor=session-migration"})
@Designate(ocd = DaemonDriverComponent.Config.class)
public class DaemonDriverComponent implements WorkloadMover {
    static final String PID = "net.sessionmigration.daemon.driver";
    private static final Logger LOG = Logger.getLogger(PID);

    @ObjectClassDefinition(name = "Migration daemon driver (criu-daemon)",
            description = "Endpoints and TLS material of the migration daemons")
    public @interface Config {
        @AttributeDefinition(description = "Daemons, one per server: name=https://address:port")
        String[] servers();

        @AttributeDefinition(description = "PKCS12 key store with this driver's client certificate")
        String keystore();

        @AttributeDefinition(description = "Where the key store password is: file:/path or env:VARIABLE")
        String keystorePasswordRef();

        @AttributeDefinition(description = "PKCS12 trust store with the daemons' CA")
        String truststore();

        @AttributeDefinition(description = "Where the trust store password is: file:/path or env:VARIABLE")
        String truststorePasswordRef();

        @AttributeDefinition(description = "Timeout of one daemon call in seconds (migrate included)")
        int timeoutSeconds() default 60;
    }

    private volatile CriuDaemonMover mover;

    @Activate
    @Modified
    void configure(Config c) throws Exception {
        Map<String, String> servers = parseServers(c.servers());
        var ssl = DaemonClient.sslContext(Path.of(c.keystore()), secret(c.keystorePasswordRef()),
                Path.of(c.truststore()), secret(c.truststorePasswordRef()));
        mover = new CriuDaemonMover(new DaemonClient(ssl, servers, Duration.ofSeconds(c.timeoutSeconds())));
        LOG.info("criu-daemon driver configured for servers " + servers.keySet()); // never the passwords
    }

    static Map<String, String> parseServers(String[] entries) {
        Map<String, String> m = new LinkedHashMap<>();
        // a .cfg line "servers = a=https://…,b=https://…" arrives as one string: split it too
        for (String e : java.util.Arrays.stream(entries == null ? new String[0] : entries)
                .flatMap(x -> java.util.Arrays.stream(x.split(","))).map(String::strip).filter(x -> !x.isEmpty()).toList()) {
            int i = e.indexOf('=');
            if (i <= 0 || !e.substring(i + 1).strip().startsWith("https://")) {
                throw new IllegalArgumentException("servers entry '" + e + "' is not name=https://host:port");
            }
            m.put(e.substring(0, i).strip(), e.substring(i + 1).strip());
        }
        return m;
    }

    /** Resolves a password reference; the value never reaches a log or an exception text. */
    static char[] secret(String ref) throws java.io.IOException {
        if (ref != null && ref.startsWith("file:")) {
            return Files.readString(Path.of(ref.substring(5))).strip().toCharArray();
        }
        if (ref != null && ref.startsWith("env:")) {
            String v = System.getenv(ref.substring(4));
            if (v == null) {
                throw new java.io.IOException("environment variable " + ref.substring(4) + " is not set");
            }
            return v.toCharArray();
        }
        throw new IllegalArgumentException("password reference must be file:/path or env:VARIABLE");
    }

    @Override
    public MoverCapabilities capabilities() {
        return mover.capabilities();
    }

    @Override
    public Result<Preflight> preflight(WorkloadTask task) {
        return mover.preflight(task);
    }

    @Override
    public Result<OpReport> freeze(WorkloadTask task, DriverContext context) {
        return mover.freeze(task, context);
    }

    @Override
    public Result<OpReport> migrate(WorkloadTask task, DriverContext context) {
        return mover.migrate(task, context);
    }

    @Override
    public Result<OpReport> moveVirtualIp(WorkloadTask task, DriverContext context) {
        return mover.moveVirtualIp(task, context);
    }

    @Override
    public Result<OpReport> resume(WorkloadTask task, DriverContext context) {
        return mover.resume(task, context);
    }

    @Override
    public Result<OpReport> announce(WorkloadTask task, DriverContext context) {
        return mover.announce(task, context);
    }

    @Override
    public Result<OpReport> rollback(WorkloadTask task, Step reached, DriverContext context) {
        return mover.rollback(task, reached, context);
    }

    @Override
    public Result<WorkloadState> state(WorkloadTask task) {
        return mover.state(task);
    }
}

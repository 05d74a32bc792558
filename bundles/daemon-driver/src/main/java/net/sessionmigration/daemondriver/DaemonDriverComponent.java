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

import net.sessionmigration.api.driver.SecretRef;
import net.sessionmigration.api.driver.WorkloadMover;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MutualTls;

/** DS wrapper: reads Config Admin, builds the mTLS client, delegates to {@link CriuDaemonMover}. Its
 *  configuration also serves {@link QemuDaemonDriverComponent}. */
@Component(service = WorkloadMover.class, configurationPolicy = ConfigurationPolicy.REQUIRE,
        configurationPid = DaemonDriverComponent.PID,
        property = {"driver.type=" + CriuDaemonMover.DRIVER_TYPE, "vendor=session-migration"})
@Designate(ocd = DaemonDriverComponent.Config.class)
public class DaemonDriverComponent extends DelegatingMover {
    static final String PID = "net.sessionmigration.daemon.driver";
    private static final Logger LOG = Logger.getLogger(PID);

    @ObjectClassDefinition(name = "Migration daemon drivers (criu-daemon, qemu-daemon)",
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
        mover = new CriuDaemonMover(client(c));
        LOG.info("criu-daemon driver configured for servers " + parseServers(c.servers()).keySet()); // never the passwords
    }

    /** The mTLS client both movers (criu-daemon, qemu-daemon) build from this one configuration. */
    static DaemonClient client(Config c) throws Exception {
        Map<String, String> servers = parseServers(c.servers());
        var ssl = MutualTls.sslContext(Path.of(c.keystore()), SecretRef.resolve(c.keystorePasswordRef()).toCharArray(),
                Path.of(c.truststore()), SecretRef.resolve(c.truststorePasswordRef()).toCharArray());
        return new DaemonClient(ssl, servers, Duration.ofSeconds(c.timeoutSeconds()));
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

    @Override
    WorkloadMover delegate() {
        return mover;
    }
}

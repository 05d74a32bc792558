package net.sessionmigration.vlan.netlink;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import net.sessionmigration.api.driver.SecretRef;
import net.sessionmigration.daemon.protocol.MutualTls;

/** One Linux gateway: one instance per factory configuration of {@value #PID}. */
@Component(service = GatewayDeviceConfig.class, configurationPid = GatewayDeviceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = GatewayDeviceConfig.Config.class, factory = true)
public class GatewayDeviceConfig {
    public static final String PID = "net.sessionmigration.vlan.netlink.gateway";

    @ObjectClassDefinition(name = "Session migration: Linux gateway (netlink-gateway)",
            description = "How the netlink-gateway VLAN driver reaches the gateway role of one migration daemon")
    public @interface Config {
        @AttributeDefinition(description = "The device name used in plans, e.g. gw")
        String name();

        @AttributeDefinition(description = "The gateway daemon, https://address:port")
        String url();

        @AttributeDefinition(description = "PKCS12 key store with this driver's client certificate")
        String keystore();

        @AttributeDefinition(description = "Where the key store password is: file:/path or env:VARIABLE")
        String keystorePasswordRef();

        @AttributeDefinition(description = "PKCS12 trust store with the daemons' CA")
        String truststore();

        @AttributeDefinition(description = "Where the trust store password is: file:/path or env:VARIABLE")
        String truststorePasswordRef();

        @AttributeDefinition(name = "timeout.millis", description = "Timeout of one request (a whole batch)")
        int timeout_millis() default 5000;
    }

    private GatewayClient client;

    @Activate
    void activate(Config c) throws Exception {
        client = create(c.name(), c.url(), c.keystore(), c.keystorePasswordRef(), c.truststore(),
                c.truststorePasswordRef(), c.timeout_millis());
    }

    static GatewayClient create(String name, String url, String keystore, String keystoreRef, String truststore,
                                String truststoreRef, int timeoutMillis) throws Exception {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("name must be a device name as used in plans");
        }
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("gateway " + name + ": timeout.millis must be positive");
        }
        var ssl = MutualTls.sslContext(Path.of(keystore), SecretRef.resolve(keystoreRef).toCharArray(),
                Path.of(truststore), SecretRef.resolve(truststoreRef).toCharArray());
        return new GatewayClient(name, URI.create(url), ssl, Duration.ofMillis(timeoutMillis));
    }

    public GatewayClient client() {
        return client;
    }
}

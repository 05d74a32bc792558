package net.sessionmigration.vlan.qbridge;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One named SNMP credential: one instance per factory configuration of {@value #PID}. */
@Component(service = {}, immediate = true, configurationPid = SnmpCredentialConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SnmpCredentialConfig.Config.class, factory = true)
public class SnmpCredentialConfig {
    public static final String PID = "net.sessionmigration.snmp.credential";

    @ObjectClassDefinition(name = "Session migration: SNMP credential",
            description = "A v2c community or a v3 user, referred to by name from switch profiles")
    public @interface Config {
        @AttributeDefinition(description = "The name switch profiles use in 'credential'")
        String name();

        @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "v2c community")
        String community() default "";

        @AttributeDefinition(required = false, description = "v3 user (security name)")
        String user() default "";

        @AttributeDefinition(name = "auth.protocol", required = false,
                description = "v3 authentication; SHA-256 when a user is set and this is empty, 'none' for noAuthNoPriv", options = {@Option(value = "none"),
                @Option(value = "MD5"), @Option(value = "SHA"), @Option(value = "SHA-224"), @Option(value = "SHA-256"),
                @Option(value = "SHA-384"), @Option(value = "SHA-512")})
        String auth_protocol() default "SHA-256";

        @AttributeDefinition(name = "auth.passphrase", required = false, type = AttributeType.PASSWORD)
        String auth_passphrase() default "";

        @AttributeDefinition(name = "priv.protocol", required = false,
                description = "v3 privacy; AES-256 when a user is set and this is empty, 'none' for authNoPriv", options = {@Option(value = "none"),
                @Option(value = "DES"), @Option(value = "AES"), @Option(value = "AES-192"), @Option(value = "AES-256")})
        String priv_protocol() default "AES-256";

        @AttributeDefinition(name = "priv.passphrase", required = false, type = AttributeType.PASSWORD)
        String priv_passphrase() default "";
    }

    @Reference
    private CredentialStore store;
    private String pid;

    @Activate
    @Modified
    void activate(Map<String, Object> properties) {
        pid = String.valueOf(properties.get("service.pid"));
        store.put(pid, SnmpCredential.fromProperties(properties));
    }

    @Deactivate
    void deactivate() {
        store.remove(pid);
    }
}

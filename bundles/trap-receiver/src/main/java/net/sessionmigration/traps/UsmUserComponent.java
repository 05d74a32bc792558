package net.sessionmigration.traps;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One SNMPv3 USM user of the trap receiver per factory configuration of {@value #PID}. */
@Component(configurationPid = UsmUserComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = UserSource.class)
@Designate(ocd = UsmUserComponent.Config.class, factory = true)
public final class UsmUserComponent implements UserSource {
    public static final String PID = "net.sessionmigration.traps.user";
    private static final Logger LOG = LoggerFactory.getLogger(UsmUserComponent.class);

    @ObjectClassDefinition(id = PID, name = "Session migration: SNMPv3 trap user",
            description = "A USM user whose traps and informs are accepted, from any sender engine ID. No auth.protocol: noAuthNoPriv; auth only: authNoPriv; both: authPriv.")
    public @interface Config {
        String user();

        @AttributeDefinition(name = "auth.protocol", required = false,
                description = "SHA, SHA-224, SHA-256, SHA-384, SHA-512, MD5 (legacy, only when named here); empty for noAuthNoPriv")
        String auth_protocol() default "SHA-256";

        @AttributeDefinition(name = "auth.passphrase", required = false, type = AttributeType.PASSWORD)
        String auth_passphrase() default "";

        @AttributeDefinition(name = "priv.protocol", required = false,
                description = "AES (AES-128), AES-192, AES-256, AES-192-C, AES-256-C, DES (legacy); empty for authNoPriv")
        String priv_protocol() default "AES-256";

        @AttributeDefinition(name = "priv.passphrase", required = false, type = AttributeType.PASSWORD)
        String priv_passphrase() default "";
    }

    private String key;
    private Optional<UsmUserSpec> user = Optional.empty();
    private List<String> errors = List.of();

    @Activate
    void activate(Map<String, Object> props) {
        key = String.valueOf(props.getOrDefault("service.pid", props.get("component.id")));
        ConfigReader r = new ConfigReader(props);
        UsmUserSpec spec = UsmUserSpec.read(r, "");
        errors = r.errors();
        if (errors.isEmpty()) {
            user = Optional.of(spec);
        } else {
            LOG.error("SNMPv3 trap user configuration {} is invalid and not used: {}", key, errors);
        }
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public Optional<UsmUserSpec> user() {
        return user;
    }

    @Override
    public List<String> errors() {
        return errors;
    }
}

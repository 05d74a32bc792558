package net.sessionmigration.traps;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One load rule per factory configuration of {@value TriggerRule#LOAD_PID}. */
@Component(configurationPid = TriggerRule.LOAD_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = RuleSource.class)
@Designate(ocd = LoadRuleComponent.Config.class, factory = true)
public final class LoadRuleComponent extends RuleSource {

    @ObjectClassDefinition(id = TriggerRule.LOAD_PID, name = "Session migration: load trigger rule",
            description = "Connected users above a threshold while the backup site is not active: start the plan in REPLICATE, once until reset.")
    public @interface Config {
        String name();

        String plan();

        @AttributeDefinition(description = "Fires when count > threshold (a number, e.g. 2.5)")
        String threshold();

        @AttributeDefinition(options = {@org.osgi.service.metatype.annotations.Option(value = "trap"),
                @org.osgi.service.metatype.annotations.Option(value = "poll")})
        String source() default "trap";

        @AttributeDefinition(name = "holddown.seconds", description = "Minimum time between two starts (after a failed REPLICATE)")
        int holddown_seconds() default 60;

        @AttributeDefinition(name = "trap.oid", required = false, description = "source=trap: the notification carrying the count")
        String trap_oid() default "";

        @AttributeDefinition(name = "count.oid", required = false, description = "source=trap: the varbind holding the count")
        String count_oid() default "";

        @AttributeDefinition(name = "agent.address", required = false, description = "source=poll: the main server's SNMP agent (IP literal)")
        String agent_address() default "";

        @AttributeDefinition(name = "agent.port", required = false)
        int agent_port() default 161;

        @AttributeDefinition(name = "poll.seconds", required = false)
        int poll_seconds() default 30;

        @AttributeDefinition(name = "service.port", required = false, description = "source=poll: local TCP port of the service")
        int service_port() default 0;

        @AttributeDefinition(name = "virtual.ip", required = false, description = "source=poll: overrides the plan's virtual IP")
        String virtual_ip() default "";

        @AttributeDefinition(required = false, options = {@org.osgi.service.metatype.annotations.Option(value = "auto"),
                @org.osgi.service.metatype.annotations.Option(value = "tcpConnectionTable"),
                @org.osgi.service.metatype.annotations.Option(value = "tcpConnTable")})
        String table() default "auto";

        @AttributeDefinition(name = "snmp.version", required = false, options = {
                @org.osgi.service.metatype.annotations.Option(value = "v3"), @org.osgi.service.metatype.annotations.Option(value = "v2c")})
        String snmp_version() default "v3";

        @AttributeDefinition(required = false, type = AttributeType.PASSWORD, description = "snmp.version=v2c only")
        String community() default "";

        @AttributeDefinition(required = false)
        String user() default "";

        @AttributeDefinition(name = "auth.protocol", required = false)
        String auth_protocol() default "";

        @AttributeDefinition(name = "auth.passphrase", required = false, type = AttributeType.PASSWORD)
        String auth_passphrase() default "";

        @AttributeDefinition(name = "priv.protocol", required = false)
        String priv_protocol() default "";

        @AttributeDefinition(name = "priv.passphrase", required = false, type = AttributeType.PASSWORD)
        String priv_passphrase() default "";
    }

    @Activate
    void activate(Map<String, Object> props) {
        configure(props, TriggerRule.load(props));
    }
}

package net.sessionmigration.traps;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One disaster rule per factory configuration of {@value TriggerRule#DISASTER_PID}. */
@Component(configurationPid = TriggerRule.DISASTER_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = RuleSource.class)
@Designate(ocd = DisasterRuleComponent.Config.class, factory = true)
public final class DisasterRuleComponent extends RuleSource {

    @ObjectClassDefinition(id = TriggerRule.DISASTER_PID, name = "Session migration: disaster trigger rule",
            description = "A trap (OID, optional varbind values, optional source) that starts a plan.")
    public @interface Config {
        @AttributeDefinition(description = "Rule name, used in the trigger 'trap:<name>'")
        String name();

        @AttributeDefinition(name = "trap.oid", description = "Numeric notification OID, e.g. 1.3.6.1.2.1.33.2.1 (upsTrapOnBattery)")
        String trap_oid();

        @AttributeDefinition(name = "varbind.matches", required = false,
                description = "OID=value pairs that must all be present, e.g. 1.3.6.1.2.1.33.1.2.1.0=3")
        String[] varbind_matches() default {};

        @AttributeDefinition(name = "source.address", required = false, description = "Only traps from this IP literal")
        String source_address() default "";

        @AttributeDefinition(description = "Plan to start")
        String plan();

        @AttributeDefinition(name = "holddown.seconds", description = "After firing, the same alarm is a duplicate for this long")
        int holddown_seconds() default 60;
    }

    @Activate
    void activate(Map<String, Object> props) {
        configure(props, TriggerRule.disaster(props));
    }
}

package net.sessionmigration.vlan.qbridge;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One switch profile: one instance per factory configuration of {@value #PID}. */
@Component(service = SwitchDeviceConfig.class, configurationPid = SwitchDeviceConfig.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SwitchDeviceConfig.Config.class, factory = true)
public class SwitchDeviceConfig {
    public static final String PID = "net.sessionmigration.vlan.qbridge.device";

    @ObjectClassDefinition(name = "Session migration: SNMP switch (Q-BRIDGE or Cisco)",
            description = "How the snmp-qbridge VLAN driver reaches one switch named in plans")
    public @interface Config {
        @AttributeDefinition(description = "The device name used in plans, e.g. sw1")
        String name();

        @AttributeDefinition(description = "The switch's SNMP agent address (IP or host name)")
        String address();

        @AttributeDefinition(description = "UDP port of the agent")
        int port() default 161;

        @AttributeDefinition(description = "v3 (the default; with a v3 credential) or v2c (community, cleartext)",
                options = {@Option(value = "v3"), @Option(value = "v2c")})
        String version() default "v3";

        @AttributeDefinition(description = "Name of a net.sessionmigration.snmp.credential configuration")
        String credential();

        @AttributeDefinition(name = "timeout.millis", description = "Per-attempt timeout of one request")
        int timeout_millis() default 1000;

        @AttributeDefinition(description = "Retries after a timeout")
        int retries() default 1;

        @AttributeDefinition(name = "max.varbinds", description = "Varbinds per PDU; larger batches are split")
        int max_varbinds() default 60;

        @AttributeDefinition(description = "pvid: set dot1qPvid only; pvid+static: also rewrite the static "
                + "Egress/Untagged PortLists of the old and new VLAN in the same SET; cisco-vmvlan: Cisco IOS/IOS-XE "
                + "access ports, set CISCO-VLAN-MEMBERSHIP-MIB vmVlan.<ifIndex>",
                options = {@Option(value = "pvid"), @Option(value = "pvid+static"), @Option(value = "cisco-vmvlan")})
        String style() default "pvid";

        @AttributeDefinition(name = "port.map", required = false,
                description = "Plan port name = dot1dBasePort (style cisco-vmvlan: = ifIndex), comma separated "
                        + "(default: the name is the dot1dBasePort number)")
        String port_map() default "";

        @AttributeDefinition(name = "set.mode", description = "batch: all ports of a switch in one SET (split at "
                + "max.varbinds); one-per-pdu: every value in a SET of its own, for a switch that applies only the first "
                + "value of a multi-value SET", options = {@Option(value = "batch"), @Option(value = "one-per-pdu")})
        String set_mode() default "batch";

        @AttributeDefinition(name = "set.order", description = "Style pvid+static: pvid-first writes dot1qPvid "
                + "before the port joins the new VLAN's PortLists; membership-first after (for a switch that refuses a "
                + "PVID the port is no member of). Leaving the old VLAN always comes last",
                options = {@Option(value = "pvid-first"), @Option(value = "membership-first")})
        String set_order() default "pvid-first";

        @AttributeDefinition(name = "port.index", description = "basePort: port.map numbers (and plan port "
                + "numbers) are dot1dBasePort; ifIndex: they are ifIndexes, mapped to dot1dBasePort through BRIDGE-MIB "
                + "dot1dBasePortIfIndex (read once per session)",
                options = {@Option(value = "basePort"), @Option(value = "ifIndex")})
        String port_index() default "basePort";

        @AttributeDefinition(required = false, description = "Style cisco-vmvlan only: after a successful move or "
                + "restore, copy running-config to startup-config (CISCO-CONFIG-COPY-MIB); a failed save is reported "
                + "and does not undo the move")
        boolean saveConfig() default false;
    }

    private DeviceProfile profile;

    @Activate
    void activate(Map<String, Object> properties) {
        profile = DeviceProfile.fromProperties(properties);
    }

    public DeviceProfile profile() {
        return profile;
    }
}

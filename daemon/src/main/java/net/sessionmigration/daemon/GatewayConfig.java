package net.sessionmigration.daemon;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway role of the daemon (optional section {@code "gateway"} of the config): this
 * daemon runs on a Linux gateway and moves users' access ports between VLANs.
 *
 * @param mode        {@code bridge-per-vlan} (default: VLAN N is its own bridge, a port's VLAN is
 *                    its master bridge) or {@code vlan-filtering} (one VLAN-aware bridge, a port's
 *                    VLAN is its PVID; AF_BRIDGE messages)
 * @param vlanBridge  bridge-per-vlan: the bridge name of VLAN N, with {@code {vlan}} for N
 *                    (default {@code br-v{vlan}})
 * @param bridge      vlan-filtering: the name of the VLAN-aware bridge the ports belong to
 */
public record GatewayConfig(String mode, String vlanBridge, String bridge) {
    public static final String BRIDGE_PER_VLAN = "bridge-per-vlan";
    public static final String VLAN_FILTERING = "vlan-filtering";

    public GatewayConfig {
        if (mode == null || mode.isBlank()) {
            mode = BRIDGE_PER_VLAN;
        }
        if (!mode.equals(BRIDGE_PER_VLAN) && !mode.equals(VLAN_FILTERING)) {
            throw new IllegalArgumentException("gateway.mode must be " + BRIDGE_PER_VLAN + " or " + VLAN_FILTERING);
        }
        if (vlanBridge == null || vlanBridge.isBlank()) {
            vlanBridge = "br-v{vlan}";
        }
        int at = vlanBridge.indexOf("{vlan}");
        if (at < 0 || vlanBridge.indexOf("{vlan}", at + 1) >= 0) {
            throw new IllegalArgumentException("gateway.vlanBridge must contain {vlan} exactly once");
        }
        if (!RequestNames.isValid(vlanBridge.replace("{vlan}", "4094")) || vlanBridge.replace("{vlan}", "4094").length() > 15) {
            throw new IllegalArgumentException("gateway.vlanBridge does not give valid interface names");
        }
        if (mode.equals(VLAN_FILTERING) && !isInterfaceName(bridge)) {
            throw new IllegalArgumentException("gateway.bridge (the VLAN-aware bridge) is required in mode " + VLAN_FILTERING);
        }
    }

    /** The bridge of VLAN {@code vlan} in bridge-per-vlan mode. */
    public String bridgeOf(int vlan) {
        return vlanBridge.replace("{vlan}", Integer.toString(vlan));
    }

    /** The VLAN whose bridge is named {@code name}, or empty if the name does not follow the pattern. */
    public OptionalInt vlanOfBridge(String name) {
        int at = vlanBridge.indexOf("{vlan}");
        Pattern p = Pattern.compile(Pattern.quote(vlanBridge.substring(0, at)) + "([1-9][0-9]{0,3})"
                + Pattern.quote(vlanBridge.substring(at + 6)));
        Matcher m = p.matcher(name == null ? "" : name);
        if (!m.matches()) {
            return OptionalInt.empty();
        }
        int v = Integer.parseInt(m.group(1));
        return v >= 1 && v <= 4094 ? OptionalInt.of(v) : OptionalInt.empty();
    }

    /** Interface names: 1-15 characters of the request-name alphabet. */
    public static boolean isInterfaceName(String s) {
        return RequestNames.isValid(s) && s.length() <= 15;
    }
}

package net.sessionmigration.vlan.qbridge;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach one switch named in plans: address, SNMP version, the name of its credential,
 * timing, PDU size, write style, the mapping of plan port names to port numbers (dot1dBasePort,
 * or ifIndex in style cisco-vmvlan) and whether to save the configuration after a change.
 */
public record DeviceProfile(String name, String address, int port, Version version, String credential,
                            Duration timeout, int retries, int maxVarbinds, Style style, Map<String, Integer> portMap,
                            boolean saveConfig) {

    public enum Version {
        V2C, V3;

        static Version parse(String text) {
            String t = text == null ? "v3" : text.trim().toLowerCase(java.util.Locale.ROOT);
            return switch (t) {
                case "v2c", "2c", "2" -> V2C;
                case "v3", "3" -> V3;
                default -> throw new IllegalArgumentException("version '" + text + "' is not v2c or v3");
            };
        }
    }

    /** What a SET writes: real switches need one or another. */
    public enum Style {
        /** dot1qPvid only; the switch keeps its static VLAN membership in step. */
        PVID("pvid"),
        /** dot1qPvid and, in the same PDU, the Egress and Untagged PortLists of the old and new VLAN. */
        PVID_STATIC("pvid+static"),
        /**
         * Cisco IOS/IOS-XE access ports: CISCO-VLAN-MEMBERSHIP-MIB vmVlan.&lt;ifIndex&gt; (INTEGER), the target
         * VLAN checked with CISCO-VTP-MIB vtpVlanState; see {@link CiscoVmVlan}.
         */
        CISCO_VMVLAN("cisco-vmvlan");

        private final String text;

        Style(String text) {
            this.text = text;
        }

        static Style parse(String text) {
            String t = text == null || text.isBlank() ? "pvid" : text.trim();
            for (Style s : values()) {
                if (s.text.equals(t)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("style '" + text + "' is not pvid, pvid+static or cisco-vmvlan");
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public DeviceProfile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a device profile needs a name (the device name used in plans)");
        }
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("device " + name + ": address is missing");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("device " + name + ": port " + port + " is not 1-65535");
        }
        if (credential == null || credential.isBlank()) {
            throw new IllegalArgumentException("device " + name + ": credential (the name of an "
                    + "net.sessionmigration.snmp.credential configuration) is missing");
        }
        version = version == null ? Version.V3 : version;
        timeout = timeout == null ? Duration.ofMillis(1000) : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("device " + name + ": timeout.millis must be positive");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("device " + name + ": retries must be 0 or more");
        }
        if (maxVarbinds < 2) {
            throw new IllegalArgumentException("device " + name + ": max.varbinds must be at least 2");
        }
        style = style == null ? Style.PVID : style;
        portMap = Map.copyOf(portMap == null ? Map.of() : portMap);
        if (saveConfig && style != Style.CISCO_VMVLAN) {
            throw new IllegalArgumentException("device " + name + ": saveConfig needs style cisco-vmvlan "
                    + "(it copies running-config to startup-config with CISCO-CONFIG-COPY-MIB), not " + style);
        }
    }

    /** Without saveConfig (the default). */
    public DeviceProfile(String name, String address, int port, Version version, String credential, Duration timeout,
                         int retries, int maxVarbinds, Style style, Map<String, Integer> portMap) {
        this(name, address, port, version, credential, timeout, retries, maxVarbinds, style, portMap, false);
    }

    public static DeviceProfile of(String name, String address, Version version, String credential, Style style) {
        return new DeviceProfile(name, address, 161, version, credential, Duration.ofMillis(1000), 1, 60, style, Map.of());
    }

    public DeviceProfile withTimeout(Duration t, int r) {
        return new DeviceProfile(name, address, port, version, credential, t, r, maxVarbinds, style, portMap, saveConfig);
    }

    public DeviceProfile withMaxVarbinds(int max) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, max, style, portMap,
                saveConfig);
    }

    public DeviceProfile withCredential(String c) {
        return new DeviceProfile(name, address, port, version, c, timeout, retries, maxVarbinds, style, portMap, saveConfig);
    }

    public DeviceProfile withAddress(String a, int p) {
        return new DeviceProfile(name, a, p, version, credential, timeout, retries, maxVarbinds, style, portMap, saveConfig);
    }

    public DeviceProfile withPortMap(Map<String, Integer> map) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, maxVarbinds, style, map,
                saveConfig);
    }

    public DeviceProfile withSaveConfig(boolean save) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, maxVarbinds, style, portMap,
                save);
    }

    /**
     * The port number of a plan's port name: from port.map, else the name itself as a number. It is a
     * dot1dBasePort, except in style cisco-vmvlan where a port.map number is an ifIndex (see
     * {@link QBridgeSwitcher.Planned}).
     */
    public Optional<Integer> basePort(String portName) {
        Integer mapped = portMap.get(portName);
        if (mapped != null) {
            return Optional.of(mapped);
        }
        try {
            int n = Integer.parseInt(portName.trim());
            return n >= 1 ? Optional.of(n) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public String target() {
        return address + ":" + port;
    }

    /**
     * From Config Admin properties: name, address, port, version, credential, timeout.millis,
     * retries, max.varbinds, style, port.map ("ge-0/0/1=1, ge-0/0/2=2" or a String[] of such pairs),
     * saveConfig (true/false).
     */
    public static DeviceProfile fromProperties(Map<String, ?> p) {
        String name = SnmpCredential.str(p, "name");
        return new DeviceProfile(name, SnmpCredential.str(p, "address"), intValue(p, "port", 161, name),
                Version.parse(SnmpCredential.str(p, "version")), SnmpCredential.str(p, "credential"),
                Duration.ofMillis(intValue(p, "timeout.millis", 1000, name)), intValue(p, "retries", 1, name),
                intValue(p, "max.varbinds", 60, name), Style.parse(SnmpCredential.str(p, "style")),
                parsePortMap(p.get("port.map"), name), booleanValue(p, "saveConfig", name));
    }

    private static boolean booleanValue(Map<String, ?> p, String key, String device) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (v.toString().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("device " + device + ": " + key + " '" + v
                    + "' is not true or false");
        };
    }

    static Map<String, Integer> parsePortMap(Object value, String device) {
        Map<String, Integer> map = new LinkedHashMap<>();
        if (value == null) {
            return map;
        }
        String[] entries = value instanceof String[] array ? array : value.toString().split(",");
        for (String entry : entries) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("device " + device + ": port.map entry '" + e
                        + "' is not PORTNAME=dot1dBasePort (or PORTNAME=ifIndex in style cisco-vmvlan)");
            }
            try {
                map.put(e.substring(0, eq).trim(), Integer.parseInt(e.substring(eq + 1).trim()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("device " + device + ": port.map entry '" + e
                        + "' has no port number");
            }
        }
        return map;
    }

    private static int intValue(Map<String, ?> p, String key, int dflt, String device) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device " + device + ": " + key + " '" + v + "' is not a number");
        }
    }
}

package net.sessionmigration.vlan.qbridge;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach one switch named in plans: address, SNMP version, the name of its credential,
 * timing, PDU size, write style and the mapping of plan port names to dot1dBasePort numbers.
 */
public record DeviceProfile(String name, String address, int port, Version version, String credential,
                            Duration timeout, int retries, int maxVarbinds, Style style, Map<String, Integer> portMap) {

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

    /** What a SET writes: real switches need one or the other. */
    public enum Style {
        /** dot1qPvid only; the switch keeps its static VLAN membership in step. */
        PVID,
        /** dot1qPvid and, in the same PDU, the Egress and Untagged PortLists of the old and new VLAN. */
        PVID_STATIC;

        static Style parse(String text) {
            String t = text == null ? "pvid" : text.trim();
            return switch (t) {
                case "pvid" -> PVID;
                case "pvid+static" -> PVID_STATIC;
                default -> throw new IllegalArgumentException("style '" + text + "' is not pvid or pvid+static");
            };
        }

        @Override
        public String toString() {
            return this == PVID ? "pvid" : "pvid+static";
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
    }

    public static DeviceProfile of(String name, String address, Version version, String credential, Style style) {
        return new DeviceProfile(name, address, 161, version, credential, Duration.ofMillis(1000), 1, 60, style, Map.of());
    }

    public DeviceProfile withTimeout(Duration t, int r) {
        return new DeviceProfile(name, address, port, version, credential, t, r, maxVarbinds, style, portMap);
    }

    public DeviceProfile withMaxVarbinds(int max) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, max, style, portMap);
    }

    public DeviceProfile withCredential(String c) {
        return new DeviceProfile(name, address, port, version, c, timeout, retries, maxVarbinds, style, portMap);
    }

    /** The dot1dBasePort of a plan's port name: from port.map, else the name itself as a number. */
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
     * retries, max.varbinds, style, port.map ("ge-0/0/1=1, ge-0/0/2=2" or a String[] of such pairs).
     */
    public static DeviceProfile fromProperties(Map<String, ?> p) {
        String name = SnmpCredential.str(p, "name");
        return new DeviceProfile(name, SnmpCredential.str(p, "address"), intValue(p, "port", 161, name),
                Version.parse(SnmpCredential.str(p, "version")), SnmpCredential.str(p, "credential"),
                Duration.ofMillis(intValue(p, "timeout.millis", 1000, name)), intValue(p, "retries", 1, name),
                intValue(p, "max.varbinds", 60, name), Style.parse(SnmpCredential.str(p, "style")),
                parsePortMap(p.get("port.map"), name));
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
                        + "' is not PORTNAME=dot1dBasePort");
            }
            try {
                map.put(e.substring(0, eq).trim(), Integer.parseInt(e.substring(eq + 1).trim()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("device " + device + ": port.map entry '" + e
                        + "' has no dot1dBasePort number");
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

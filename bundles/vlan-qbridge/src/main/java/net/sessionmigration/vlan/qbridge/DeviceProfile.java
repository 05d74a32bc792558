package net.sessionmigration.vlan.qbridge;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach one switch named in plans: address, SNMP version, the name of its credential,
 * timing, PDU size, write style, the mapping of plan port names to port numbers (dot1dBasePort,
 * or ifIndex in style cisco-vmvlan or with port.index = ifIndex), whether to save the configuration
 * after a change, and the vendor differences of a SET: how many varbinds the switch really applies
 * per PDU ({@link SetMode}) and, in style pvid+static, what comes first ({@link SetOrder}).
 */
public record DeviceProfile(String name, String address, int port, Version version, String credential,
                            Duration timeout, int retries, int maxVarbinds, Style style, Map<String, Integer> portMap,
                            boolean saveConfig, SetMode setMode, SetOrder setOrder, PortIndex portIndex) {

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

    /**
     * set.mode: how the values of one switch are sent. A switch that answers noError to a multi-varbind
     * SET but applies only its first value needs {@link #ONE_PER_PDU}; the verify would otherwise catch
     * the ports left behind and fail the move.
     */
    public enum SetMode {
        /** All ports of a switch in one SET PDU (split at max.varbinds): the default. */
        BATCH("batch"),
        /** Every value in a SET of its own, in an order that never leaves a port in no VLAN. */
        ONE_PER_PDU("one-per-pdu");

        private final String text;

        SetMode(String text) {
            this.text = text;
        }

        static SetMode parse(String text, String device) {
            String t = text == null || text.isBlank() ? "batch" : text.trim().toLowerCase(java.util.Locale.ROOT);
            for (SetMode m : values()) {
                if (m.text.equals(t)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("device " + device + ": set.mode '" + text
                    + "' is not batch or one-per-pdu");
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * set.order, style pvid+static only: whether a port's dot1qPvid is written before or after it joins
     * the new VLAN's Egress and Untagged PortLists. Leaving the old VLAN's lists always comes last
     * (untagged before egress), so a port is never in no VLAN.
     */
    public enum SetOrder {
        /** dot1qPvid, then the new VLAN's lists, then the old VLAN's: the default, the order of 1.x. */
        PVID_FIRST("pvid-first"),
        /** The new VLAN's lists (egress, then untagged), then dot1qPvid, then the old VLAN's lists. */
        MEMBERSHIP_FIRST("membership-first");

        private final String text;

        SetOrder(String text) {
            this.text = text;
        }

        static SetOrder parse(String text, String device) {
            String t = text == null || text.isBlank() ? "pvid-first" : text.trim().toLowerCase(java.util.Locale.ROOT);
            for (SetOrder o : values()) {
                if (o.text.equals(t)) {
                    return o;
                }
            }
            throw new IllegalArgumentException("device " + device + ": set.order '" + text
                    + "' is not pvid-first or membership-first");
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * port.index: what the numbers of port.map (and plan port names that are numbers) are. With
     * {@link #IF_INDEX} they are ifIndexes, mapped to dot1dBasePort (styles pvid, pvid+static) through
     * BRIDGE-MIB dot1dBasePortIfIndex, read once per session; in style cisco-vmvlan a plain number is
     * then an ifIndex too (no BRIDGE-MIB read).
     */
    public enum PortIndex {
        /** dot1dBasePort (style cisco-vmvlan: a port.map number is an ifIndex anyway): the default. */
        BASE_PORT("basePort"),
        /** ifIndex (IF-MIB), as `show interfaces` and ifName know the port. */
        IF_INDEX("ifIndex");

        private final String text;

        PortIndex(String text) {
            this.text = text;
        }

        static PortIndex parse(String text, String device) {
            String t = text == null || text.isBlank() ? "baseport" : text.trim().toLowerCase(java.util.Locale.ROOT);
            for (PortIndex i : values()) {
                if (i.text.toLowerCase(java.util.Locale.ROOT).equals(t)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("device " + device + ": port.index '" + text
                    + "' is not basePort or ifIndex");
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
            throw new IllegalArgumentException("device " + name + ": max.varbinds must be at least 2 (it also sizes"
                    + " the GETs; for a switch that applies only the first value of a SET, set set.mode = one-per-pdu)");
        }
        style = style == null ? Style.PVID : style;
        portMap = Map.copyOf(portMap == null ? Map.of() : portMap);
        if (saveConfig && style != Style.CISCO_VMVLAN) {
            throw new IllegalArgumentException("device " + name + ": saveConfig needs style cisco-vmvlan "
                    + "(it copies running-config to startup-config with CISCO-CONFIG-COPY-MIB), not " + style);
        }
        setMode = setMode == null ? SetMode.BATCH : setMode;
        setOrder = setOrder == null ? SetOrder.PVID_FIRST : setOrder;
        portIndex = portIndex == null ? PortIndex.BASE_PORT : portIndex;
        if (setOrder == SetOrder.MEMBERSHIP_FIRST && style != Style.PVID_STATIC) {
            throw new IllegalArgumentException("device " + name + ": set.order membership-first needs style pvid+static "
                    + "(only its SETs hold the VLAN PortLists), not " + style);
        }
    }

    /** Batch SETs, PVID first, port.map numbers as today (see {@link SetMode}, {@link SetOrder}, {@link PortIndex}). */
    public DeviceProfile(String name, String address, int port, Version version, String credential, Duration timeout,
                         int retries, int maxVarbinds, Style style, Map<String, Integer> portMap, boolean saveConfig) {
        this(name, address, port, version, credential, timeout, retries, maxVarbinds, style, portMap, saveConfig,
                SetMode.BATCH, SetOrder.PVID_FIRST, PortIndex.BASE_PORT);
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
        return new DeviceProfile(name, address, port, version, credential, t, r, maxVarbinds, style, portMap, saveConfig,
                setMode, setOrder, portIndex);
    }

    public DeviceProfile withMaxVarbinds(int max) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, max, style, portMap,
                saveConfig, setMode, setOrder, portIndex);
    }

    public DeviceProfile withCredential(String c) {
        return new DeviceProfile(name, address, port, version, c, timeout, retries, maxVarbinds, style, portMap, saveConfig,
                setMode, setOrder, portIndex);
    }

    public DeviceProfile withAddress(String a, int p) {
        return new DeviceProfile(name, a, p, version, credential, timeout, retries, maxVarbinds, style, portMap, saveConfig,
                setMode, setOrder, portIndex);
    }

    public DeviceProfile withPortMap(Map<String, Integer> map) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, maxVarbinds, style, map,
                saveConfig, setMode, setOrder, portIndex);
    }

    public DeviceProfile withSaveConfig(boolean save) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, maxVarbinds, style, portMap,
                save, setMode, setOrder, portIndex);
    }

    public DeviceProfile withStyle(Style s) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, maxVarbinds, s, portMap,
                saveConfig, setMode, setOrder, portIndex);
    }

    /** The vendor differences of a SET: set.mode and set.order. */
    public DeviceProfile withSets(SetMode mode, SetOrder order) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, maxVarbinds, style, portMap,
                saveConfig, mode, order, portIndex);
    }

    public DeviceProfile withPortIndex(PortIndex index) {
        return new DeviceProfile(name, address, port, version, credential, timeout, retries, maxVarbinds, style, portMap,
                saveConfig, setMode, setOrder, index);
    }

    /**
     * The port number of a plan's port name: from port.map, else the name itself as a number. It is a
     * dot1dBasePort, except with port.index = ifIndex (an ifIndex, mapped by {@link BridgePorts}) and in
     * style cisco-vmvlan where a port.map number is an ifIndex (see {@link QBridgeSwitcher.Planned}).
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
     * saveConfig (true/false), set.mode (batch, one-per-pdu), set.order (pvid-first, membership-first),
     * port.index (basePort, ifIndex).
     */
    public static DeviceProfile fromProperties(Map<String, ?> p) {
        String name = SnmpCredential.str(p, "name");
        return new DeviceProfile(name, SnmpCredential.str(p, "address"), intValue(p, "port", 161, name),
                Version.parse(SnmpCredential.str(p, "version")), SnmpCredential.str(p, "credential"),
                Duration.ofMillis(intValue(p, "timeout.millis", 1000, name)), intValue(p, "retries", 1, name),
                intValue(p, "max.varbinds", 60, name), Style.parse(SnmpCredential.str(p, "style")),
                parsePortMap(p.get("port.map"), name), booleanValue(p, "saveConfig", name),
                SetMode.parse(SnmpCredential.str(p, "set.mode"), name), SetOrder.parse(SnmpCredential.str(p, "set.order"),
                name), PortIndex.parse(SnmpCredential.str(p, "port.index"), name));
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
                        + "' is not PORTNAME=dot1dBasePort (or PORTNAME=ifIndex in style cisco-vmvlan or with"
                        + " port.index = ifIndex)");
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

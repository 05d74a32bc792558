package org.example.vlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import net.sessionmigration.api.model.VlanId;

/**
 * The fictional device: its whole port-to-VLAN table, one text file per device. Replace this class
 * with your device's protocol (SNMP, NETCONF, a REST API…); the driver only reads and writes tables.
 *
 * <pre>
 * # sw9 (example device)
 * vlans = 10, 20, 99
 * port.1 = 10
 * port.2 = 20
 * </pre>
 *
 * @param vlans the VLANs that exist on the device
 * @param ports port name to the VLAN it is on, in the file's order
 */
record VlanTable(Set<VlanId> vlans, Map<String, VlanId> ports) {

    VlanTable {
        vlans = Collections.unmodifiableSet(new LinkedHashSet<>(vlans));
        ports = Collections.unmodifiableMap(new LinkedHashMap<>(ports));
    }

    /** Reads a table; the exception names the file and the line that is wrong. */
    static VlanTable read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Set<VlanId> vlans = null;
        Map<String, VlanId> ports = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).strip();
            String value = eq < 0 ? "" : line.substring(eq + 1).strip();
            try {
                if (key.equals("vlans")) {
                    vlans = new LinkedHashSet<>();
                    for (String v : value.split(",")) {
                        vlans.add(vlan(v.strip()));
                    }
                } else if (key.startsWith("port.") && key.length() > 5) {
                    ports.put(key.substring(5), vlan(value));
                } else {
                    throw new IllegalArgumentException("expected 'vlans = 10, 20' or 'port.NAME = VLAN'");
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + (i + 1) + " '" + line + "': " + e.getMessage());
            }
        }
        if (vlans == null) {
            throw new IOException(file + " has no 'vlans = ...' line");
        }
        return new VlanTable(vlans, ports);
    }

    private static VlanId vlan(String text) {
        try {
            return VlanId.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a VLAN number");
        }
    }

    /** The same table with one port on another VLAN. */
    VlanTable with(String port, VlanId vlan) {
        Map<String, VlanId> changed = new LinkedHashMap<>(ports);
        changed.put(port, vlan);
        return new VlanTable(vlans, changed);
    }

    /**
     * Writes the whole table at once: into a temporary file next to it, then renamed over it, so
     * the device never holds half a table, whatever happens in between.
     */
    void write(Path file) throws IOException {
        Path tmp = temporaryFileOf(file);
        Files.writeString(tmp, text(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Path temporaryFileOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    String text() {
        return "# written by the example-vlan driver\n"
                + "vlans = " + vlans.stream().map(VlanId::toString).collect(Collectors.joining(", ")) + "\n"
                + ports.entrySet().stream().map(e -> "port." + e.getKey() + " = " + e.getValue() + "\n")
                        .collect(Collectors.joining());
    }
}

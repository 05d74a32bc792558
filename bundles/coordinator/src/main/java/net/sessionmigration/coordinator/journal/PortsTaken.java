package net.sessionmigration.coordinator.journal;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import net.sessionmigration.api.model.PortMove;

/**
 * The users' ports one migration switches, by driver type, each move's {@code from} being the
 * VLAN the port was really on when S702 read it (the plan's {@code fromVlan} unless the plan
 * takes ports from any VLAN).
 */
public record PortsTaken(Map<String, List<PortMove>> byDriverType) {
    public PortsTaken {
        byDriverType = Collections.unmodifiableMap(new TreeMap<>(byDriverType)); // sorted, as the run uses them
    }
}

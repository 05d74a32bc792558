package net.sessionmigration.traps;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A disaster alarm: a trap with this OID (and these varbind values, from this source) starts
 * the plan. A hold-down window after firing turns a burst of the same alarm into one start.
 */
public record DisasterRule(String name, String trapOid, List<VarbindMatch> matches, Optional<String> sourceAddress,
                           String plan, Duration holddown) implements TriggerRule {
    public DisasterRule {
        matches = List.copyOf(matches);
    }

    /** A varbind that must be present with exactly this value (as text: decimal, dotted OID, string). */
    public record VarbindMatch(String oid, String value) {
    }

    @Override
    public String kind() {
        return "disaster";
    }

    public boolean matches(ReceivedTrap trap) {
        if (!trap.hasTrapOid(trapOid)) {
            return false;
        }
        if (sourceAddress.isPresent() && !sourceAddress.get().equals(trap.source())) {
            return false;
        }
        for (VarbindMatch m : matches) {
            if (!m.value().equals(trap.varbinds().get(m.oid()))) {
                return false;
            }
        }
        return true;
    }
}

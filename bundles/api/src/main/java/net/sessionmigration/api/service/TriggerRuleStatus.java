package net.sessionmigration.api.service;

import java.util.List;

/**
 * One trigger rule as configured.
 *
 * @param kind   {@code disaster} or {@code load}
 * @param errors empty when the rule is valid; each names the field
 * @param state  in words: "armed", "fired at …, holding down until …", "backup active, waits for reset"
 */
public record TriggerRuleStatus(String name, String kind, String plan, List<String> errors, String state,
                                long fired) {
    public TriggerRuleStatus {
        errors = List.copyOf(errors);
    }

    public boolean valid() {
        return errors.isEmpty();
    }
}

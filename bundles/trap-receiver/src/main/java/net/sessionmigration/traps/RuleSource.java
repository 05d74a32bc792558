package net.sessionmigration.traps;

import java.util.Map;

/**
 * A trigger rule configuration, published by its factory component to the receiver
 * (bundle-internal service). The component's configuration PID is the rule's identity.
 */
public abstract class RuleSource {
    private String key;
    private TriggerRule rule;

    /** Called from the subclass's DS activate method with its configuration. */
    protected final void configure(Map<String, Object> props, TriggerRule parsed) {
        key = String.valueOf(props.getOrDefault("service.pid", props.get("component.id")));
        rule = parsed;
    }

    /** Config PID of the factory configuration: the rule's identity. */
    public String key() {
        return key;
    }

    public TriggerRule rule() {
        return rule;
    }
}

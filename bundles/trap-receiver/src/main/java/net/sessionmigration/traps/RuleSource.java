package net.sessionmigration.traps;

/** A trigger rule configuration, published by its factory component to the receiver (bundle-internal service). */
public interface RuleSource {
    /** Config PID of the factory configuration: the rule's identity. */
    String key();

    TriggerRule rule();
}

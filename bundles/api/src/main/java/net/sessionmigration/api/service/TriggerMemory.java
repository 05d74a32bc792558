package net.sessionmigration.api.service;

/**
 * What a trigger rule remembers between alarms. The coordinator keeps it in its journal, so a
 * reconfiguration of the trap receiver, a restart of its bundle or of Karaf does not re-arm a
 * rule that fired: an alarm starts its plan once per event.
 *
 * @param rule                 the rule's name
 * @param fingerprint          identifies the rule's configuration; a changed rule starts armed again
 * @param fired                how many migrations the rule started
 * @param armed                false once the rule fired, until the operator re-arms it or the rule changes
 * @param lastFiredEpochMicros when it last started its plan (its hold-down counts from there); 0 never
 * @param lastMigrationId      the migration it last started; empty if none
 */
public record TriggerMemory(String rule, String fingerprint, long fired, boolean armed, long lastFiredEpochMicros,
                            String lastMigrationId) {
    public TriggerMemory {
        lastMigrationId = lastMigrationId == null ? "" : lastMigrationId;
    }
}

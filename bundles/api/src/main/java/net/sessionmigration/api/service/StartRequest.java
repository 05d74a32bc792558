package net.sessionmigration.api.service;

import java.util.Optional;

import net.sessionmigration.api.model.MigrationMode;

/**
 * A request to run a plan (S701).
 *
 * @param trigger who asked, kept in the history: {@code operator:karaf}, {@code trap:ups-on-battery}…
 * @param mode    overrides the plan's mode (the load rule starts a plan in REPLICATE)
 */
public record StartRequest(String plan, String trigger, Optional<MigrationMode> mode) {
    public static StartRequest of(String plan, String trigger) {
        return new StartRequest(plan, trigger, Optional.empty());
    }

    public StartRequest withMode(MigrationMode m) {
        return new StartRequest(plan, trigger, Optional.of(m));
    }
}

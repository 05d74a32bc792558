package net.sessionmigration.api.model;

import java.time.Duration;

/**
 * A plan's probe-verified commit: after the users' ports moved, the probe host (itself on a
 * user access port listed with the users) connects to {@code v:port}; the migration commits
 * only if it answers.
 *
 * @param driverType the {@code ReachabilityProbe} driver, e.g. {@code daemon-probe}
 * @param enabled    false keeps the section in the plan but skips the probe
 */
public record UserSideProbe(String driverType, String host, int port, Duration timeout, boolean enabled) {
    public UserSideProbe {
        Names.require("probe driver type", driverType);
        Names.require("probe host", host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("probe port " + port + " is outside 1-65535");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a probe needs a positive timeout");
        }
    }
}

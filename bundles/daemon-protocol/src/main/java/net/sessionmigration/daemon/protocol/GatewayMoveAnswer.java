package net.sessionmigration.daemon.protocol;

import java.util.List;
import java.util.Map;

/**
 * Answer of a {@code /gateway/v1/move} that moved every port and verified it: the ports, and
 * the daemon's {@code lookup_us}, {@code kernel_us} and {@code verify_us}. A move that failed is
 * an {@link ErrorAnswer} (409) instead.
 */
public record GatewayMoveAnswer(boolean ok, String gateway, List<String> moved, Map<String, Long> measurements) {

    public long measurement(String name) {
        return measurements == null ? 0 : measurements.getOrDefault(name, 0L);
    }
}

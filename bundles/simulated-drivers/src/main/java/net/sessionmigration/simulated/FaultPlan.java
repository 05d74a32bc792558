package net.sessionmigration.simulated;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which operations fail and which are slowed down, parsed from configuration:
 * {@code fail} is a comma list of operation names ({@code freeze}, {@code migrate}, a port
 * such as {@code sw1/3}…), {@code delay} a comma list of {@code operation=millis}.
 */
record FaultPlan(Set<String> failing, Map<String, Duration> delays) {

    static final FaultPlan NONE = new FaultPlan(Set.of(), Map.of());

    static FaultPlan parse(String fail, String delay) {
        Set<String> failing = split(fail).collect(Collectors.toUnmodifiableSet());
        Map<String, Duration> delays = split(delay)
                .map(entry -> entry.split("=", 2))
                .collect(Collectors.toUnmodifiableMap(kv -> kv[0].trim(), FaultPlan::millis));
        return new FaultPlan(failing, delays);
    }

    private static Duration millis(String[] kv) {
        try {
            return Duration.ofMillis(Long.parseLong(kv.length == 2 ? kv[1].trim() : ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("delay '" + String.join("=", kv)
                    + "' must be operation=millis, e.g. migrate=2000");
        }
    }

    private static Stream<String> split(String list) {
        return list == null ? Stream.empty()
                : Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty());
    }

    boolean fails(String operation) {
        return failing.contains(operation);
    }

    /** Sleeps for the configured delay of the operation; an interrupt ends the sleep early. */
    void delay(String operation) {
        Duration d = delays.get(operation);
        if (d == null) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

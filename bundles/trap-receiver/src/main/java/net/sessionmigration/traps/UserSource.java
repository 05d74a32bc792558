package net.sessionmigration.traps;

import java.util.List;

/** A v3 USM user configuration (factory PID {@code net.sessionmigration.traps.user}), published to the receiver. */
public interface UserSource {
    String key();

    /** Empty when the configuration has errors. */
    java.util.Optional<UsmUserSpec> user();

    List<String> errors();
}

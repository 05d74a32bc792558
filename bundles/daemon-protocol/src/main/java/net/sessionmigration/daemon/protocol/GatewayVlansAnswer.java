package net.sessionmigration.daemon.protocol;

import java.util.Map;

/** Answer of {@code /gateway/v1/vlans}: each asked port's VLAN. */
public record GatewayVlansAnswer(boolean ok, String gateway, Map<String, Integer> vlans) {
}

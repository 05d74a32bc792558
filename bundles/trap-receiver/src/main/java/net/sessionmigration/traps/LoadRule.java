package net.sessionmigration.traps;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The seed's load case: when the number of connected users passes the threshold and the plan's
 * backup site is not active, start the plan in REPLICATE, once, until the operator resets the
 * backup-active flag. The count comes from a trap varbind or from polling an agent's TCP-MIB.
 */
public record LoadRule(String name, String plan, double threshold, Source source, Duration holddown)
        implements TriggerRule {

    @Override
    public String kind() {
        return "load";
    }

    public sealed interface Source permits TrapSource, PollSource {
    }

    /** The count is the numeric value of varbind {@code countOid} in traps with {@code trapOid}. */
    public record TrapSource(String trapOid, String countOid) implements Source {
        /** The count carried by the trap, if it is this source's trap and the varbind is numeric. */
        public Optional<Double> count(ReceivedTrap trap) {
            if (!trap.hasTrapOid(trapOid)) {
                return Optional.empty();
            }
            String v = trap.varbinds().get(countOid);
            if (v == null) {
                // tolerate a count sent with an instance suffix (countOid.0)
                v = trap.varbinds().entrySet().stream().filter(e -> e.getKey().startsWith(countOid + "."))
                        .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
            }
            if (v == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(Double.parseDouble(v.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /** Which TCP-MIB table to walk. */
    public enum Table { AUTO, TCP_CONNECTION_TABLE, TCP_CONN_TABLE }

    /**
     * Poll an agent: count ESTABLISHED connections whose local address is the plan's virtual IP
     * (or {@code virtualIp} when configured) and local port {@code servicePort}.
     */
    public record PollSource(String agentAddress, int agentPort, Duration interval, String version,
                             Optional<String> community, Optional<UsmUserSpec> user, int servicePort,
                             Optional<String> virtualIp, Table table, Duration timeout, int retries)
            implements Source {

        static PollSource read(ConfigReader r) {
            String agent = r.ipLiteral("agent.address").orElse("");
            if (r.optString("agent.address").isEmpty()) {
                r.error("agent.address", "missing");
            }
            int port = (int) r.integer("agent.port", 161, 1, 65535);
            long seconds = r.integer("poll.seconds", 30, 1, 86_400);
            String version = r.string("snmp.version", "v3").toLowerCase(Locale.ROOT);
            Optional<String> community = Optional.empty();
            Optional<UsmUserSpec> user = Optional.empty();
            if (version.equals("v2c")) {
                community = r.optString("community");
                if (community.isEmpty()) {
                    r.error("community", "missing (needed for snmp.version v2c)");
                }
            } else if (version.equals("v3")) {
                user = Optional.of(UsmUserSpec.read(r, ""));
            } else {
                r.error("snmp.version", "'" + version + "' is not v2c or v3");
            }
            int servicePort = (int) r.integer("service.port", 0, 1, 65535);
            if (r.optString("service.port").isEmpty()) {
                r.error("service.port", "missing");
            }
            Optional<String> vip = r.ipLiteral("virtual.ip");
            Table table = switch (r.string("table", "auto").toLowerCase(Locale.ROOT)) {
                case "auto" -> Table.AUTO;
                case "tcpconnectiontable" -> Table.TCP_CONNECTION_TABLE;
                case "tcpconntable" -> Table.TCP_CONN_TABLE;
                default -> {
                    r.error("table", "'" + r.string("table", "") + "' is not auto, tcpConnectionTable or tcpConnTable");
                    yield Table.AUTO;
                }
            };
            long timeoutMs = r.integer("timeout.ms", 1000, 10, 60_000);
            int retries = (int) r.integer("retries", 1, 0, 10);
            return new PollSource(agent, port, Duration.ofSeconds(seconds), version, community, user, servicePort,
                    vip, table, Duration.ofMillis(timeoutMs), retries);
        }

        @Override
        public String toString() {
            // no community, no passphrase
            return "poll " + version + " " + agentAddress + "/" + agentPort + " every " + interval.toSeconds() + " s"
                    + user.map(u -> " as " + u).orElse("") + ", port " + servicePort + virtualIp.map(v -> " on " + v).orElse("");
        }
    }
}

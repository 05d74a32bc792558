package net.sessionmigration.traps;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.service.component.annotations.Component;

/**
 * The receiver's counters by SNMP version and outcome. One instance is injected into the
 * listener and the rule engine (an immediate DS service in Karaf, so the counts survive a
 * reconfiguration of the receiver, which disposes its only consumer); never static. Lock-free: the listener thread increments while readers snapshot.
 */
@Component(service = TrapCounters.class, immediate = true)
public final class TrapCounters {
    private final LongAdder[][] adders = new LongAdder[SnmpVersion.values().length][TrapOutcome.values().length];

    public TrapCounters() {
        for (LongAdder[] row : adders) {
            for (int i = 0; i < row.length; i++) {
                row[i] = new LongAdder();
            }
        }
    }

    public void increment(SnmpVersion version, TrapOutcome outcome) {
        adders[version.ordinal()][outcome.ordinal()].increment();
    }

    public long get(SnmpVersion version, TrapOutcome outcome) {
        return adders[version.ordinal()][outcome.ordinal()].sum();
    }

    public long total(TrapOutcome outcome) {
        long sum = 0;
        for (SnmpVersion v : SnmpVersion.values()) {
            sum += get(v, outcome);
        }
        return sum;
    }

    /** version label → outcome key → count, every version and outcome present. */
    public Map<String, Map<String, Long>> snapshot() {
        Map<String, Map<String, Long>> result = new LinkedHashMap<>();
        for (SnmpVersion v : SnmpVersion.values()) {
            Map<String, Long> row = new LinkedHashMap<>();
            for (TrapOutcome o : TrapOutcome.values()) {
                row.put(o.key(), get(v, o));
            }
            result.put(v.label(), row);
        }
        return result;
    }

    /** Flattened as {@code v2c.received} etc., for JMX. */
    public Map<String, Long> flat() {
        Map<String, Long> result = new LinkedHashMap<>();
        snapshot().forEach((v, row) -> row.forEach((o, n) -> result.put(v + "." + o, n)));
        return result;
    }
}

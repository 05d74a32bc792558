package net.sessionmigration.traps;

import java.util.Map;

/**
 * JMX view of the trap receiver, registered as {@value #OBJECT_NAME}. Totals are over all SNMP
 * versions; {@link #getCounters()} has them per version ({@code v2c.received}…). No secrets.
 */
public interface TrapReceiverMXBean {
    String OBJECT_NAME = "net.sessionmigration:type=TrapReceiver";

    String getListening();

    int getQueueDepth();

    int getQueueCapacity();

    Map<String, Long> getCounters();

    /** Datagrams the kernel dropped on the receiver's socket before the listener read them; -1 not known. */
    long getKernelDrops();

    long getReceived();

    long getMatched();

    long getDuplicates();

    long getIgnored();

    long getMalformed();

    long getAuthFailures();

    long getQueueDrops();

    long getInformsAcked();

    /** One line per rule: name, kind, plan, fired count, state or errors. */
    String[] getRules();

    /** Forgets that a rule fired (a disaster rule then starts its plan at the next alarm); returns what it did. */
    String rearm(String rule);
}

package net.sessionmigration.api.service;

import java.util.Map;

/**
 * The trap receiver's counters.
 *
 * @param counts   by SNMP version ({@code v1}, {@code v2c}, {@code v3}, {@code unknown}) then by
 *                 outcome ({@code received}, {@code matched}, {@code duplicates}, {@code ignored},
 *                 {@code malformed}, {@code authFailures}, {@code queueDrops}, {@code informsAcked})
 * @param listening the address and port, or why it is not listening
 * @param kernelDrops datagrams the kernel dropped on the receiver's socket (its buffer full) before the
 *                    listener read them, since the socket was opened; -1 when not known
 */
public record TrapStatistics(String listening, Map<String, Map<String, Long>> counts, int queueDepth,
                             int queueCapacity, long kernelDrops) {
    public TrapStatistics {
        counts = Map.copyOf(counts);
    }

    /** Without the kernel's drops. */
    public TrapStatistics(String listening, Map<String, Map<String, Long>> counts, int queueDepth, int queueCapacity) {
        this(listening, counts, queueDepth, queueCapacity, -1);
    }
}

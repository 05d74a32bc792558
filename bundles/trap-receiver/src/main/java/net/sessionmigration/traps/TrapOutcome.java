package net.sessionmigration.traps;

/** What happened to a received message; the names are the keys of {@link net.sessionmigration.api.service.TrapStatistics#counts()}. */
public enum TrapOutcome {
    /** Decoded and handed to the listener (before the community check). */
    RECEIVED("received"),
    /** Matched a rule and a migration start was requested. */
    MATCHED("matched"),
    /** Matched a rule but suppressed: hold-down window, plan already running, load rule latched. */
    DUPLICATES("duplicates"),
    /** Matched no rule, or matched one with nothing to do (plan already done, unknown plan, below threshold). */
    IGNORED("ignored"),
    /** Not decodable: garbage, bad BER, unsupported version, notification without snmpTrapOID. */
    MALFORMED("malformed"),
    /** Wrong community, unknown USM user, wrong digest, undecryptable, unsupported security level. */
    AUTH_FAILURES("authFailures"),
    /** Dropped because the queue was full. */
    QUEUE_DROPS("queueDrops"),
    /** INFORM acknowledged with a RESPONSE. */
    INFORMS_ACKED("informsAcked");

    private final String key;

    TrapOutcome(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}

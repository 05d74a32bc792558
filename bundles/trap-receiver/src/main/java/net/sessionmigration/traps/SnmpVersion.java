package net.sessionmigration.traps;

/** The SNMP version a counted message belongs to, named as in {@link net.sessionmigration.api.service.TrapStatistics}. */
public enum SnmpVersion {
    V1("v1"), V2C("v2c"), V3("v3"), UNKNOWN("unknown");

    private final String label;

    SnmpVersion(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** From the version field of an SNMP message (0, 1, 3) or SNMP4J's message-processing-model id (the same numbers). */
    public static SnmpVersion fromWire(int version) {
        return switch (version) {
            case 0 -> V1;
            case 1 -> V2C;
            case 3 -> V3;
            default -> UNKNOWN;
        };
    }
}

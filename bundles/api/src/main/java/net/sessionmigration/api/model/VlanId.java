package net.sessionmigration.api.model;

/** An IEEE 802.1Q VLAN id, 1 to 4094 (0 and 4095 are reserved). */
public record VlanId(int value) implements Comparable<VlanId> {
    public static final int MIN = 1;
    public static final int MAX = 4094;

    public VlanId {
        if (value < MIN || value > MAX) {
            throw new IllegalArgumentException("VLAN id " + value + " is out of range " + MIN + "-" + MAX);
        }
    }

    public static VlanId of(int value) {
        return new VlanId(value);
    }

    @Override
    public int compareTo(VlanId other) {
        return Integer.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}

package net.sessionmigration.daemon;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * The kernel side of the gateway role: where ports are, and one port move. Two forms:
 * {@link BridgePerVlanKernel} (VLAN N is bridge br-vN; what the lab kernel supports) and
 * {@link VlanFilteringKernel} (one VLAN-aware bridge, AF_BRIDGE messages).
 */
interface GatewayKernel {

    /** One look at the links (one netlink dump or two): read once per batch. */
    Snapshot snapshot() throws IOException;

    /** Moves one port with the links the snapshot already looked up: one netlink round trip (two when filtering). */
    void move(Snapshot snapshot, String port, int from, int to) throws IOException;

    /** {@code bridge-per-vlan} or {@code vlan-filtering}, for notes and logs. */
    String mode();

    interface Snapshot {
        boolean hasPort(String port);

        /** The port's VLAN; empty when the port is in no VLAN (no bridge of the pattern, no PVID). */
        OptionalInt vlan(String port);

        boolean hasVlan(int vlan);

        /** Where a VLAN lives, for messages: "bridge br-v2", "VLAN 2 on bridge br0". */
        String vlanHome(int vlan);
    }
}

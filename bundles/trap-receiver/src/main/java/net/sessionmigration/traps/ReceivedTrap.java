package net.sessionmigration.traps;

import java.util.Map;
import java.util.Optional;

/**
 * A decoded notification as the handler sees it: only strings, so nothing of SNMP4J escapes
 * the listener thread.
 *
 * @param source        the UDP source address (literal)
 * @param trapOid       snmpTrapOID.0, or for SNMPv1 the RFC 3584 translation {@code enterprise.0.specific}
 *                      (generic traps map to {@code 1.3.6.1.6.3.1.1.5.(generic+1)})
 * @param v1AltOid      SNMPv1 enterprise-specific traps only: {@code enterprise.specific}, the form in which
 *                      SMIv1-derived MIBs such as UPS-MIB number their notifications
 * @param varbinds      OID → value as text (integers in decimal, OIDs dotted, strings as text)
 * @param receivedNanos {@link System#nanoTime()} when the listener got it
 */
public record ReceivedTrap(SnmpVersion version, String source, int sourcePort, String trapOid,
                           Optional<String> v1AltOid, Map<String, String> varbinds, boolean inform,
                           long receivedNanos) {
    public ReceivedTrap {
        varbinds = Map.copyOf(varbinds);
    }

    public boolean hasTrapOid(String oid) {
        return trapOid.equals(oid) || v1AltOid.filter(oid::equals).isPresent();
    }
}

package net.sessionmigration.vlan.qbridge;

import org.snmp4j.smi.OID;

/** The numeric OIDs the driver uses (no MIB files needed, none loaded). */
final class QBridgeMib {
    static final OID SYS_OBJECT_ID = new OID("1.3.6.1.2.1.1.2.0");
    static final OID SYS_NAME = new OID("1.3.6.1.2.1.1.5.0");
    /** dot1qPvid.&lt;dot1dBasePort&gt;, Unsigned32 (VlanIndex). */
    static final OID DOT1Q_PVID = new OID("1.3.6.1.2.1.17.7.1.4.5.1.1");
    static final OID DOT1Q_VLAN_STATIC_ENTRY = new OID("1.3.6.1.2.1.17.7.1.4.3.1");
    static final OID DOT1Q_VLAN_STATIC_EGRESS = new OID("1.3.6.1.2.1.17.7.1.4.3.1.2");
    static final OID DOT1Q_VLAN_STATIC_UNTAGGED = new OID("1.3.6.1.2.1.17.7.1.4.3.1.4");
    static final OID DOT1Q_VLAN_STATIC_ROW_STATUS = new OID("1.3.6.1.2.1.17.7.1.4.3.1.5");
    /** usmStats (RFC 3414): the counters an agent reports back in a Report PDU. */
    static final OID USM_STATS = new OID("1.3.6.1.6.3.15.1.1");
    static final OID USM_NOT_IN_TIME_WINDOWS = new OID("1.3.6.1.6.3.15.1.1.2.0");
    static final OID USM_UNKNOWN_ENGINE_IDS = new OID("1.3.6.1.6.3.15.1.1.4.0");

    private QBridgeMib() {
    }

    static OID pvid(int port) {
        return new OID(DOT1Q_PVID).append(port);
    }

    static OID egress(int vlan) {
        return new OID(DOT1Q_VLAN_STATIC_EGRESS).append(vlan);
    }

    static OID untagged(int vlan) {
        return new OID(DOT1Q_VLAN_STATIC_UNTAGGED).append(vlan);
    }

    static OID rowStatus(int vlan) {
        return new OID(DOT1Q_VLAN_STATIC_ROW_STATUS).append(vlan);
    }
}

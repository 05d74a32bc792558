package net.sessionmigration.vlan.qbridge;

import java.util.List;
import java.util.function.IntFunction;

import org.snmp4j.smi.OID;
import org.snmp4j.smi.VariableBinding;

/**
 * What a write style's own code needs of one switch: its profile, GET and SET, and a per-session
 * cache. {@link SwitchSession} is the real one; tests hand a fake to {@link CiscoVmVlan} and
 * {@link BridgePorts}.
 */
interface SnmpOps {
    DeviceProfile profile();

    /** GET; the answer's varbinds in request order (exceptions such as noSuchInstance included). */
    List<VariableBinding> get(List<OID> oids) throws SnmpFailure;

    /**
     * GETBULK (non-repeaters 0) of up to {@code maxRepetitions} objects after {@code oid}; the answer's
     * varbinds in order (endOfMibView included). Walks a column.
     */
    List<VariableBinding> getBulk(OID oid, int maxRepetitions) throws SnmpFailure;

    /** SET of these varbinds in one PDU; the describer names varbind i (1-based) in an error. */
    void set(List<VariableBinding> vbs, IntFunction<String> describer) throws SnmpFailure;

    /**
     * dot1dBasePort ↔ ifIndex as the switch answered it, kept as long as this session (a changed
     * profile or credential makes a new session, so a new cache).
     */
    BridgePorts bridgePorts();
}

package net.sessionmigration.api.driver;

import java.util.List;
import java.util.Map;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * The seed's "connection control": moves users' access ports between VLANs on the devices of
 * one driver type (switches over SNMP, Linux gateways over netlink…). Devices are named in the
 * plan; how to reach them is the driver's own configuration.
 */
public interface AccessPortSwitcher {

    /** Devices reachable, credentials accepted, each port on its {@code from} VLAN, target VLANs exist. */
    Result<Preflight> preflight(List<PortMove> moves);

    /** The VLAN each port is on now. */
    Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports);

    /**
     * Move every port to its {@code to} VLAN and verify. All or nothing: on a partial failure
     * the driver puts back the ports it already moved and reports which port failed and why.
     */
    Result<OpReport> move(List<PortMove> moves, DriverContext context);

    /** Put every port back on its {@code from} VLAN; ports already there are left alone. */
    Result<OpReport> restore(List<PortMove> moves, DriverContext context);
}

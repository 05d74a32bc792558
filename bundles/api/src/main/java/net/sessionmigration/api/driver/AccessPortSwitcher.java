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
     * Move every port from its {@code from} VLAN to its {@code to} VLAN and verify by reading back.
     *
     * <ul>
     * <li><b>Read before you write.</b> A port found on its {@code to} VLAN already counts as moved
     * (nothing is written for it), a port on {@code from} is moved, and a port on any other VLAN
     * has been taken by someone else since the preflight: it is refused and nothing is written
     * for it.</li>
     * <li><b>Idempotent.</b> Recovery after a coordinator crash may call {@code move} again with
     * the same moves, some ports already on {@code to}; that call succeeds.</li>
     * <li><b>On a failure, stop and report; put nothing back.</b> Return {@code Failed} naming the
     * device, the port and the cause, and say which ports did move before the failure. Undo is
     * the coordinator's: it calls {@link #restore} for every group of the run once this step
     * began, including this one, retries it and calls it again after a crash.</li>
     * </ul>
     * Hold no per-migration state for a later {@code restore}: it must work from what the devices
     * report, also after a restart.
     */
    Result<OpReport> move(List<PortMove> moves, DriverContext context);

    /**
     * Undo {@link #move}: the same moves as {@code move} got (not reversed), whatever {@code move}
     * did with them (nothing, part, all, or it was never called). Stateless and idempotent: read
     * each port, then
     * <ul>
     * <li>a port on its {@code to} VLAN is set back to {@code from}, and verified by reading back;</li>
     * <li>a port already on {@code from} is left alone;</li>
     * <li>a port on any other VLAN is left alone and named in the {@link OpReport} (someone else
     * took it after the preflight). This is not a failure.</li>
     * </ul>
     * Best effort per device: a device that cannot be reached does not keep the other devices'
     * ports from being put back. Return {@code Failed} naming each device and port that could not
     * be read or put back, so that the coordinator tries again.
     */
    Result<OpReport> restore(List<PortMove> moves, DriverContext context);
}

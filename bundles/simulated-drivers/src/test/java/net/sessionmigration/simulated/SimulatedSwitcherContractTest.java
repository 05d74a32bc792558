package net.sessionmigration.simulated;

import java.util.List;
import java.util.Optional;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.driverkit.AccessPortSwitcherContract;

/** The simulated switcher against the driver kit; its ports start on the configured initial VLAN. */
class SimulatedSwitcherContractTest extends AccessPortSwitcherContract {
    private static final String MISSING = "3999";
    private SimulatedSwitcher sw;

    @Override
    protected AccessPortSwitcher switcher() {
        sw = new SimulatedSwitcher();
        sw.configure(Configs.switcher("", homeVlan().value(), MISSING));
        return sw;
    }

    @Override
    protected List<AccessPort> ports() {
        return List.of(new AccessPort("sw1", "1"), new AccessPort("sw1", "2"), new AccessPort("sw2", "7"));
    }

    @Override
    protected VlanId homeVlan() {
        return VlanId.of(10);
    }

    @Override
    protected VlanId otherVlan() {
        return VlanId.of(20);
    }

    /** The simulated device has no way in but the driver: move the port from wherever it is. */
    @Override
    protected void putOn(AccessPort port, VlanId vlan) {
        VlanId now = sw.readVlans(List.of(port)).orElseThrow().get(port);
        if (!now.equals(vlan)) {
            sw.move(List.of(new PortMove("arrange", port, now, vlan)), DriverContext.detached("arrange")).orElseThrow();
        }
    }

    /** The port is listed in {@code fail}, as an operator would inject it through Config Admin. */
    @Override
    protected Optional<Runnable> failNextMoveOf(AccessPort port) {
        return Optional.of(() -> sw.configure(Configs.switcher(port.toString(), homeVlan().value(), MISSING)));
    }

    /** Any VLAN the devices do not lack: someone else's. */
    @Override
    protected Optional<VlanId> thirdVlan() {
        return Optional.of(VlanId.of(30));
    }

    /** A VLAN the simulated devices are configured to lack. */
    @Override
    protected Optional<VlanId> vlanMissingOnDevice() {
        return Optional.of(VlanId.of(Integer.parseInt(MISSING)));
    }
}

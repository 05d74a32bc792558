package org.example.vlan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.driverkit.AccessPortSwitcherContract;

/** The example driver against the driver kit: two devices, their tables in a temporary directory. */
class ExampleVlanDriverContractTest extends AccessPortSwitcherContract {
    @TempDir
    Path dir;

    private Map<String, Path> files;

    @Override
    protected AccessPortSwitcher switcher() {
        files = Map.of("sw1", table("sw1", "port.1 = 10", "port.2 = 10", "port.24 = 99"),
                "sw2", table("sw2", "port.5 = 10", "port.6 = 20"));
        ExampleVlanDriver driver = new ExampleVlanDriver();
        driver.configure("sw1=" + files.get("sw1") + ", sw2=" + files.get("sw2"));
        return driver;
    }

    @Override
    protected List<AccessPort> ports() {
        // the last port is alone on sw2, so the refused write of sw2 comes after sw1 was written
        return List.of(new AccessPort("sw1", "1"), new AccessPort("sw1", "2"), new AccessPort("sw2", "5"));
    }

    @Override
    protected VlanId homeVlan() {
        return VlanId.of(10);
    }

    @Override
    protected VlanId otherVlan() {
        return VlanId.of(20);
    }

    @Override
    protected void putOn(AccessPort port, VlanId vlan) {
        Path file = files.get(port.device());
        try {
            VlanTable.read(file).with(port.port(), vlan).write(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The device refuses by a directory where the driver writes its temporary file. */
    @Override
    protected Optional<Runnable> failNextMoveOf(AccessPort port) {
        Path inTheWay = VlanTable.temporaryFileOf(files.get(port.device())).resolve("in-the-way");
        return Optional.of(() -> {
            try {
                Files.createDirectories(inTheWay);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    protected Optional<VlanId> vlanMissingOnDevice() {
        return Optional.of(VlanId.of(4000));
    }

    /** The tables' third VLAN, 99: someone else's. */
    @Override
    protected Optional<VlanId> thirdVlan() {
        return Optional.of(VlanId.of(99));
    }

    private Path table(String device, String... ports) {
        Path file = dir.resolve(device + ".vlans");
        try {
            Files.writeString(file, "# " + device + "\nvlans = 10, 20, 99\n" + String.join("\n", ports) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}

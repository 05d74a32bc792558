package net.sessionmigration.itests;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The real lab with room for a VM, for {@link VmLabMigrationIT}: the {@link LabFixture} (lab lock
 * held for the whole test, lab up), builds the VM image (cached), adds a tap per site
 * ({@code lab/lab vm-net add}) and starts both daemons with the VM. Every lab command runs with
 * {@code LAB_LOCK_HELD=1} under that lock. {@link #close()} puts everything back.
 */
final class VmLabFixture implements AutoCloseable {
    private final LabFixture lab;

    VmLabFixture() throws Exception {
        lab = new LabFixture();
        run(300, "lab/vm/build-image");
        run(30, "lab/lab", "vm-net", "add");
        run(120, "lab/daemons/daemons", "certs");
        run(120, "lab/daemons/daemons", "start");
    }

    /** The lab underneath, for what takes a {@link LabFixture} (the drivers' configuration). */
    LabFixture lab() {
        return lab;
    }

    Path path(String relative) {
        return lab.path(relative);
    }

    /** Runs one of our lab programs (path relative to the repository) or a system tool, under our lock. */
    String run(int timeoutSeconds, String... command) throws Exception {
        return lab.run(timeoutSeconds, command);
    }

    /** A POST to a daemon with the coordinator's certificate ({@link LabFixture#postToDaemon}). */
    void postToDaemon(String url) throws Exception {
        lab.postToDaemon(url);
    }

    /** A user's client streaming from v:port into a JSON record, until stopped. */
    LabFixture.UserClient user(String namespace, String vip, int port, int seconds) throws IOException {
        return lab.user(namespace, vip, port, seconds);
    }

    private void quietly(String... command) {
        try {
            run(60, command);
        } catch (Exception | AssertionError e) {
            // clean-up goes on
        }
    }

    /** The daemons stop their QEMUs; the port goes back, the VM room is removed, the lab is as found. */
    @Override
    public void close() throws Exception {
        quietly("ip", "-n", "sm-sw1", "link", "set", "p1", "master", "br-v1");
        quietly("lab/daemons/daemons", "stop");
        quietly("lab/lab", "vm-net", "del");
        lab.close();
    }
}

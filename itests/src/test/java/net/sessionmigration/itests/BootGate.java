package net.sessionmigration.itests;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The test probe's activator: holds the probe's start until Karaf has installed its boot features
 * (it registers {@code org.apache.karaf.features.BootFinished} then), at most {@link #LIMIT_MS}.
 * Pax Exam installs the probe as soon as the container answers, which can be while the features
 * service is still installing the shell and our own bundles; JUnit's scan of the test class then
 * cannot load their types (seen once: {@code ClassNotFoundException: ...shell.api.console.Session
 * not found by PAXEXAM-PROBE}). Only the framework's own API is used here: the probe's other
 * imports are dynamic and are wired at first use, after this.
 */
public final class BootGate implements BundleActivator {

    static final String BOOT_FINISHED = "org.apache.karaf.features.BootFinished";
    static final long LIMIT_MS = 180_000;

    @Override
    public void start(BundleContext context) throws InterruptedException {
        long deadline = System.currentTimeMillis() + LIMIT_MS;
        while (context.getServiceReference(BOOT_FINISHED) == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        // past the limit the tests run anyway and fail on what is missing, with its name
    }

    @Override
    public void stop(BundleContext context) {
    }
}

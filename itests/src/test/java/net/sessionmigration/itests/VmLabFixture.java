package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real lab with room for a VM, for {@link VmLabMigrationIT}: takes the machine-wide lab lock
 * <em>first</em> and holds it for the whole test (so no other suite takes the lab down between
 * steps), then brings the lab up, builds the VM image (cached), adds a tap per site
 * ({@code lab/lab vm-net add}) and starts both daemons with the VM. Every lab command runs with
 * {@code LAB_LOCK_HELD=1} under that lock. {@link #close()} puts everything back.
 */
final class VmLabFixture implements AutoCloseable {
    private final Path root = Path.of(System.getProperty("sm.root"));
    private final Process lock;
    private final boolean wasUp;

    VmLabFixture() throws Exception {
        lock = new ProcessBuilder("flock", LabFixture.LOCK_FILE, "sh", "-c", "echo locked; exec cat")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String first = new BufferedReader(new InputStreamReader(lock.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertEquals("the lab lock (flock " + LabFixture.LOCK_FILE + ")", "locked", first);
        wasUp = Files.exists(path("lab/run/lab.env"));
        run(120, "lab/lab", "up");
        run(300, "lab/vm/build-image");
        run(30, "lab/lab", "vm-net", "add");
        run(120, "lab/daemons/daemons", "certs");
        run(120, "lab/daemons/daemons", "start");
    }

    Path path(String relative) {
        return root.resolve(relative);
    }

    /** A {@code KEY=value} file of lab/run (credentials.env, lab.env); never printed. */
    Map<String, String> env(String file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path("lab/run/" + file))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replace("\"", ""));
            }
        }
        return out;
    }

    /** Runs one of our lab programs (path relative to the repository) or a system tool, under our lock. */
    String run(int timeoutSeconds, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("env", "LAB_LOCK_HELD=1"));
        args.add(Files.exists(path(command[0])) ? path(command[0]).toString() : command[0]);
        args.addAll(List.of(command).subList(1, command.length));
        Process p = new ProcessBuilder(args).directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", command) + " did not finish", p.waitFor(timeoutSeconds, TimeUnit.SECONDS));
        assertEquals(String.join(" ", command) + " failed (needs root; run lab/setup): " + out, 0, p.exitValue());
        return out;
    }

    private void quietly(String... command) {
        try {
            run(60, command);
        } catch (Exception | AssertionError e) {
            // clean-up goes on
        }
    }

    /** A user's client streaming from v:port into a JSON record, until stopped. */
    LabFixture.UserClient user(String namespace, String vip, int port, int seconds) throws IOException {
        Path record = Files.createTempFile("user-" + namespace, ".json");
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, path("lab/tools/user-client").toString(),
                "--host", vip, "--port", Integer.toString(port), "--duration", Integer.toString(seconds),
                "--out", record.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new LabFixture.UserClient(p, record);
    }

    /** The daemons stop their QEMUs; the port goes back, the VM room is removed, the lab is as found. */
    @Override
    public void close() throws Exception {
        quietly("ip", "-n", "sm-sw1", "link", "set", "p1", "master", "br-v1");
        quietly("lab/daemons/daemons", "stop");
        quietly("lab/lab", "vm-net", "del");
        if (!wasUp) {
            quietly("lab/lab", "down");
        }
        lock.getOutputStream().close();
        lock.waitFor(5, TimeUnit.SECONDS);
    }
}

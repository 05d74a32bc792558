package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh network namespace for one live test, made and torn down with iproute2 (argument
 * lists, never a shell). Never touches the host's own interfaces. Without root or without
 * {@code ip} the test fails and says what it needs.
 */
final class LiveNamespace implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    private final String ip;

    private LiveNamespace(String name, String ip) {
        this.name = name;
        this.ip = ip;
    }

    static LiveNamespace create() {
        String ip = requirements();
        String name = "smnl-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        run(List.of(ip, "netns", "add", name));
        return new LiveNamespace(name, ip);
    }

    /** Fails (does not skip) when the machine cannot run live netlink tests; returns the path of {@code ip}. */
    static String requirements() {
        int euid = LibC.INSTANCE.geteuid();
        if (euid != 0) {
            fail("live netlink tests need root (euid 0) to create network namespaces, bridges and veths;"
                    + " this JVM runs as euid " + euid + ". Run the build as root (e.g. in the lab VM).");
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "ip"))) {
                return Path.of(d, "ip").toString();
            }
        }
        fail("live netlink tests need iproute2's `ip` (apt-get install iproute2); none found on PATH or in /usr/sbin, /sbin");
        return null;
    }

    /** {@code ip -n NS ARGS...}, failing the test on a non-zero exit. */
    String ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ip, "-n", name));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** {@code ip -n NS -j ARGS...} parsed. */
    JsonNode ipJson(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ip, "-n", name, "-j"));
        cmd.addAll(List.of(args));
        try {
            return JSON.readTree(run(cmd));
        } catch (IOException e) {
            throw new IllegalStateException("unparseable output of " + cmd, e);
        }
    }

    /** The one link of {@code ip -j link show dev NAME}. */
    JsonNode link(String dev) {
        return ipJson("link", "show", "dev", dev).get(0);
    }

    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("timed out: " + cmd);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail(cmd + " exited " + p.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd, e);
        }
    }

    @Override
    public void close() {
        run(List.of(ip, "netns", "del", name));
    }
}

package net.sessionmigration.daemondriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.StartAnswer;

/**
 * The lab's CRIU workload {@value #WORKLOAD} (smstream, the lab's streaming server, run by each
 * server daemon in a PID namespace of its own), put back where a test of it starts: running at
 * main-srv, nothing at bak-srv. {@link #reset} does what {@code reset} of
 * lab/tests/daemon-system-test.sh does, in the same order: the copies in both server namespaces
 * ended by pid (they are the daemons' workloads of this test run), CRIU's network lock rules for
 * the service port removed, the virtual IP off the target and on the source, and the stream
 * started at main-srv by its daemon. The users' access ports are left alone: no contract test
 * moves one.
 *
 * <p>Environment (exported by the script): {@code TEST_SRC_NS}, {@code TEST_DST_NS} (the
 * namespaces of main-srv and bak-srv), {@code TEST_VIP}, {@code TEST_SERVER_IF},
 * {@code TEST_SERVICE_PORT}.
 */
final class LabStream {
    static final String WORKLOAD = "stream";
    /** The name the daemons give the stream's processes (lab/daemons/daemons). */
    private static final String EXE = "smstream";
    /** How long a killed copy may take to go; far above the milliseconds it takes. */
    private static final long GONE_WITHIN_MS = 10_000;

    final String sourceNamespace;
    final String targetNamespace;
    final String vip;
    final String serverInterface;
    final int servicePort;

    private LabStream(String sourceNamespace, String targetNamespace, String vip, String serverInterface, int servicePort) {
        this.sourceNamespace = sourceNamespace;
        this.targetNamespace = targetNamespace;
        this.vip = vip;
        this.serverInterface = serverInterface;
        this.servicePort = servicePort;
    }

    static LabStream fromEnvironment() {
        return new LabStream(LabDaemons.env("TEST_SRC_NS", "sm-main-srv"), LabDaemons.env("TEST_DST_NS", "sm-bak-srv"),
                LabDaemons.env("TEST_VIP", "10.20.0.100"), LabDaemons.env("TEST_SERVER_IF", "eth0"),
                Integer.parseInt(LabDaemons.env("TEST_SERVICE_PORT", "7001")));
    }

    /** The stream runs at main-srv only, with the virtual IP there and no CRIU lock rule left. */
    void reset(DaemonClient daemons) {
        endCopies();
        removeLockRules();
        sh(false, "ip", "-n", targetNamespace, "addr", "del", vip + "/32", "dev", serverInterface);
        sh(true, "ip", "-n", sourceNamespace, "addr", "replace", vip + "/32", "dev", serverInterface);
        try {
            daemons.post(LabDaemons.MAIN, "/v1/workloads/" + WORKLOAD + "/start", Map.of(), StartAnswer.class);
        } catch (DaemonClient.DaemonException e) {
            throw new IllegalStateException("lab reset: " + LabDaemons.MAIN + " did not start " + WORKLOAD + ": "
                    + e.getMessage(), e);
        }
    }

    /** Ends every smstream process in both server namespaces, and waits until each is gone (or a zombie). */
    private void endCopies() {
        List<ProcessHandle> ended = new ArrayList<>();
        for (String ns : List.of(sourceNamespace, targetNamespace)) {
            for (String pid : sh(false, "ip", "netns", "pids", ns).split("\\s+")) {
                if (!pid.isEmpty() && EXE.equals(comm(pid))) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                        p.destroyForcibly();
                        ended.add(p);
                    });
                }
            }
        }
        long deadline = System.currentTimeMillis() + GONE_WITHIN_MS;
        for (ProcessHandle p : ended) {
            while (present(p.pid())) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("lab reset: " + EXE + " pid " + p.pid() + " still there after SIGKILL");
                }
                pause();
            }
        }
    }

    /** CRIU's per-connection DROP rules for the service port (a dump leaves them until rollback or release). */
    private void removeLockRules() {
        Pattern lock = Pattern.compile("--[sd]port " + servicePort + " .*-j DROP");
        for (String ns : List.of(sourceNamespace, targetNamespace)) {
            for (String rule : sh(false, "ip", "netns", "exec", ns, "iptables", "-S").split("\n")) {
                if (rule.startsWith("-A ") && lock.matcher(rule).find()) {
                    List<String> delete = new ArrayList<>(List.of("ip", "netns", "exec", ns, "iptables", "-D"));
                    delete.addAll(Arrays.asList(rule.substring(3).trim().split("\\s+")));
                    sh(true, delete.toArray(String[]::new));
                }
            }
        }
    }

    private static String comm(String pid) {
        try {
            return Files.readString(Path.of("/proc", pid, "comm")).strip();
        } catch (IOException e) {
            return ""; // gone meanwhile
        }
    }

    /** Whether the process exists and is not a zombie (the daemons find a workload so too). */
    private static boolean present(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the lab reset", e);
        }
    }

    /** Runs a command and answers its output; one that must succeed and does not fails the reset. */
    static String sh(boolean mustSucceed, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            if (mustSucceed && status != 0) {
                throw new IllegalStateException("lab reset: " + String.join(" ", command) + " exited " + status + ": "
                        + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("lab reset: " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }
}

package net.sessionmigration.criurpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Wall time of check, dump and restore of a tiny process (a Python sleep loop) through RPC and
 * through the CLI with the daemon's arguments, both through {@code nsenter --net} into a
 * private namespace. Not a test (its name keeps it out of the suite); runs when named, {@code -Dcriu.timings=RUNS} (default 9); the first run of each way is
 * "cold", the median of the others "warm". The two ways alternate which goes first.
 * {@code mvn -o -q -f criu-rpc/pom.xml verify -Dtest=CriuRpcBenchmark -Dcriu.timings=9}
 */
class CriuRpcBenchmark {
    static final String TINY = "import time\nwhile True:\n    time.sleep(0.05)";

    @Test
    void rpcVersusCli() throws Exception {
        int runs = Integer.getInteger("criu.timings", 9); // a benchmark: surefire runs it only when named
        String ns = "criurpc-time-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        List<String> nsenter = List.of("nsenter", "--net=/run/netns/" + ns);
        Path root = Files.createTempDirectory("criurpc-timings");
        CriuRpc rpc = new CriuRpc(CriuRpcLiveTest.CRIU).withCommandPrefix(nsenter);
        Map<String, List<Long>> ms = new LinkedHashMap<>();
        List<Integer> pids = new ArrayList<>();
        CriuRpcLiveTest.sh("ip", "netns", "add", ns);
        try {
            CriuRpcLiveTest.sh("ip", "-n", ns, "link", "set", "lo", "up");
            for (int i = 0; i < runs; i++) {
                for (String way : i % 2 == 0 ? List.of("rpc", "cli") : List.of("cli", "rpc")) {
                    Path dir = Files.createDirectories(root.resolve(way + i));
                    Process w = new ProcessBuilder(cat(nsenter, List.of("setsid", "/usr/bin/python3", "-c", TINY)))
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
                    int pid = (int) w.pid();
                    pids.add(pid);
                    Thread.sleep(200);
                    long t0 = System.nanoTime();
                    if (way.equals("rpc")) {
                        rpc.check();
                    } else {
                        cli(nsenter, List.of("check"));
                    }
                    long t1 = System.nanoTime();
                    if (way.equals("rpc")) {
                        rpc.dump(DumpOptions.forMigration(pid, dir), null);
                    } else {
                        cli(nsenter, List.of("dump", "-t", Integer.toString(pid), "-D", dir.toString(), "--tcp-established",
                                "--leave-stopped", "--network-lock", "nftables", "--display-stats", "-o", "dump.log", "-v3"));
                    }
                    long t2 = System.nanoTime();
                    w.destroyForcibly();
                    assertTrue(w.waitFor(5, TimeUnit.SECONDS));
                    long t3 = System.nanoTime();
                    int restored;
                    if (way.equals("rpc")) {
                        restored = rpc.restore(RestoreOptions.forMigration(dir), null).pid();
                    } else {
                        Path pidFile = dir.resolve("restored.pid");
                        cli(nsenter, List.of("restore", "-D", dir.toString(), "--tcp-established", "--network-lock", "nftables",
                                "-d", "--leave-stopped", "--pidfile", pidFile.toString(), "-o", "restore.log", "-v2"));
                        restored = Integer.parseInt(Files.readString(pidFile).strip());
                    }
                    long t4 = System.nanoTime();
                    assertEquals(pid, restored);
                    CriuLibC.INSTANCE.kill(restored, CriuLibC.SIGKILL);
                    long end = System.nanoTime() + 5_000_000_000L;
                    while (Files.exists(Path.of("/proc/" + restored)) && System.nanoTime() < end) {
                        Thread.sleep(5);
                    }
                    if (!Files.exists(Path.of("/proc/" + restored))) {
                        pids.remove(Integer.valueOf(pid)); // gone: never signal that number again
                    }
                    ms.computeIfAbsent(way + " check", k -> new ArrayList<>()).add((t1 - t0) / 1_000_000);
                    ms.computeIfAbsent(way + " dump", k -> new ArrayList<>()).add((t2 - t1) / 1_000_000);
                    ms.computeIfAbsent(way + " restore", k -> new ArrayList<>()).add((t4 - t3) / 1_000_000);
                }
            }
        } finally {
            for (int pid : pids) {
                CriuLibC.INSTANCE.kill(pid, CriuLibC.SIGKILL); // the workload or its restored copy, if a step failed
            }
            try {
                CriuRpcLiveTest.sh("ip", "netns", "del", ns);
            } catch (IOException ignored) {
                // best effort
            }
            try (var s = Files.walk(root)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf("%-12s %8s %12s   %s%n", "step", "cold ms", "warm median", "all runs (ms)");
        for (var e : ms.entrySet()) {
            List<Long> warm = new ArrayList<>(e.getValue().subList(1, e.getValue().size()));
            warm.sort(null);
            System.out.printf("%-12s %8d %12d   %s%n", e.getKey(), e.getValue().get(0), warm.get(warm.size() / 2), e.getValue());
        }
    }

    private static void cli(List<String> prefix, List<String> args) throws Exception {
        List<String> cmd = cat(prefix, List.of(CriuRpcLiveTest.CRIU.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + ": " + new String(out));
    }

    private static List<String> cat(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }
}

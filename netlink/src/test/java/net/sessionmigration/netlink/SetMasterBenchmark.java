package net.sessionmigration.netlink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Micro-benchmark for BENCHMARKS.md (not a test): moving an access port between two bridges
 * in a fresh namespace, N times each way, through this library (one long-lived socket) and
 * through {@code ip link set} started with ProcessBuilder, in the same run.
 *
 * <pre>
 * cd netlink &amp;&amp; mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *      net.sessionmigration.netlink.SetMasterBenchmark [moves=1000]
 * </pre>
 */
public final class SetMasterBenchmark {
    private SetMasterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String ipPath = LiveNamespace.requirements();
        try (LiveNamespace ns = LiveNamespace.create()) {
            ns.ip("link", "add", "br-a", "type", "bridge");
            ns.ip("link", "add", "br-b", "type", "bridge");
            ns.ip("link", "add", "veth-b0", "type", "veth", "peer", "name", "veth-b1");
            ns.ip("link", "set", "dev", "veth-b0", "master", "br-a");
            for (String d : List.of("br-a", "br-b", "veth-b0", "veth-b1")) {
                ns.ip("link", "set", "dev", d, "up");
            }
            try (RtNetlink rt = RtNetlink.openInNamespace(ns.name)) {
                Link port = rt.requireLink("veth-b0");
                Link[] bridges = {rt.requireLink("br-b"), rt.requireLink("br-a")};
                for (int i = 0; i < 200; i++) {
                    rt.setMaster(port, bridges[i % 2]);
                }
                long[] lib = new long[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    rt.setMaster(port, bridges[i % 2]);
                    lib[i] = System.nanoTime() - t0;
                }
                String[] names = {"br-b", "br-a"};
                long[] byName = new long[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    rt.setMaster("veth-b0", names[i % 2]);
                    byName[i] = System.nanoTime() - t0;
                }
                long[] get = new long[n];
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    rt.link("veth-b0");
                    get[i] = System.nanoTime() - t0;
                }
                // ip -batch: one process, n moves; the kernel's share of a move without process start-up
                java.nio.file.Path batch = java.nio.file.Files.createTempFile("smnl-batch", ".txt");
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    lines.append("link set dev veth-b0 master ").append(names[i % 2]).append('\n');
                }
                java.nio.file.Files.writeString(batch, lines);
                long b0 = System.nanoTime();
                LiveNamespace.run(List.of(ipPath, "-n", ns.name, "-batch", batch.toString()));
                long batchPerMove = (System.nanoTime() - b0) / n;
                java.nio.file.Files.delete(batch);
                long[] cli = new long[n];
                for (int i = 0; i < n; i++) {
                    List<String> cmd = new ArrayList<>(List.of(ipPath, "-n", ns.name, "link", "set", "dev", "veth-b0",
                            "master", names[i % 2]));
                    long t0 = System.nanoTime();
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    if (p.waitFor() != 0) {
                        throw new IllegalStateException("ip failed: " + cmd);
                    }
                    cli[i] = System.nanoTime() - t0;
                }
                String expected = names[(n - 1) % 2];
                if (!expected.equals(ns.link("veth-b0").path("master").asText())) {
                    throw new IllegalStateException("port did not end in " + expected);
                }
                System.out.printf(Locale.ROOT, "set-master moves in a netns, %d each, same run (%s, %d CPUs, kernel %s)%n",
                        n, System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors(),
                        System.getProperty("os.version"));
                System.out.printf(Locale.ROOT, "%-44s %10s %10s %10s %10s%n", "", "median", "p90", "p99", "max");
                row("sm-netlink setMaster(Link, Link) [1 round trip]", lib);
                row("sm-netlink setMaster(name, name) [3 round trips]", byName);
                row("sm-netlink link(name) [1 round trip, read only]", get);
                row("ip link set dev P master B (ProcessBuilder)", cli);
                System.out.printf(Locale.ROOT, "%-44s %8.1f µs (mean of %d moves in one ip -batch process)%n",
                        "ip -batch, per move", batchPerMove / 1e3, n);
                System.out.printf(Locale.ROOT, "median ratio ip / sm-netlink(Link): %.1fx%n",
                        (double) pct(cli, 50) / pct(lib, 50));
            }
        }
    }

    private static void row(String name, long[] ns) {
        System.out.printf(Locale.ROOT, "%-44s %8.1f µs %7.1f µs %7.1f µs %7.1f µs%n", name, pct(ns, 50) / 1e3,
                pct(ns, 90) / 1e3, pct(ns, 99) / 1e3, pct(ns, 100) / 1e3);
    }

    private static long pct(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }
}

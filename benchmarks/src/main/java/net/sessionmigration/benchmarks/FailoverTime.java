package net.sessionmigration.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import net.sessionmigration.coordinator.cluster.ClusterMember;
import net.sessionmigration.coordinator.cluster.ClusterSettings;
import net.sessionmigration.coordinator.cluster.EnsemblePki;
import net.sessionmigration.coordinator.cluster.ZooKeeperEnsemble;

/**
 * How long a cluster is without a leader when the leader's machine dies: a leader in its own JVM
 * is killed with SIGKILL (no goodbye to ZooKeeper), and the time until the standby in this JVM is
 * told it leads, with its new epoch, is measured. ZooKeeper ends the dead leader's session only
 * after the session timeout, so that bounds it from below. A real three-server ensemble on this
 * machine ({@link ZooKeeperEnsemble}), with mutual TLS as in production: the leader process is given the folder of
 * the coordinator's TLS files (never a password on its command line).
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar net.sessionmigration.benchmarks.FailoverTime
 * [ROUNDS] [SESSION_TIMEOUT_MS]} (defaults 10 and 4000). Prints one line per round and the median
 * and worst.
 */
public final class FailoverTime {
    private FailoverTime() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Duration session = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 4000);
        String jar = Path.of(FailoverTime.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<Long> ms = new ArrayList<>();
        try (ZooKeeperEnsemble zk = new ZooKeeperEnsemble(3)) {
            zk.awaitServing(3, Duration.ofSeconds(60));
            for (int i = 1; i <= rounds; i++) {
                String root = "/sm-failover-" + i;
                Process leader = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", jar, LeaderProcess.class.getName(), zk.connect(), root, Long.toString(session.toMillis()),
                        zk.tlsDir().toString())
                        .redirectErrorStream(true).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(leader.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("leading")) {
                    // its start-up
                }
                if (line == null) {
                    throw new IllegalStateException("the leader process ended before it led");
                }
                try (ClusterMember standby = new ClusterMember(new ClusterSettings(zk.connect(), root, "standby", session,
                        zk.tls()))) {
                    CountDownLatch leads = new CountDownLatch(1);
                    long[] at = new long[1];
                    standby.listen(epoch -> {
                        at[0] = System.nanoTime();
                        leads.countDown();
                    }, why -> { });
                    standby.start();
                    ZooKeeperEnsemble.await(Duration.ofSeconds(30), () -> standby.status().members().size() == 2,
                            "the standby joined");
                    long killed = System.nanoTime();
                    leader.destroyForcibly();
                    if (!leads.await(session.toMillis() * 5, TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException("round " + i + ": the standby did not lead");
                    }
                    long took = (at[0] - killed) / 1_000_000;
                    ms.add(took);
                    System.out.printf("round %d: SIGKILL of the leader to the standby leading (epoch %d): %d ms%n", i,
                            standby.epoch(), took);
                } finally {
                    leader.destroyForcibly();
                    leader.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        Collections.sort(ms);
        System.out.printf("session timeout %d ms, %d rounds: median %d ms, worst %d ms%n", session.toMillis(), ms.size(),
                ms.get(ms.size() / 2), ms.get(ms.size() - 1));
    }

    /**
     * The leader: joins, prints "leading" once it leads, and waits to be killed. Arguments: connect, root, session
     * timeout (ms), the folder of the coordinator's TLS files ({@link ZooKeeperEnsemble#tlsDir()}).
     */
    public static final class LeaderProcess {
        private LeaderProcess() {
        }

        public static void main(String[] args) throws Exception {
            ClusterMember m = new ClusterMember(new ClusterSettings(args[0], args[1], "leader",
                    Duration.ofMillis(Long.parseLong(args[2])), EnsemblePki.clientIn(Path.of(args[3]))));
            CountDownLatch leads = new CountDownLatch(1);
            m.listen(epoch -> leads.countDown(), why -> { });
            m.start();
            leads.await();
            System.out.println("leading");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}

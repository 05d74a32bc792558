package net.sessionmigration.daemon;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.MutualTls;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.StartAnswer;

/**
 * At start, one whole migration of a tiny process from this daemon to itself, through its own
 * control API over mutual TLS, in the order the coordinator's driver calls it: start, freeze (with
 * the page server and the hold), migrate (dump, image, restore), move-vip, sessions, held,
 * resume, release, and discard of the copy. The first real migration then finds every handler,
 * the peer calls, CRIU's dump and restore already loaded: its S704 costs what a warm one does
 * (BENCHMARKS.md, "Per migration from captures", session 11). A warm-up of the parts alone did not
 * get there: each handler's first call still cost 10-100 ms.
 *
 * <p>The process is {@code sleep} under the name {@value #WORKLOAD} (a link in the image root), in
 * its own PID namespace (the stopped source and the restored copy live side by side, as a lab's
 * two servers on one kernel) and its own session (CRIU refuses a session leader outside its PID
 * namespace); its virtual IP {@value #VIP} is on the loopback interface, so nothing of it leaves
 * the host (no address on a site's network, no ARP on its links). Real migrations wait until it
 * has ended ({@link MigrationService#spec}). Its workload exists only while it runs; it is not one
 * of this daemon's recent migrations, and the crash tests' fault injection leaves it alone. It
 * needs an address of this daemon's certificate on this host (its own calls verify the name as a
 * peer's do); without one, or without {@code sleep}, {@code unshare} and {@code setsid}, it is
 * skipped, and says why.
 */
final class Rehearsal {
    static final String WORKLOAD = "sm-rehearsal";
    static final String VIP = "127.0.77.1";
    private static final Logger LOG = Logger.getLogger("sm-daemon");
    /** The longest a real migration waits for the rehearsal before it goes ahead anyway. */
    static final Duration LONGEST = Duration.ofSeconds(30);

    private final MigrationService service;
    private final DaemonClient client;
    private final String self;
    private final DaemonConfig.WorkloadSpec spec;
    private final LongSupplier epoch;

    private Rehearsal(MigrationService service, DaemonClient client, DaemonConfig.WorkloadSpec spec, LongSupplier epoch) {
        this.service = service;
        this.client = client;
        this.self = service.config().name();
        this.spec = spec;
        this.epoch = epoch;
    }

    /**
     * The rehearsal for {@code service}'s daemon, or empty (logged why) when it has no process
     * workload, turned it off, or lacks what it needs. From the moment this returns one, real
     * migrations wait for {@link #run} to end.
     *
     * @param selfUrl this daemon's URL as its peers would name it ({@link #selfUrl})
     * @param epoch   the highest coordinator epoch seen, which the rehearsal's calls carry
     */
    static Optional<Rehearsal> prepare(MigrationService service, SSLContext ssl, Optional<String> selfUrl,
                                       LongSupplier epoch) {
        DaemonConfig config = service.config();
        if (config.workloads().isEmpty() || !config.rehearse()) {
            return Optional.empty();
        }
        if (selfUrl.isEmpty()) {
            LOG.warning("rehearsal skipped: none of the IPv4 addresses in this daemon's certificate is on this host,"
                    + " so it cannot call itself as its peers call it; the first migration will be slower");
            return Optional.empty();
        }
        Optional<Path> sleep = onPath("sleep");
        if (sleep.isEmpty() || onPath("unshare").isEmpty() || onPath("setsid").isEmpty()) {
            LOG.warning("rehearsal skipped: it needs sleep (coreutils), unshare and setsid (util-linux) on the PATH");
            return Optional.empty();
        }
        Path bin = Path.of(config.imageRoot(), ".rehearsal", WORKLOAD);
        try {
            Files.createDirectories(bin.getParent());
            Files.deleteIfExists(bin);
            Files.createSymbolicLink(bin, sleep.get()); // the process is named after the link
        } catch (IOException e) {
            LOG.warning("rehearsal skipped: cannot make " + bin + ": " + e.getMessage());
            return Optional.empty();
        }
        // its own working directory: CRIU's parasite makes "proc.crtools" in the dumped process's,
        // and two daemons on one host that rehearse at once would both make it in the same one
        var spec = new DaemonConfig.WorkloadSpec(WORKLOAD, null, List.of("unshare", "--pid", "--fork",
                "--wd=" + bin.getParent(), "setsid", bin.toString(), "3600"), "lo");
        DaemonClient client = new DaemonClient(ssl, Map.of(config.name(), selfUrl.get()), Duration.ofSeconds(60));
        service.rehearsing(spec);
        return Optional.of(new Rehearsal(service, client, spec, epoch));
    }

    /** Whether {@code migrationId} is a rehearsal's (its source half or its target half). */
    static boolean isRehearsal(String migrationId) {
        return migrationId != null && migrationId.startsWith(WORKLOAD + "-");
    }

    /** One call of a migration's commit, at the source's half or at the target's (which has an id of its own here). */
    private record Op(String name, boolean atTarget) {
    }

    /** The driver's calls after start, in its order. */
    private static final List<Op> CALLS = List.of(new Op("freeze", false), new Op("migrate", false),
            new Op("move-vip", false), new Op("held", false), new Op("resume", true),
            new Op("release", false), new Op("discard", true));

    /** Runs it, logs each call's time, and lets real migrations through, whatever happened. */
    void run() {
        String id = WORKLOAD + "-" + System.currentTimeMillis();
        MigrationRequest r = new MigrationRequest(WORKLOAD, VIP, self, MigrationRequest.MOVE, List.of());
        DaemonClient c = client.withEpoch(epoch.getAsLong());
        Map<String, Long> ms = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try {
            timed(ms, "start", () -> c.post(self, "/v1/workloads/" + WORKLOAD + "/start", Map.of(), StartAnswer.class));
            for (Op op : CALLS) {
                String path = "/v1/migrations/" + (op.atTarget() ? MigrationService.targetHalf(id) : id) + "/" + op.name();
                timed(ms, op.name(), () -> c.post(self, path, r, OperationAnswer.class));
            }
            OptionalInt left = ProcessTree.findRoot(spec);
            if (left.isPresent()) {
                throw new IOException("pid " + left.getAsInt() + " still runs after the discard");
            }
            LOG.info("rehearsal: a migration of a tiny process to this daemon itself in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms, per call (ms) " + ms);
        } catch (IOException | RuntimeException e) {
            LOG.warning("rehearsal failed after " + ms.keySet() + " (" + e.getMessage()
                    + "); the first migration will be slower. Cleaned up: " + cleanUp(id, r));
        } finally {
            service.rehearsed(id);
        }
    }

    @FunctionalInterface
    private interface Call {
        Object call() throws IOException;
    }

    private static void timed(Map<String, Long> ms, String name, Call call) throws IOException {
        long t0 = System.nanoTime();
        call.call();
        ms.put(name, (System.nanoTime() - t0) / 1_000_000);
    }

    /** After a failure: the copy discarded, the source's lock lifted, every rehearsal process ended. */
    private String cleanUp(String id, MigrationRequest r) {
        List<String> done = new ArrayList<>();
        try {
            service.endRehearsal(id, r);
            done.add("copy discarded, lock lifted");
        } catch (IOException | RuntimeException e) {
            done.add("discard: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 4; i++) { // the source copy and the restored one, if either is left
            OptionalInt root = ProcessTree.findRoot(spec);
            if (root.isEmpty()) {
                break;
            }
            try {
                done.add("pid " + root.getAsInt() + (ProcessTree.killAndReap(root.getAsInt(), 3000) ? " ended" : " did not end"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return String.join(", ", done);
    }

    /**
     * {@code https://A:port} for the first IPv4 address of this daemon's certificate (its subject
     * alternative names) that is on one of this host's interfaces and that it listens on: the name
     * its own calls then verify, as a peer's calls do. Empty when there is none.
     */
    static Optional<String> selfUrl(DaemonConfig config) {
        try {
            return pick(certificateAddresses(config.tls()), localAddresses(), config.listenAddress())
                    .map(a -> "https://" + a + ":" + config.listenPort());
        } catch (IOException e) {
            LOG.warning("rehearsal: cannot read this daemon's certificate: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The first of {@code candidates} that is local and that {@code listenAddress} (an address, or 0.0.0.0) covers. */
    static Optional<String> pick(List<String> candidates, Set<String> local, String listenAddress) {
        boolean any = listenAddress == null || listenAddress.isBlank() || listenAddress.equals("0.0.0.0");
        return candidates.stream().filter(RequestNames::isIpv4).filter(local::contains)
                .filter(a -> any || a.equals(listenAddress)).findFirst();
    }

    private static List<String> certificateAddresses(DaemonConfig.Tls tls) throws IOException {
        try {
            KeyStore ks = MutualTls.load(Path.of(tls.keystore()), tls.keystorePassword().toCharArray());
            return ks.getCertificate(MutualTls.ownAlias(ks, Path.of(tls.keystore()))) instanceof X509Certificate leaf
                    ? ipAddresses(leaf) : List.of();
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static List<String> ipAddresses(X509Certificate leaf) throws CertificateParsingException {
        Collection<List<?>> names = leaf.getSubjectAlternativeNames();
        if (names == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (List<?> n : names) {
            if (n.size() == 2 && Integer.valueOf(7).equals(n.get(0)) && n.get(1) instanceof String a) { // 7: iPAddress
                out.add(a);
            }
        }
        return out;
    }

    private static Set<String> localAddresses() throws IOException {
        try {
            return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .map(InetAddress::getHostAddress).collect(Collectors.toSet());
        } catch (SocketException e) {
            throw new IOException("cannot list this host's addresses: " + e.getMessage(), e);
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}

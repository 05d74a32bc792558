package net.sessionmigration.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.stream.Stream;

import net.sessionmigration.criurpc.CriuStats;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.PageServerAnswer;
import net.sessionmigration.daemon.protocol.PreflightAnswer;
import net.sessionmigration.daemon.protocol.RecentMigration;
import net.sessionmigration.daemon.protocol.StartAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

/**
 * The CRIU backend, one object per daemon. Source side: freeze (S703), migrate (S704: dump,
 * transfer, target restore), move-vip (S705), release (S710: MOVE kills the stopped source
 * copy, REPLICATE continues it), rollback. Target side: image, restore, resume (S710),
 * announce, discard. Every operation is idempotent and serialised per migration.
 */
public class MigrationService {
    private static final Logger LOG = Logger.getLogger("sm-daemon");
    /** The warning that CRIU keeps no kernel-feature cache, given once. */
    private final AtomicBoolean probedWarned = new AtomicBoolean();

    private final DaemonConfig config;
    private final Criu criu;
    private final VirtualIpControl vips;
    private final PeerClient peers;
    private final SourceLock locks;
    private final Map<String, Migration> migrations = new ConcurrentHashMap<>();
    /** Where a stopped copy is listed ({@link StoppedCopy}), beside the request that stopped it. */
    private final ExecutorService listings = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stopped-copy-listing");
        t.setDaemon(true);
        return t;
    });
    /** This daemon's last {@value #RECENT} migrations as a source, for the driver's freeze prediction. */
    private final Deque<RecentMigration> recent = new ArrayDeque<>();
    static final int RECENT = 10;
    private CriuTls criuTls;
    /** Open while {@link Rehearsal} runs: real migrations wait for it ({@link #spec}). */
    private volatile CountDownLatch rehearsal = new CountDownLatch(0);
    /** The rehearsal's workload, only while it runs. */
    private volatile DaemonConfig.WorkloadSpec rehearsalSpec;

    /** What this daemon knows about one migration. */
    static final class Migration {
        final String id;
        int sourceRoot = -1;
        int restoredRoot = -1;
        boolean dumped;
        boolean restored;
        boolean released;
        /**
         * At the source: the stopped copy as listed right after the dump, with what each
         * connection had received at the checkpoint (the source must take no more).
         */
        StoppedCopy checkpoint;
        /** At the target: the restored copy as listed right after the restore, while it is stopped. */
        StoppedCopy restoredCopy;
        /** At the target: CRIU's page server receiving this migration's pages, if the source asked for it. */
        Criu.Background pageServer;
        /** At the target: {@link TargetHold} is in place for this migration's virtual IP. */
        boolean held;
        /** At the source: the target's page server, asked for at S703 before the workload stopped. */
        Criu.PageServerTarget pages;
        /** Post-copy, at the source: the lazy dump serving the pages until the last one has left. */
        Criu.Background lazyDump;
        /** Post-copy, at the target: CRIU's lazy-pages daemon fetching them into the restored copy. */
        Criu.Background lazyPages;
        /** Post-copy, at the source: where the lazy dump serves the pages (the target connects there). */
        InetSocketAddress lazyFrom;
        final Map<String, String> measurements = new LinkedHashMap<>();

        Migration(String id) {
            this.id = id;
        }
    }

    public MigrationService(DaemonConfig config, Criu criu, VirtualIpControl vips, PeerClient peers) {
        this.config = config;
        this.criu = criu;
        this.vips = vips;
        this.peers = peers;
        this.locks = new SourceLock(Path.of(config.imageRoot()));
    }

    public DaemonConfig config() {
        return config;
    }

    /** A request's workload; a real one once the rehearsal at start has ended. */
    private DaemonConfig.WorkloadSpec spec(String workload) {
        DaemonConfig.WorkloadSpec rehearsed = rehearsalSpec;
        if (rehearsed != null && Rehearsal.WORKLOAD.equals(workload)) {
            return rehearsed;
        }
        awaitRehearsal();
        DaemonConfig.WorkloadSpec s = config.workloads().get(workload);
        if (s == null) {
            throw new RequestNames.BadRequest("unknown workload");
        }
        return s;
    }

    private void awaitRehearsal() {
        CountDownLatch running = rehearsal;
        try {
            if (running.getCount() > 0 && !running.await(Rehearsal.LONGEST.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning("the rehearsal at start still runs after " + Rehearsal.LONGEST.toSeconds()
                        + " s: requests go ahead without waiting for it");
                running.countDown(); // once: no later request waits for it either
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** From now until {@link #rehearsed}: {@code spec} is a workload, and real requests wait. */
    void rehearsing(DaemonConfig.WorkloadSpec spec) {
        rehearsal = new CountDownLatch(1);
        rehearsalSpec = spec;
    }

    /** The rehearsal {@code id} has ended: its workload and record go, real requests go ahead. */
    void rehearsed(String id) {
        rehearsalSpec = null;
        migrations.remove(id);
        migrations.remove(targetHalf(id));
        rehearsal.countDown();
    }

    /** A failed rehearsal: its copy discarded (address, hold, process, images) and the source's lock lifted. */
    void endRehearsal(String id, MigrationRequest r) throws IOException, InterruptedException {
        try {
            discard(targetHalf(id), r);
        } finally {
            locks.lift(id);
            deleteTree(imageDir(id)); // the source half's images, left by a dump that failed
        }
    }

    /**
     * The migration id the target knows {@code id} by: the same, except in a migration to this
     * daemon itself (the rehearsal), whose target half needs a record and an image directory of
     * its own: {@code id} + {@value #TARGET_HALF}.
     */
    private String atTarget(String id, MigrationRequest r) {
        return config.name().equals(r.target()) ? targetHalf(id) : id;
    }

    static final String TARGET_HALF = ".t";

    static String targetHalf(String id) {
        return id + TARGET_HALF;
    }

    /** The peer a migration goes to: another daemon (this one itself only in the rehearsal). */
    private String target(MigrationRequest r) {
        if (r.target() == null) {
            throw new RequestNames.BadRequest("migrate needs a target");
        }
        if (r.target().equals(config.name()) && !Rehearsal.WORKLOAD.equals(r.workload())) {
            throw new RequestNames.BadRequest("target is this daemon itself");
        }
        return r.target();
    }

    private Migration migration(String id) {
        return migrations.computeIfAbsent(RequestNames.require("migration id", id), Migration::new);
    }

    Path imageDir(String id) {
        return Path.of(config.imageRoot(), RequestNames.require("migration id", id));
    }

    private static void log(String step, String id, String text) {
        LOG.info(step + " migration " + id + ": " + text);
    }

    // ------------------------------------------------------------------ queries

    public WorkloadStateAnswer state(String workload, String vip) throws IOException {
        DaemonConfig.WorkloadSpec spec = spec(workload);
        OptionalInt root = ProcessTree.findRoot(spec);
        Boolean vipPresent = vip == null ? null : vips.present(spec.vipInterface(), RequestNames.requireIpv4("vip", vip));
        return new WorkloadStateAnswer(config.name(), workload, null, root.isPresent(),
                root.isPresent() ? root.getAsInt() : null, null,
                root.isPresent() ? ProcessTree.stopped(root.getAsInt()) : null, vipPresent);
    }

    /**
     * State, {@code criu check}, and what the driver predicts the freeze from: the workload's
     * resident size now and this daemon's recent migrations as a source.
     */
    public PreflightAnswer preflight(String workload, String vip) throws IOException, InterruptedException {
        WorkloadStateAnswer s = state(workload, vip);
        Criu.Outcome check = criu.check();
        Long resident = s.found() ? ProcessTree.residentBytes(ProcessTree.tree(s.pid())) : null;
        List<RecentMigration> history;
        synchronized (recent) {
            history = List.copyOf(recent);
        }
        return PreflightAnswer.criu(s, check.ok() && check.output().contains("Looks good"),
                check.output().lines().filter(l -> !l.contains("RLIMIT_NOFILE")).reduce("", (a, b) -> a + b + "\n").strip(),
                history, resident);
    }

    public StartAnswer start(String workload) throws IOException {
        DaemonConfig.WorkloadSpec spec = spec(workload);
        OptionalInt root = ProcessTree.findRoot(spec);
        if (root.isPresent()) {
            return StartAnswer.of("already running", root.getAsInt());
        }
        if (spec.command() == null || spec.command().isEmpty()) {
            throw new RequestNames.BadRequest("workload has no start command");
        }
        new ProcessBuilder(spec.command()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long end = System.currentTimeMillis() + 3000;
        while (System.currentTimeMillis() < end) {
            root = ProcessTree.findRoot(spec);
            if (root.isPresent()) {
                LOG.info("workload " + workload + " started, pid " + root.getAsInt());
                return StartAnswer.of("started", root.getAsInt());
            }
            sleep(10);
        }
        throw new IOException("workload " + workload + " did not appear after start");
    }

    // ------------------------------------------------------------------ source side

    /**
     * S703: what can be done before the freeze, while the workload still runs: the target's page
     * server and hold. The workload is stopped at S704, right before the dump ({@link #stopForDump}):
     * stopped here, it waited also for this answer, S704's journal commit and the migrate call.
     * {@code epoch}: the request's, sent on with the call for the target's page server.
     */
    public OperationAnswer freeze(String id, MigrationRequest r, long epoch) throws IOException {
        Migration m = migration(id);
        synchronized (m) {
            sourceRoot(m, r);
            pagesBeforeTheFreeze(id, m, r, epoch);
            log("S703", id, "workload " + r.workload() + " pid " + m.sourceRoot + " runs until S704 stops it for the dump");
            return report("pid " + m.sourceRoot + " runs until S704 stops it for the dump", Map.of());
        }
    }

    /**
     * SIGSTOP of the tree, every thread of it stopped before CRIU starts. CRIU would seize a
     * running tree itself, but if it then died mid-dump (its SIGCHLD handler exits at once when a
     * task stops or dies under it) the kernel would let the tasks run on at once, their sockets
     * still in repair mode under CRIU's lock, and the workload would close its users' connections
     * (fault-test criu-stopped-mid-dump, redis: 3 of 3 reset). Stopped first, the tree stays
     * stopped until the rollback has lifted the lock and repaired the sockets. Every thread, not
     * only each process: a stop still pending in a thread when CRIU seizes it fails the dump
     * ("was stopped by 19 unexpectedly").
     */
    private void stopForDump(String id, Migration m) throws IOException {
        long t0 = System.nanoTime();
        boolean stopped;
        try {
            stopped = ProcessTree.stopTree(m.sourceRoot, 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (!stopped) {
            throw new IOException("workload pid " + m.sourceRoot + " did not stop within 2 s of SIGSTOP");
        }
        long us = (System.nanoTime() - t0) / 1000;
        m.measurements.put("stop_us", Long.toString(us));
        log("S704", id, "pid " + m.sourceRoot + " stopped (SIGSTOP, every thread) in " + us + " µs");
    }

    private void sourceRoot(Migration m, MigrationRequest r) throws IOException {
        if (m.sourceRoot < 0) {
            m.sourceRoot = ProcessTree.findRoot(spec(r.workload()))
                    .orElseThrow(() -> new IOException("workload " + r.workload() + " not running"));
        }
    }

    /** S704. {@code epoch}: the request's, sent on with every call to the target. */
    public OperationAnswer migrate(String id, MigrationRequest r, long epoch) throws IOException, InterruptedException {
        target(r);
        Migration m = migration(id);
        synchronized (m) {
            if (m.restored) {
                return report("already migrated to " + r.target(), m.measurements);
            }
            sourceRoot(m, r);
            Path dir = imageDir(id);
            if (!m.dumped && r.lazyPages()) {
                stopForDump(id, m);
                deleteTree(dir);
                Files.createDirectories(dir);
                lazyDump(id, m, r, dir);
            }
            if (!m.dumped) {
                deleteTree(dir);
                Files.createDirectories(dir);
                Criu.PageServerTarget pages = m.pages != null ? m.pages : pageServerFor(id, m, r, epoch);
                m.pages = null;
                Criu.Dumped d;
                try {
                    // the tree stops at CRIU's pre-dump point, once its worker runs
                    d = criu.dump(m.sourceRoot, dir, pages, () -> {
                        stopForDump(id, m);
                        FaultInjection.stopDuringDump(id, m.sourceRoot, dir.resolve("dump.log"));
                    });
                } catch (IOException e) {
                    keepCriuLock(id, dir);
                    throw new IOException("criu dump failed: " + e.getMessage(), e);
                }
                m.dumped = true;
                holdLock(id, m, dir);
                Optional<CriuStats.Dump> stats = Optional.ofNullable(d.stats());
                m.measurements.put("dump_ms", Long.toString(d.millis())); // from the stop on: inside the freeze
                m.measurements.put("criu_start_ms", Long.toString(d.startMillis())); // before the stop
                m.measurements.put("pages_path", pages == null ? "image" : "page-server");
                m.measurements.put("pages_bytes", Long.toString(stats.map(CriuStats.Dump::pagesWritten).orElse(0L) * 4096));
                m.measurements.put("frozen_in_criu_us", Long.toString(stats.map(CriuStats.Dump::frozenMicros).orElse(0L)));
                m.measurements.put("pages_write_us", Long.toString(stats.map(CriuStats.Dump::memwriteMicros).orElse(0L)));
                boolean cached = Criu.usedFeatureCache(dir.resolve("dump.log"));
                m.measurements.put("criu_feature_cache", cached ? "read" : "probed");
                if (!cached && probedWarned.compareAndSet(false, true)) {
                    LOG.warning("S704 migration " + id + ": CRIU probed the kernel's features instead of reading its "
                            + "cache (criu.kdat, kept only on a tmpfs in the run directory CRIU was built with; "
                            + "scripts/install builds it with /run/criu and makes that a tmpfs): ~100 ms of every dump "
                            + "and restore, inside the freeze. Said once; each dump's report has criu_feature_cache.");
                }
                log("S704", id, "dumped pid " + m.sourceRoot + " in " + d.millis() + " ms, "
                        + m.measurements.get("pages_bytes") + " bytes of pages "
                        + (pages == null ? "into the image" : "to the page server at " + pages.address() + ":" + pages.port()));
            }
            long t0 = System.nanoTime();
            String lazy = m.lazyFrom == null ? "" : "&lazyPagesFrom=" + m.lazyFrom.getAddress().getHostAddress()
                    + "&lazyPagesPort=" + m.lazyFrom.getPort();
            // the image and the restore's request in one call: no round trip between them inside the freeze
            OperationAnswer n = peers.post(r.target(), "/v1/migrations/" + atTarget(id, r) + "/restore?workload="
                    + r.workload() + lazy, ImageArchive.body(DaemonClient.json(r), dir), "application/octet-stream",
                    OperationAnswer.class, epoch);
            long callUs = (System.nanoTime() - t0) / 1000;
            n.measured().forEach((k, v) -> {
                if (k.startsWith("restore_")) { // CRIU's restore time and the target call's parts
                    m.measurements.put(k, v);
                }
            });
            long restoreUs = OperationAnswer.number(n.measured(), "restore_vip_us")
                    + OperationAnswer.number(n.measured(), "restore_page_server_end_us")
                    + OperationAnswer.number(n.measured(), "restore_criu_us");
            // the image's way: the call less the target's restore (the wire, TLS, the archive written there)
            m.measurements.put("transfer_ms", Long.toString(Math.max(0, callUs - restoreUs) / 1000));
            m.measurements.put("image_bytes", n.measured().getOrDefault("restore_image_bytes", "0"));
            m.measurements.put("target_restore_call_ms", Long.toString(callUs / 1000));
            m.restored = true;
            if (!Rehearsal.WORKLOAD.equals(r.workload())) {
                remember(m.measurements);
            }
            log("S706", id, "migrated to " + r.target() + ": " + m.measurements);
            return report("restored at " + r.target() + " (stopped), source kept stopped", m.measurements);
        }
    }

    /**
     * The target's page server is started, and the target holds {@code v}, while the workload
     * still runs: that call and CRIU's start (~100 ms) are then outside the users' freeze. A
     * failure here is only logged: S704 asks again and fails there with the target's words.
     */
    private void pagesBeforeTheFreeze(String id, Migration m, MigrationRequest r, long epoch) {
        if (m.pages != null || m.dumped || r.target() == null || r.lazyPages()) {
            return;
        }
        target(r);
        long t0 = System.nanoTime();
        try {
            m.pages = pageServerFor(id, m, r, epoch);
        } catch (IOException e) {
            LOG.warning("S703 migration " + id + ": the target's page server, asked for before the freeze: "
                    + e.getMessage() + " (S704 asks again)");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (m.pages != null) {
            m.measurements.put("page_server_ms", Long.toString((System.nanoTime() - t0) / 1_000_000));
        }
    }

    /**
     * A workload of {@link DaemonConfig.PageServer#minBytes} or more resident sends its pages
     * through CRIU's page server at the target; the target starts it when asked: at S703 before
     * the SIGSTOP ({@link #pagesBeforeTheFreeze}), else at S704 inside the freeze. Null: the pages
     * go into the image (page server off, or a peer not named by an IPv4 address).
     */
    private Criu.PageServerTarget pageServerFor(String id, Migration m, MigrationRequest r, long epoch)
            throws IOException, InterruptedException {
        long resident = ProcessTree.residentBytes(ProcessTree.tree(m.sourceRoot));
        m.measurements.put("resident_bytes", Long.toString(resident));
        if (!config.pageServer().usedFor(resident)) {
            return null;
        }
        Optional<String> target = ipv4Of(r.target());
        if (target.isEmpty()) {
            log("S704", id, "peer " + r.target() + " is not named by an IPv4 address: its pages go in the image");
            return null;
        }
        String host = target.get();
        PageServerAnswer n = peers.postJson(r.target(), "/v1/migrations/" + atTarget(id, r) + "/page-server?address=" + host, r,
                PageServerAnswer.class, epoch);
        return new Criu.PageServerTarget(host, n.port(), criuTls().rpc());
    }

    /** The IPv4 literal a peer's URL names (its migration address), if it names one. */
    private Optional<String> ipv4Of(String peer) {
        String host = java.net.URI.create(peers.url(peer)).getHost();
        return host != null && RequestNames.isIpv4(host) ? Optional.of(host) : Optional.empty();
    }

    /**
     * Post-copy: {@code criu dump --lazy-pages}, ready once everything but the memory is in
     * {@code dir}; it then serves the pages on this daemon's address towards the target until the
     * target has them all, the tree still stopped and locked.
     */
    private void lazyDump(String id, Migration m, MigrationRequest r, Path dir) throws IOException, InterruptedException {
        String host = ipv4Of(r.target()).orElseThrow(() -> new IOException("post-copy needs the peer "
                + r.target() + " named by an IPv4 address"));
        InetAddress here;
        try (DatagramSocket route = new DatagramSocket()) { // no packet: the kernel's route to the target
            route.connect(InetAddress.getByName(host), config.pageServer().port());
            here = route.getLocalAddress();
        }
        m.measurements.put("resident_bytes", Long.toString(ProcessTree.residentBytes(ProcessTree.tree(m.sourceRoot))));
        long t0 = System.nanoTime();
        m.lazyDump = criu.startLazyDump(m.sourceRoot, dir, here.getHostAddress(), config.pageServer().port(),
                criuTls().args());
        try {
            m.lazyDump.awaitReady(120_000);
        } catch (IOException e) {
            keepCriuLock(id, dir);
            throw e;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        m.lazyFrom = new InetSocketAddress(here, config.pageServer().port());
        m.dumped = true;
        holdLock(id, m, dir);
        m.measurements.put("dump_ms", Long.toString(ms));
        m.measurements.put("pages_path", "lazy");
        log("S704", id, "dumped pid " + m.sourceRoot + " in " + ms + " ms without its memory (post-copy): the pages"
                + " wait on " + here.getHostAddress() + ":" + config.pageServer().port() + " for the target");
    }

    public OperationAnswer moveVip(String id, MigrationRequest r) throws IOException {
        DaemonConfig.WorkloadSpec spec = spec(r.workload());
        if (r.replicate()) {
            log("S705", id, "REPLICATE: virtual IP " + r.vip() + " stays at the source too");
            return report("REPLICATE: virtual IP kept at the source", Map.of());
        }
        boolean removed = vips.remove(spec.vipInterface(), Requests.vip(r));
        log("S705", id, "virtual IP " + r.vip() + (removed ? " removed from " : " was already absent from ") + spec.vipInterface());
        return report(removed ? "virtual IP removed at the source" : "virtual IP already absent at the source", Map.of());
    }

    /**
     * After the target resumed: MOVE ends the stopped source copy; REPLICATE continues it. With
     * post-copy that waits, off the request, until the lazy dump has sent the last page and ended.
     */
    public OperationAnswer release(String id, MigrationRequest r) throws IOException, InterruptedException {
        Migration m = migration(id);
        DaemonConfig.WorkloadSpec spec = spec(r.workload());
        Criu.Background lazy;
        synchronized (m) {
            lazy = m.lazyDump;
        }
        if (lazy == null) {
            return releaseNow(id, m, r, spec);
        }
        inBackground("post-copy-" + id, () -> releaseAfterLastPage(id, m, r, spec, lazy));
        log("S710", id, "the source copy is released once its last page has left (post-copy)");
        return report("source copy released once its last page has left (post-copy)", Map.of("post_copy", "true"));
    }

    private void releaseAfterLastPage(String id, Migration m, MigrationRequest r, DaemonConfig.WorkloadSpec spec,
                                      Criu.Background lazy) {
        long t0 = System.nanoTime();
        try {
            lazy.awaitEnd(POST_COPY_MAX_MS);
            synchronized (m) {
                m.lazyDump = null;
            }
            log("S711", id, "post-copy: the last page left " + (System.nanoTime() - t0) / 1_000_000
                    + " ms after the resume");
            releaseNow(id, m, r, spec);
        } catch (IOException e) {
            // the resumed copy may lack pages: nothing here can give them back; the source copy
            // stays stopped and locked for the operator
            LOG.severe("S711 migration " + id + ": post-copy failed, the copy at " + r.target()
                    + " may lack memory pages; the source copy stays stopped: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long a post-copy's pages may take to reach the target after the resume. */
    static final long POST_COPY_MAX_MS = 600_000;

    private OperationAnswer releaseNow(String id, Migration m, MigrationRequest r, DaemonConfig.WorkloadSpec spec)
            throws IOException, InterruptedException {
        synchronized (m) {
            int root = m.sourceRoot >= 0 ? m.sourceRoot : ProcessTree.findRoot(spec).orElse(-1);
            if (root < 0 || !ProcessTree.alive(root)) {
                m.released = true;
                deleteTree(imageDir(id));
                return report("source copy already gone", Map.of());
            }
            if (r.replicate()) {
                // the moving users' connections close while the lock still drops what they send out
                var moved = ConnectionCloser.in(Requests.targetClients(r));
                ConnectionCloser.leaveRepair(ProcessTree.tree(root), moved);
                int closed = ConnectionCloser.close(ProcessTree.tree(root), moved);
                locks.lift(id);
                ConnectionCloser.leaveRepair(ProcessTree.tree(root), moved.negate());
                ProcessTree.signalTree(root, LibC.SIGCONT);
                m.released = true;
                deleteTree(imageDir(id));
                log("S710", id, "source copy resumed (REPLICATE), " + closed + " connection(s) of target users closed");
                return report("source copy resumed, closed " + closed, Map.of("closed", Integer.toString(closed)));
            }
            // MOVE: the address is gone here (S705), and the connections are in repair mode (the
            // dump left them so; forget makes sure), so the dying sockets send nothing and leave
            // nothing that would block their coming back; then the lock goes too
            vips.remove(spec.vipInterface(), Requests.vip(r));
            int forgotten = ConnectionCloser.forget(ProcessTree.tree(root), a -> true);
            if (!ProcessTree.killAndReap(root, 3000)) {
                throw new IOException("source copy pid " + root + " did not end");
            }
            locks.lift(id);
            m.released = true;
            deleteTree(imageDir(id));
            log("S710", id, "stopped source copy pid " + root + " ended (MOVE), " + forgotten
                    + " connection(s) closed in repair mode");
            return report("source copy ended", Map.of());
        }
    }

    /** Source side of an abort: the workload runs here again, with the VIP, images removed. */
    public OperationAnswer rollbackSource(String id, MigrationRequest r) throws IOException {
        Migration m = migration(id);
        synchronized (m) {
            DaemonConfig.WorkloadSpec spec = spec(r.workload());
            if (m.released && !r.replicate()) {
                throw new IOException("the source copy was already ended after resume at the target;"
                        + " migrate back instead");
            }
            int root = m.sourceRoot >= 0 && ProcessTree.alive(m.sourceRoot) ? m.sourceRoot
                    : ProcessTree.findRoot(spec).orElse(-1);
            if (root < 0) {
                throw new IOException("workload " + r.workload() + " not found at the source");
            }
            if (m.lazyDump != null) {
                // post-copy before the resume: the lazy dump still holds the tree; stopped first, so
                // that it stays stopped when the dump's end lets it go, then the usual way back
                ProcessTree.signalTree(root, LibC.SIGSTOP);
                try {
                    m.lazyDump.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                m.lazyDump = null;
            }
            boolean added = vips.add(spec.vipInterface(), Requests.vip(r));
            // as CRIU's own unlock: the lock first, so that the window probes get out, then the
            // connections leave repair mode and the users resend what the lock dropped
            boolean unlocked = locks.lift(id);
            int probed = ConnectionCloser.leaveRepair(ProcessTree.tree(root), a -> true);
            ProcessTree.signalTree(root, LibC.SIGCONT);
            deleteTree(imageDir(id));
            log("rollback", id, "source pid " + root + " continued" + (added ? ", virtual IP re-added" : "")
                    + (unlocked ? ", network lock lifted" : "") + ", " + probed + " connection(s) out of repair mode");
            return report("running at the source again", Map.of());
        }
    }

    // ------------------------------------------------------------------ target side

    /**
     * Target: starts CRIU's page server for this migration's pages on {@code address} (this
     * daemon's migration address, as the source names it) and the configured port, into a fresh
     * image directory; answers once it listens. The image that follows lands in the same directory.
     */
    public PageServerAnswer pageServer(String id, MigrationRequest r, Inet4Address address)
            throws IOException, InterruptedException {
        spec(r.workload());
        Migration m = migration(id);
        synchronized (m) {
            if (m.restored) {
                throw new IOException("already restored: no page server for migration " + id);
            }
            stopHelpers(m);
            Path dir = imageDir(id);
            deleteTree(dir);
            Files.createDirectories(dir);
            long t0 = System.nanoTime();
            hold(m, r); // asked before the workload stops: the hold is in place before v comes here
            int port = config.pageServer().port();
            m.pageServer = criu.startPageServer(dir, address.getHostAddress(), port, criuTls().args());
            m.pageServer.awaitReady(5000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            log("S704", id, "page server listening on " + address.getHostAddress() + ":" + port + " after " + ms + " ms");
            return new PageServerAnswer(true, "page server listening", port, ms);
        }
    }

    /**
     * The restore call's body ({@link ImageArchive}): the image into the migration's directory (a
     * repeated call after the restore reads and drops it); the request's JSON is returned for the
     * restore that follows.
     */
    public byte[] receiveImage(String id, String workload, InputStream body) throws IOException {
        spec(workload);
        Migration m = migration(id);
        synchronized (m) {
            Path dir = m.restored ? null : imageDir(id);
            if (dir != null && m.pageServer == null) { // else the pages are already there
                deleteTree(dir);
            }
            long t0 = System.nanoTime();
            ImageArchive.Received in = ImageArchive.receive(body, dir, config.maxImageBytes());
            if (dir != null) {
                long us = (System.nanoTime() - t0) / 1000;
                m.measurements.put("restore_image_us", Long.toString(us));
                m.measurements.put("restore_image_bytes", Long.toString(in.bytes()));
                log("S704", id, "image received: " + in.bytes() + " bytes in " + us / 1000 + " ms");
            }
            return in.request();
        }
    }

    /**
     * @param lazyFrom post-copy: where the source's lazy dump serves the pages (null: the pages are
     *                 in the image, or came through the page server)
     */
    public OperationAnswer restore(String id, MigrationRequest r, InetSocketAddress lazyFrom)
            throws IOException, InterruptedException {
        Migration m = migration(id);
        synchronized (m) {
            DaemonConfig.WorkloadSpec spec = spec(r.workload());
            if (m.restored && ProcessTree.alive(m.restoredRoot)) {
                return report("already restored, pid " + m.restoredRoot, m.measurements);
            }
            long t0 = System.nanoTime();
            // The restored sockets bind to v: it must be here first; nothing leaves from it yet.
            hold(m, r);
            vips.add(spec.vipInterface(), Requests.vip(r));
            long tVip = System.nanoTime();
            Path dir = imageDir(id);
            if (m.pageServer != null) {
                m.pageServer.awaitEnd(10_000);
                m.pageServer = null;
            }
            long tPages = System.nanoTime();
            if (lazyFrom != null) {
                m.lazyPages = criu.startLazyPages(dir, lazyFrom.getAddress().getHostAddress(), lazyFrom.getPort(),
                        criuTls().args());
                m.lazyPages.awaitReady(10_000);
            }
            Criu.Restored o;
            try {
                o = criu.restore(dir, lazyFrom != null);
            } catch (IOException e) {
                vips.remove(spec.vipInterface(), Requests.vip(r));
                release(m, r);
                stopHelpers(m);
                throw new IOException("criu restore failed: " + e.getMessage(), e);
            }
            long tRestored = System.nanoTime();
            m.restoredRoot = o.pid();
            m.restored = true;
            m.restoredCopy = StoppedCopy.list(m.restoredRoot, listings);
            m.measurements.put("restore_ms", Long.toString(o.millis()));
            // the call's own parts besides CRIU's restore: hold and v, the page server's end, CRIU's
            // worker until its answer (the restored copy is listed after the answer, StoppedCopy)
            m.measurements.put("restore_vip_us", Long.toString((tVip - t0) / 1000));
            m.measurements.put("restore_page_server_end_us", Long.toString((tPages - tVip) / 1000));
            m.measurements.put("restore_criu_us", Long.toString((tRestored - tPages) / 1000));
            log("S704", id, "restored pid " + m.restoredRoot + " (stopped) in " + o.millis() + " ms; the call "
                    + (tRestored - t0) / 1_000_000 + " ms: " + m.measurements);
            FaultInjection.pauseAfter("restore", id); // off unless a crash test sets it
            return report("restored, pid " + m.restoredRoot, m.measurements);
        }
    }

    public OperationAnswer resume(String id, MigrationRequest r) throws IOException {
        long t0 = System.nanoTime();
        Migration m = migration(id);
        synchronized (m) {
            DaemonConfig.WorkloadSpec spec = spec(r.workload());
            int root = restoredCopy(m, spec, r.workload());
            StoppedCopy.Listing copy = restoredListing(m, root);
            List<Integer> tree = copy.tree();
            Predicate<Inet4Address> mine = r.replicate() ? Requests.targetClients(r)::contains : a -> true;
            Look look = lookAtSessions(m, copy, mine);
            int closed = 0;
            if (r.replicate()) {
                closed = ConnectionCloser.close(tree, mine.negate());
            }
            long tArp = System.nanoTime();
            // resume is only called after the users' ports moved (S708): tell them where v is
            // now before the first packet, or their replies go to the old site's MAC until
            // the next announcement and TCP waits for a retransmission timeout.
            try {
                vips.announce(spec.vipInterface(), Requests.vip(r), 1);
            } catch (IOException | InterruptedException e) {
                LOG.warning("S710 migration " + id + ": gratuitous ARP before resume failed: " + e.getMessage());
            }
            // the users' ports moved and the commit is decided: now v may speak. A fresh window
            // probe per user connection (CRIU's own went out at restore, into the hold) gets each
            // user to answer and resend what the source's lock dropped, and the site router
            // resolves users whose path now exists
            long tHold = System.nanoTime();
            release(m, r);
            long tProbe = System.nanoTime();
            int probed = ConnectionCloser.windowProbe(copy.connections(), mine);
            long beforeSigcont = System.nanoTime();
            ProcessTree.signal(tree, LibC.SIGCONT);
            long resumed = System.nanoTime();
            m.restoredCopy = null; // running now: a repeated resume reads again
            Criu.Background lazy = m.lazyPages;
            m.lazyPages = null;
            if (lazy == null) {
                deleteTree(imageDir(id));
            } else { // post-copy: the lazy-pages daemon works in the image directory until the last page
                inBackground("lazy-pages-" + id, () -> lastPageArrived(id, lazy));
            }
            log("S710", id, look.line());
            log("S710", id, "resumed pid " + root + (r.replicate() ? ", closed " + closed + " connection(s) of source users" : ""));
            Map<String, String> report = new LinkedHashMap<>(look.measurements());
            report.putAll(Map.of("closed", Integer.toString(closed), "probed", Integer.toString(probed),
                    "until_sigcont_us", Long.toString((beforeSigcont - t0) / 1000), // lookups, the sessions' look, REPLICATE's closing, the ARP
                    // ...of which: the gratuitous ARP, lifting the hold (nfnetlink), the window probes
                    "arp_us", Long.toString((tHold - tArp) / 1000), "hold_release_us", Long.toString((tProbe - tHold) / 1000),
                    "window_probe_us", Long.toString((beforeSigcont - tProbe) / 1000),
                    "sigcont_us", Long.toString((resumed - beforeSigcont) / 1000)));
            return report("resumed at the target, " + report.get("checked") + " connection(s), " + report.get("in_order")
                    + " had resent data in order under the hold", report);
        }
    }

    private void lastPageArrived(String id, Criu.Background lazy) {
        long t0 = System.nanoTime();
        try {
            lazy.awaitEnd(POST_COPY_MAX_MS);
            log("S711", id, "post-copy: every page arrived " + (System.nanoTime() - t0) / 1_000_000
                    + " ms after the resume");
            deleteTree(imageDir(id));
        } catch (IOException e) {
            LOG.severe("S711 migration " + id + ": post-copy failed, the resumed copy may lack memory pages: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Commit check, source half (before the source copy is let go): the locked copy accepted no
     * byte after the checkpoint. Fails naming the connection otherwise.
     */
    public OperationAnswer held(String id, MigrationRequest r) throws IOException {
        Migration m = migration(id);
        synchronized (m) {
            if (!m.dumped || m.checkpoint == null || !ProcessTree.alive(m.sourceRoot)) {
                return report("nothing to check: no checkpoint of this migration here", Map.of("checked", "0"));
            }
            // listed right after the dump while the copy was stopped, as it still is
            StoppedCopy.Listing atCheckpoint = m.checkpoint.get();
            List<String> wedged = SessionCheck.acceptedSince(SessionCheck.received(atCheckpoint.info()),
                    atCheckpoint.connections());
            if (!wedged.isEmpty()) {
                log("S708", id, "session check failed at the source: " + wedged);
                throw new SessionsWedged(String.join("; ", wedged));
            }
            int checked = atCheckpoint.info().size();
            return report("the source accepted nothing after the checkpoint on " + checked + " connection(s)",
                    Map.of("checked", Integer.toString(checked), "listing_us", Long.toString(atCheckpoint.tookUs())));
        }
    }

    /**
     * The target's look at its users' sessions, in resume right before the hold is lifted (the
     * users' ports moved, the commit decided): against the restore's listing, which restored
     * connections of the users this copy serves had data arrive in order and which have
     * out-of-order data behind a hole. Reported, never failed, and not waited for: under the hold
     * the target acknowledges nothing, so a user fills a hole only at its next backed-off
     * retransmission, which can be seconds away; a hole cannot be told from a wedge there (the
     * lab saw a pipelined user's 24 packets wait 300 ms behind one in a run whose source had taken
     * nothing). The source's half ({@link #held}) decides, in S708.
     */
    private Look lookAtSessions(Migration m, StoppedCopy.Listing copy, Predicate<Inet4Address> which)
            throws IOException {
        // against the restore's listing while the copy has not run yet; else from now
        Map<String, SessionCheck.TcpInfo> base = m.restoredCopy != null ? copy.info() : Map.of();
        long t0 = System.nanoTime();
        List<SessionCheck.Outcome> out = SessionCheck.target(copy.connections(), which, base);
        long us = (System.nanoTime() - t0) / 1000;
        List<String> holes = out.stream().filter(SessionCheck.Outcome::hole)
                .map(o -> o.connection() + " (" + o.outOfOrderPackets() + " packet(s) beyond a hole)")
                .toList();
        long inOrder = out.stream().filter(o -> o.receivedBytes() > 0).count();
        return new Look(out.size() + " connection(s) looked at in " + us + " µs before the hold lifted, " + inOrder
                + " with data in order since the restore, holes waiting for the user's retransmission " + holes,
                Map.of("checked", Integer.toString(out.size()), "in_order", Long.toString(inOrder),
                        "holes", Integer.toString(holes.size()), "check_us", Long.toString(us),
                        "listing_us", Long.toString(copy.tookUs())));
    }

    /** The target's look at its users' sessions: a line for the log (written after SIGCONT), and the figures. */
    private record Look(String line, Map<String, String> measurements) {
    }

    /** A commit check that found a wedged session: the migration must roll back. */
    public static final class SessionsWedged extends IOException {
        SessionsWedged(String message) {
            super("wedged session(s): " + message);
        }
    }

    public OperationAnswer announce(String id, MigrationRequest r) throws IOException, InterruptedException {
        DaemonConfig.WorkloadSpec spec = spec(r.workload());
        vips.announce(spec.vipInterface(), Requests.vip(r), 3);
        log("S711", id, "gratuitous ARP for " + r.vip() + " sent on " + spec.vipInterface());
        return report("announced " + r.vip(), Map.of());
    }

    /** Target side of an abort: no copy, no VIP, no image left here. */
    public OperationAnswer discard(String id, MigrationRequest r) throws IOException, InterruptedException {
        Migration m = migration(id);
        synchronized (m) {
            DaemonConfig.WorkloadSpec spec = spec(r.workload());
            // Address first: a killed socket without its source address cannot reset the user.
            vips.remove(spec.vipInterface(), Requests.vip(r));
            release(m, r);
            stopHelpers(m);
            int root = m.restoredRoot;
            if (root < 0) {
                root = ProcessTree.findRoot(spec).orElse(-1);
            }
            if (root > 0 && ProcessTree.alive(root) && !ProcessTree.killAndReap(root, 3000)) {
                throw new IOException("restored copy pid " + root + " did not end");
            }
            m.restored = false;
            m.restoredRoot = -1;
            deleteTree(imageDir(id));
            log("rollback", id, "target copy discarded");
            return report("target copy discarded", Map.of());
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * At start, off the request path: what the first migration would otherwise pay inside its
     * freeze window. CRIU's certificates are written (the page server's TLS); {@code criu check}
     * writes CRIU's kernel-feature cache (/run/criu.kdat; without it every CRIU run probes the
     * kernel again); and CRIU's RPC is loaded. Then {@link Rehearsal} runs, and {@link #warmUpPeers}.
     */
    public void warmUpCriu() {
        try {
            criuTls();
        } catch (IOException e) {
            LOG.warning("warm-up: CRIU's TLS files: " + e.getMessage());
        }
        try {
            Criu.Outcome c = criu.check();
            LOG.info("warm-up: criu check " + (c.ok() ? "ok" : "failed") + " in " + c.millis() + " ms");
            Path empty = Path.of(config.imageRoot(), ".warm-up");
            deleteTree(empty);
            Files.createDirectories(empty);
            LOG.info("warm-up: CRIU's RPC (a restore of nothing, refused) in " + criu.warmUpRestore(empty) + " ms");
            deleteTree(empty);
        } catch (IOException | InterruptedException e) {
            LOG.warning("warm-up: criu check: " + e.getMessage());
        }
    }

    /**
     * A health call to each peer sets up the TLS session and connection the image transfer and the
     * restore call reuse (a peer that is not up yet is asked again for a while); then the
     * connection and nftables code runs once.
     */
    public void warmUpPeers() {
        for (String peer : peers.names()) {
            for (int attempt = 0; attempt < 30; attempt++) {
                long t0 = System.nanoTime();
                try {
                    peers.health(peer);
                    LOG.info("warm-up: peer " + peer + " answered in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                    break;
                } catch (IOException e) {
                    sleep(1000);
                }
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        }
        try {
            // the code the freeze runs on the users' connections (JNA's native library, /proc/net/tcp,
            // pidfd_getfd, TCP_INFO) and on nftables (lifting the hold over nfnetlink; a table
            // that is not there), once on this daemon's own connections (the health calls left
            // some open): the first migration does not load and compile it
            long t0 = System.nanoTime();
            StoppedCopy.list((int) ProcessHandle.current().pid(), listings).get();
            Nft.deleteInetTable("sm_warm_up");
            LOG.info("warm-up: connection and nftables paths in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (IOException | RuntimeException e) {
            LOG.warning("warm-up: connection and nftables paths: " + e.getMessage());
        }
    }

    /** The daemon's certificates as CRIU reads them, written once (at warm-up, or first use). */
    synchronized CriuTls criuTls() throws IOException {
        if (criuTls == null) {
            criuTls = CriuTls.export(config.tls(), Path.of(config.imageRoot(), ".criu-tls"));
        }
        return criuTls;
    }

    /** At shutdown: the PEM files of {@link #criuTls} go. */
    public void removeCriuTls() {
        try {
            deleteTree(Path.of(config.imageRoot(), ".criu-tls"));
        } catch (IOException e) {
            LOG.warning("could not remove CRIU's TLS files: " + e.getMessage());
        }
    }

    /** {@link TargetHold} for the migration's virtual IP, put in place once. */
    private static void hold(Migration m, MigrationRequest r) throws IOException {
        if (!m.held) {
            TargetHold.hold(Requests.vip(r));
            m.held = true;
        }
    }

    private static void release(Migration m, MigrationRequest r) throws IOException {
        TargetHold.release(Requests.vip(r));
        m.held = false;
    }

    /** The target's page server and lazy-pages daemon of a migration, ended (rollback, a failed restore). */
    private static void stopHelpers(Migration m) {
        for (Criu.Background b : new Criu.Background[] {m.pageServer, m.lazyPages}) {
            if (b != null) {
                b.process().destroyForcibly();
            }
        }
        m.pageServer = null;
        m.lazyPages = null;
    }

    /** The restored copy's root at the target (found by name after a daemon restart). */
    private static int restoredCopy(Migration m, DaemonConfig.WorkloadSpec spec, String workload) throws IOException {
        int root = m.restoredRoot >= 0 ? m.restoredRoot : ProcessTree.findRoot(spec).orElse(-1);
        if (root < 0 || !ProcessTree.alive(root)) {
            throw new IOException("no restored copy of " + workload + " here");
        }
        return root;
    }

    /**
     * The restored copy as listed right after the restore, while it was stopped (nothing in it
     * can have changed since; waits for the listing if it still runs); once the copy has run,
     * after a daemon restart, or for another root: listed now.
     */
    private static StoppedCopy.Listing restoredListing(Migration m, int root) throws IOException {
        return root == m.restoredRoot && m.restoredCopy != null ? m.restoredCopy.get() : StoppedCopy.listNow(root);
    }

    /**
     * CRIU's network lock of this dump, named in its log, is remembered so that the rollback (or
     * the release) lifts it; whether the log named one. Also after a dump that failed: CRIU cleans
     * up after itself (lock lifted, sockets out of repair mode) only when it fails in its own code.
     * When a dumped task stops or dies under it, its SIGCHLD handler exits at once
     * (parasite-syscall.c): its nftables table stays and keeps dropping the connections it had
     * locked, and those sockets stay in repair mode, wedging those users for good while the
     * rollback reports the source running (seen in the lab: every user of the dumped server). The
     * rollback lifts the table (idempotent when CRIU did) and takes every socket out of repair mode.
     */
    private boolean keepCriuLock(String id, Path dir) throws IOException {
        Optional<String> table = SourceLock.tableOf(dir.resolve("dump.log"));
        if (table.isPresent()) {
            locks.held(id, table.get());
        }
        return table.isPresent();
    }

    /**
     * After the dump: remember CRIU's lock, and list the stopped copy with what each connection
     * had received, beside the image's transfer and the target's restore (the lock keeps it as
     * it is at the checkpoint).
     */
    private void holdLock(String id, Migration m, Path dir) throws IOException {
        if (!keepCriuLock(id, dir)) {
            throw new IOException("criu dump left no network lock (no run id in dump.log)");
        }
        m.checkpoint = StoppedCopy.list(m.sourceRoot, listings);
        if (FaultInjection.unlockSourceEarly(id)) {
            // the bug this lock fixes, on purpose (fault tests): the source takes users' bytes
            List<Integer> tree = m.checkpoint.get().tree(); // listed at the checkpoint first, as the lock would keep it
            locks.lift(id);
            ConnectionCloser.leaveRepair(tree, a -> true);
        }
    }

    /**
     * A migration as a source, kept for the preflight: its freeze (dump, transfer, restore) and
     * the part of it that moved the memory (CRIU writing the pages, then sending the image), with
     * the resident size it moved.
     */
    private void remember(Map<String, String> measurements) {
        long transferMs = OperationAnswer.number(measurements, "transfer_ms");
        long freezeMs = OperationAnswer.number(measurements, "dump_ms") + transferMs
                + OperationAnswer.number(measurements, "restore_ms");
        long transferUs = OperationAnswer.number(measurements, "pages_write_us") + transferMs * 1000;
        RecentMigration r = new RecentMigration(freezeMs, transferUs, OperationAnswer.number(measurements, "resident_bytes"));
        synchronized (recent) {
            recent.addLast(r);
            while (recent.size() > RECENT) {
                recent.removeFirst();
            }
        }
    }

    /** The answer of every operation: ok, a summary in words, measurements. */
    static OperationAnswer report(String summary, Map<String, String> measurements) {
        return OperationAnswer.of(summary, measurements);
    }

    /**
     * At start: the migration records of a previous run died with it, so every image directory
     * under the image root is an orphan (a daemon killed mid-migration); removes them.
     */
    public int removeOrphanImages() throws IOException {
        Path root = Path.of(config.imageRoot());
        if (!Files.isDirectory(root)) {
            return 0;
        }
        List<Path> orphans;
        try (Stream<Path> s = Files.list(root)) {
            orphans = s.filter(Files::isDirectory).toList();
        }
        for (Path dir : orphans) {
            deleteTree(dir);
        }
        return orphans.size();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Post-copy's waits for the last page, off the request that started them. */
    private static void inBackground(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Inet4Address ip(String s) {
        return RequestNames.requireIpv4("address", s);
    }
}

package net.sessionmigration.criurpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import net.sessionmigration.criurpc.proto.Rpc.criu_network_lock_method;
import net.sessionmigration.criurpc.proto.Rpc.criu_opts;
import net.sessionmigration.criurpc.proto.Rpc.criu_page_server_info;
import net.sessionmigration.criurpc.proto.Rpc.criu_req;
import net.sessionmigration.criurpc.proto.Rpc.criu_req_type;
import net.sessionmigration.criurpc.proto.Rpc.criu_resp;
import net.sessionmigration.criurpc.proto.Rpc.criu_version;

/**
 * CRIU through its RPC interface: each request spawns {@code criu swrk 3} with its end of a
 * SOCK_SEQPACKET socket pair at fd 3, sends one criu_req, answers CRIU's NOTIFY messages with a
 * {@link NotifyListener}, and reads the criu_resp. CRIU serves one dump, restore or check per
 * worker, so there is no long-lived connection. Immutable and thread-safe; requests from
 * several threads run in separate workers.
 */
public final class CriuRpc {
    private final Path binary;
    private final List<String> commandPrefix;
    private final Path output;
    private final Duration timeout;

    /** {@code binary}: the criu executable. */
    public CriuRpc(Path binary) {
        this(binary, List.of(), null, Duration.ofMinutes(2));
    }

    private CriuRpc(Path binary, List<String> commandPrefix, Path output, Duration timeout) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.commandPrefix = List.copyOf(commandPrefix);
        this.output = output;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Runs the worker through a command that execs its arguments, e.g. {@code nsenter
     * --net=/run/netns/site-a}: CRIU must run in the dumped tree's network namespace, or it
     * dumps that namespace as part of the tree. The command must keep fd 3 open.
     */
    public CriuRpc withCommandPrefix(List<String> prefix) {
        return new CriuRpc(binary, prefix, output, timeout);
    }

    /** Appends the workers' stdout and stderr (where --display-stats prints) to {@code file}; default /dev/null. */
    public CriuRpc withOutput(Path file) {
        return new CriuRpc(binary, commandPrefix, file, timeout);
    }

    /**
     * How long to wait for any one message from CRIU (the answer or the next notify); a worker
     * silent for longer is killed. Time spent in a notify callback does not count. Default 2 min.
     */
    public CriuRpc withTimeout(Duration t) {
        return new CriuRpc(binary, commandPrefix, output, t);
    }

    /** VERSION: the worker's CRIU version. */
    public CriuVersion version() throws IOException {
        criu_resp r = request(criu_req.newBuilder().setType(criu_req_type.VERSION).build(), null, new ArrayList<>(), null);
        criu_version v = r.getVersion();
        return new CriuVersion(v.getMajorNumber(), v.getMinorNumber(), v.getSublevel(), v.getExtra(),
                v.hasGitid() ? v.getGitid() : null, v.hasName() ? v.getName() : null);
    }

    /** CHECK ({@code criu check}): returns if this kernel can checkpoint and restore, else throws. */
    public void check() throws IOException {
        request(criu_req.newBuilder().setType(criu_req_type.CHECK).build(), null, new ArrayList<>(), null);
    }

    /**
     * DUMP. With a listener CRIU asks it at each action point (notify_scripts); without one it
     * runs straight through.
     */
    public DumpResult dump(DumpOptions o, NotifyListener listener) throws IOException {
        criu_opts.Builder opts = base(o.imagesDir(), o.logFile(), o.logLevel(), listener != null)
                .setPid(o.pid());
        if (o.tcpEstablished()) {
            opts.setTcpEstablished(true);
        }
        if (o.leaveStopped()) {
            opts.setLeaveStopped(true);
        }
        if (o.leaveRunning()) {
            opts.setLeaveRunning(true);
        }
        if (o.networkLock() != null) {
            opts.setNetworkLock(lock(o.networkLock()));
        }
        if (o.displayStats()) {
            opts.setDisplayStats(true);
        }
        if (o.pageServer() != null) {
            opts.setPs(criu_page_server_info.newBuilder().setAddress(o.pageServer().address())
                    .setPort(o.pageServer().port()));
        }
        tls(opts, o.tls());
        long t0 = System.nanoTime();
        List<String> seen = new ArrayList<>();
        Throwable[] failure = {null};
        request(criu_req.newBuilder().setType(criu_req_type.DUMP).setOpts(opts).build(), listener, seen, failure,
                log(o.imagesDir(), o.logFile()));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        return new DumpResult(List.copyOf(seen), elapsed, CriuStats.readDump(o.imagesDir()), failure[0]);
    }

    /** RESTORE: the restored root's pid comes in CRIU's answer. */
    public RestoreResult restore(RestoreOptions o, NotifyListener listener) throws IOException {
        criu_opts.Builder opts = base(o.imagesDir(), o.logFile(), o.logLevel(), listener != null);
        if (o.tcpEstablished()) {
            opts.setTcpEstablished(true);
        }
        if (o.leaveStopped()) {
            opts.setLeaveStopped(true);
        }
        if (o.networkLock() != null) {
            opts.setNetworkLock(lock(o.networkLock()));
        }
        if (o.restoreSibling()) {
            opts.setRstSibling(true);
        }
        if (o.lazyPages()) {
            opts.setLazyPages(true);
        }
        long t0 = System.nanoTime();
        List<String> seen = new ArrayList<>();
        Throwable[] failure = {null};
        criu_resp r = request(criu_req.newBuilder().setType(criu_req_type.RESTORE).setOpts(opts).build(), listener, seen,
                failure, log(o.imagesDir(), o.logFile()));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        return new RestoreResult(r.getRestore().getPid(), List.copyOf(seen), elapsed,
                CriuStats.readRestore(o.imagesDir()), failure[0]);
    }

    /**
     * PAGE_SERVER_CHLD: starts a page server for one dump, listening when this returns, and
     * keeps its worker open to learn how it ended ({@link PageServer#awaitExit}).
     */
    public PageServer startPageServer(PageServerOptions o) throws IOException {
        criu_opts.Builder opts = base(o.imagesDir(), o.logFile(), o.logLevel(), false);
        criu_page_server_info.Builder ps = criu_page_server_info.newBuilder().setPort(o.port());
        if (o.address() != null) {
            ps.setAddress(o.address());
        }
        opts.setPs(ps);
        tls(opts, o.tls());
        criu_req req = criu_req.newBuilder().setType(criu_req_type.PAGE_SERVER_CHLD).setOpts(opts).setKeepOpen(true).build();
        SwrkWorker w = SwrkWorker.start(commandPrefix, binary, output, timeout);
        try {
            criu_resp r = w.call(req, null, new ArrayList<>(), new Throwable[1]);
            if (!r.getSuccess()) {
                throw failure(req.getType(), r, null, log(o.imagesDir(), o.logFile()));
            }
            return new PageServer(w, r.getPs().getPid(), r.getPs().getPort());
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private criu_resp request(criu_req req, NotifyListener listener, List<String> seen, Path log) throws IOException {
        return request(req, listener, seen, new Throwable[1], log);
    }

    private criu_resp request(criu_req req, NotifyListener listener, List<String> seen, Throwable[] listenerFailure,
            Path log) throws IOException {
        try (SwrkWorker w = SwrkWorker.start(commandPrefix, binary, output, timeout)) {
            criu_resp r;
            try {
                r = w.call(req, listener, seen, listenerFailure);
            } catch (IOException e) { // no answer: the worker ended (or was killed) mid-request; its log says why
                throw new CriuException(req.getType().toString(), 0, null, errorLines(log, 12), e);
            }
            if (!r.getSuccess()) {
                throw failure(req.getType(), r, listenerFailure[0], log);
            }
            if (r.getType() != req.getType()) {
                throw new IOException("CRIU answered " + req.getType() + " with " + r.getType());
            }
            return r;
        }
    }

    private static CriuException failure(criu_req_type type, criu_resp r, Throwable listenerFailure, Path log) {
        String request = r.getType() == criu_req_type.EMPTY && type != criu_req_type.EMPTY
                ? type + " (CRIU: invalid request)" : type.toString();
        return new CriuException(request, r.hasCrErrno() ? r.getCrErrno() : 0, r.hasCrErrmsg() ? r.getCrErrmsg() : null,
                errorLines(log, 12), listenerFailure);
    }

    private criu_opts.Builder base(Path imagesDir, String logFile, int logLevel, boolean notify) {
        // images_dir_fd is a required field (-1: use images_dir); CRIU also chdirs there, its work dir
        criu_opts.Builder b = criu_opts.newBuilder().setImagesDirFd(-1)
                .setImagesDir(imagesDir.toAbsolutePath().toString()).setLogLevel(logLevel);
        if (logFile != null) {
            b.setLogFile(logFile);
        }
        if (notify) {
            b.setNotifyScripts(true);
        }
        return b;
    }

    private static void tls(criu_opts.Builder opts, Tls tls) {
        if (tls == null) {
            return;
        }
        opts.setTls(true);
        if (tls.caCert() != null) {
            opts.setTlsCacert(tls.caCert().toString());
        }
        if (tls.cert() != null) {
            opts.setTlsCert(tls.cert().toString());
        }
        if (tls.key() != null) {
            opts.setTlsKey(tls.key().toString());
        }
        if (tls.noCnVerify()) {
            opts.setTlsNoCnVerify(true);
        }
    }

    private static criu_network_lock_method lock(NetworkLock l) {
        return switch (l) {
            case IPTABLES -> criu_network_lock_method.IPTABLES;
            case NFTABLES -> criu_network_lock_method.NFTABLES;
            case SKIP -> criu_network_lock_method.SKIP;
        };
    }

    private static Path log(Path dir, String file) {
        return file == null ? null : dir.resolve(file);
    }

    /**
     * The last {@code max} error lines of a CRIU log, without the harmless RLIMIT_NOFILE one; empty
     * when there are none or the log cannot be read. Also for the logs of CRIU run as a process.
     */
    public static String errorLines(Path log, int max) {
        if (log == null || !Files.isRegularFile(log)) {
            return "";
        }
        Deque<String> last = new ArrayDeque<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.contains("Error") && !line.contains("RLIMIT_NOFILE")) {
                    last.addLast(line);
                    if (last.size() > max) {
                        last.removeFirst();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return String.join("\n", last);
    }
}

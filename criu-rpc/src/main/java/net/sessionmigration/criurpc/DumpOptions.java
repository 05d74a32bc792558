package net.sessionmigration.criurpc;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A DUMP request. {@code logFile} is a bare name: CRIU writes it in the images directory (its
 * work directory), like {@code -o}. {@code pageServer} (or null) sends the pages to a page
 * server instead of {@code imagesDir}; {@code tls} (or null) secures that connection.
 * {@code networkLock} null leaves CRIU's default (iptables).
 */
public record DumpOptions(int pid, Path imagesDir, boolean tcpEstablished, boolean leaveStopped, boolean leaveRunning,
        NetworkLock networkLock, boolean displayStats, String logFile, int logLevel, PageServerAddress pageServer,
        Tls tls) {

    public DumpOptions {
        Objects.requireNonNull(imagesDir, "imagesDir");
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        if (leaveStopped && leaveRunning) {
            throw new IllegalArgumentException("leaveStopped and leaveRunning exclude each other");
        }
        if (logFile != null && logFile.contains("/")) {
            throw new IllegalArgumentException("CRIU takes a bare log file name (it writes in the images directory): " + logFile);
        }
    }

    /** Where a dump sends its pages: a running page server's address and port. */
    public record PageServerAddress(String address, int port) {
    }

    /** CRIU's defaults: tasks killed after the dump, iptables lock, dump.log at level 2. */
    public static DumpOptions of(int pid, Path imagesDir) {
        return new DumpOptions(pid, imagesDir, false, false, false, null, false, "dump.log", 2, null, null);
    }

    /**
     * What the daemon's {@code criu dump} passes today: --tcp-established --leave-stopped
     * --network-lock nftables --display-stats -o dump.log -v3.
     */
    public static DumpOptions forMigration(int pid, Path imagesDir) {
        return of(pid, imagesDir).withTcpEstablished(true).withLeaveStopped(true).withNetworkLock(NetworkLock.NFTABLES)
                .withDisplayStats(true).withLog("dump.log", 3);
    }

    public DumpOptions withTcpEstablished(boolean on) {
        return new DumpOptions(pid, imagesDir, on, leaveStopped, leaveRunning, networkLock, displayStats, logFile, logLevel,
                pageServer, tls);
    }

    public DumpOptions withLeaveStopped(boolean on) {
        return new DumpOptions(pid, imagesDir, tcpEstablished, on, leaveRunning, networkLock, displayStats, logFile, logLevel,
                pageServer, tls);
    }

    public DumpOptions withLeaveRunning(boolean on) {
        return new DumpOptions(pid, imagesDir, tcpEstablished, leaveStopped, on, networkLock, displayStats, logFile, logLevel,
                pageServer, tls);
    }

    public DumpOptions withNetworkLock(NetworkLock lock) {
        return new DumpOptions(pid, imagesDir, tcpEstablished, leaveStopped, leaveRunning, lock, displayStats, logFile, logLevel,
                pageServer, tls);
    }

    public DumpOptions withDisplayStats(boolean on) {
        return new DumpOptions(pid, imagesDir, tcpEstablished, leaveStopped, leaveRunning, networkLock, on, logFile, logLevel,
                pageServer, tls);
    }

    public DumpOptions withLog(String file, int level) {
        return new DumpOptions(pid, imagesDir, tcpEstablished, leaveStopped, leaveRunning, networkLock, displayStats, file, level,
                pageServer, tls);
    }

    public DumpOptions withPageServer(PageServerAddress server, Tls tlsOrNull) {
        return new DumpOptions(pid, imagesDir, tcpEstablished, leaveStopped, leaveRunning, networkLock, displayStats, logFile,
                logLevel, server, tlsOrNull);
    }
}

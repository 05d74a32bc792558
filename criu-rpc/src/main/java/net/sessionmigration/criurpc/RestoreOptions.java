package net.sessionmigration.criurpc;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A RESTORE request. Over RPC CRIU always restores detached ({@code -d}): the root task is
 * CRIU's child and, once the worker exits right after answering, the nearest child subreaper's
 * (else init's). With {@code restoreSibling} the root is created as the caller's own child
 * (CLONE_PARENT) instead, and the caller must reap it. {@code leaveStopped} leaves every task
 * stopped (SIGSTOP) after the restore, as {@code --leave-stopped}.
 */
public record RestoreOptions(Path imagesDir, boolean tcpEstablished, boolean leaveStopped, NetworkLock networkLock,
        boolean restoreSibling, String logFile, int logLevel, boolean lazyPages) {

    public RestoreOptions {
        Objects.requireNonNull(imagesDir, "imagesDir");
        if (logFile != null && logFile.contains("/")) {
            throw new IllegalArgumentException("CRIU takes a bare log file name (it writes in the images directory): " + logFile);
        }
    }

    /** CRIU's defaults, restore.log at level 2. */
    public static RestoreOptions of(Path imagesDir) {
        return new RestoreOptions(imagesDir, false, false, null, false, "restore.log", 2, false);
    }

    /**
     * What the daemon's {@code criu restore} passes today: --tcp-established --network-lock
     * nftables -d --leave-stopped -o restore.log -v2 (the pid comes in the answer, no --pidfile).
     */
    public static RestoreOptions forMigration(Path imagesDir) {
        return of(imagesDir).withTcpEstablished(true).withNetworkLock(NetworkLock.NFTABLES).withLeaveStopped(true);
    }

    public RestoreOptions withTcpEstablished(boolean on) {
        return new RestoreOptions(imagesDir, on, leaveStopped, networkLock, restoreSibling, logFile, logLevel, lazyPages);
    }

    public RestoreOptions withLeaveStopped(boolean on) {
        return new RestoreOptions(imagesDir, tcpEstablished, on, networkLock, restoreSibling, logFile, logLevel, lazyPages);
    }

    public RestoreOptions withNetworkLock(NetworkLock lock) {
        return new RestoreOptions(imagesDir, tcpEstablished, leaveStopped, lock, restoreSibling, logFile, logLevel, lazyPages);
    }

    public RestoreOptions withRestoreSibling(boolean on) {
        return new RestoreOptions(imagesDir, tcpEstablished, leaveStopped, networkLock, on, logFile, logLevel, lazyPages);
    }

    /**
     * Post-copy ({@code --lazy-pages}): the memory comes from a {@code criu lazy-pages} daemon
     * already running in the images directory, which fetches it from the source's lazy dump.
     */
    public RestoreOptions withLazyPages(boolean on) {
        return new RestoreOptions(imagesDir, tcpEstablished, leaveStopped, networkLock, restoreSibling, logFile, logLevel, on);
    }

    public RestoreOptions withLog(String file, int level) {
        return new RestoreOptions(imagesDir, tcpEstablished, leaveStopped, networkLock, restoreSibling, file, level, lazyPages);
    }
}

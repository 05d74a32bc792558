package net.sessionmigration.criurpc;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A page server writing a dump's pages into {@code imagesDir}, listening on
 * {@code address:port} (port 0: CRIU picks one and answers it). With {@code tls} (or null) the
 * dump must present a certificate of its CA.
 */
public record PageServerOptions(Path imagesDir, String address, int port, Tls tls, String logFile, int logLevel) {

    public PageServerOptions {
        Objects.requireNonNull(imagesDir, "imagesDir");
        if (logFile != null && logFile.contains("/")) {
            throw new IllegalArgumentException("CRIU takes a bare log file name (it writes in the images directory): " + logFile);
        }
    }

    public static PageServerOptions of(Path imagesDir, String address, int port) {
        return new PageServerOptions(imagesDir, address, port, null, "page-server.log", 2);
    }

    public PageServerOptions withTls(Tls t) {
        return new PageServerOptions(imagesDir, address, port, t, logFile, logLevel);
    }

    public PageServerOptions withLog(String file, int level) {
        return new PageServerOptions(imagesDir, address, port, tls, file, level);
    }
}

package net.sessionmigration.traps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Datagrams the kernel dropped on the receiver's UDP socket (its receive buffer full) before
 * our listener saw them: the {@code drops} column of {@code /proc/net/udp} and {@code udp6}, for
 * the sockets bound to the receiver's port in this JVM's network namespace. A burst faster than
 * the listener shows here and nowhere else.
 */
final class SocketDrops {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private SocketDrops() {
    }

    /** The drops on UDP sockets bound to {@code port}, or -1 when the kernel's tables cannot be read. */
    static long onPort(int port) {
        if (port <= 0) {
            return -1;
        }
        long drops = 0;
        boolean read = false;
        for (Path table : TABLES) {
            try {
                drops += onPort(Files.readAllLines(table), port);
                read = true;
            } catch (IOException | RuntimeException e) {
                // no IPv6 table on a kernel without IPv6: the other one still counts
            }
        }
        return read ? drops : -1;
    }

    /** Sums the last column ({@code drops}) of the table's rows whose local address has that port. */
    static long onPort(List<String> table, int port) {
        String suffix = ":" + String.format(Locale.ROOT, "%04X", port);
        long drops = 0;
        for (String line : table.subList(Math.min(1, table.size()), table.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 13 && f[1].endsWith(suffix)) {
                drops += Long.parseLong(f[f.length - 1]);
            }
        }
        return drops;
    }
}

package net.sessionmigration.traps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The kernel's per-socket UDP drop counter ({@code /proc/net/udp}, {@code udp6}: last column), found by local port. */
final class ReceiverSocket {
    private ReceiverSocket() {
    }

    static long drops(int port) {
        String hexPort = String.format(":%04X", port);
        long sum = 0;
        boolean found = false;
        for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 12 && f[1].endsWith(hexPort)) {
                    sum += Long.parseLong(f[f.length - 1]);
                    found = true;
                }
            }
        }
        if (!found) {
            throw new AssertionError("no UDP socket on port " + port + " in /proc/net/udp*: cannot check kernel drops");
        }
        return sum;
    }
}

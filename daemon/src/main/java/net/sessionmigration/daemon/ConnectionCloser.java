package net.sessionmigration.daemon;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.sun.jna.Native;

/**
 * REPLICATE: each copy drops the connections of the users the other copy serves. The socket
 * is taken from the workload with pidfd_getfd(2) and shut down (SHUT_RDWR), so the workload
 * sees the peer gone and closes it itself, as for any client that leaves. Its FIN goes out to a
 * VLAN the user no longer is in, so the other copy's connection is not disturbed.
 */
public final class ConnectionCloser {
    private ConnectionCloser() {
    }

    /** One established IPv4 TCP connection of a process: its fd and remote address. */
    public record Conn(int pid, int fd, long inode, Inet4Address remote, int remotePort) {
    }

    /** Established IPv4 TCP connections held by the processes of the tree. */
    public static List<Conn> connections(List<Integer> pids) throws IOException {
        List<Conn> out = new ArrayList<>();
        for (int pid : pids) {
            Map<Long, Integer> fdByInode = new HashMap<>();
            Path fdDir = Path.of("/proc", Integer.toString(pid), "fd");
            try (Stream<Path> s = Files.list(fdDir)) {
                for (Path fd : s.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            fdByInode.put(Long.parseLong(target.substring(8, target.length() - 1)),
                                    Integer.parseInt(fd.getFileName().toString()));
                        }
                    } catch (IOException e) {
                        // fd closed meanwhile
                    }
                }
            }
            List<String> lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "net", "tcp"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (!f[3].equals("01")) { // TCP_ESTABLISHED
                    continue;
                }
                long inode = Long.parseLong(f[9]);
                Integer fd = fdByInode.get(inode);
                if (fd != null) {
                    String[] rem = f[2].split(":");
                    out.add(new Conn(pid, fd, inode, hexToIpv4(rem[0]), Integer.parseInt(rem[1], 16)));
                }
            }
        }
        return out;
    }

    /** /proc/net/tcp prints the address as a host-order (little-endian here) 32-bit hex number. */
    static Inet4Address hexToIpv4(String hex) throws IOException {
        long v = Long.parseLong(hex, 16);
        byte[] b = {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
        return (Inet4Address) InetAddress.getByAddress(b);
    }

    /** Shuts down every connection whose remote address matches; returns how many. */
    public static int close(List<Integer> pids, Predicate<Inet4Address> drop) throws IOException {
        return onEach(pids, drop, fd -> LibC.INSTANCE.shutdown(fd, LibC.SHUT_RDWR));
    }

    /**
     * MOVE, before the stopped source copy is killed: puts every connection whose remote address
     * matches in TCP repair mode, so that its close sends nothing and leaves no socket behind.
     * Closed normally, it would linger as an orphan in FIN_WAIT1 (its FIN has no route once v is
     * gone) holding the connection's addresses for minutes, and CRIU could not restore that same
     * connection here when the workload comes back ("Can't connect inet socket back: Cannot
     * assign requested address"). CRIU's own dump leaves its sockets this way. Needs CAP_NET_ADMIN.
     */
    public static int forget(List<Integer> pids, Predicate<Inet4Address> which) throws IOException {
        return onEach(pids, which, fd -> repair(fd, 1));
    }

    /**
     * Takes every matching connection out of TCP repair mode, as CRIU's own unlock does
     * (libsoccr_resume): the kernel sends a window probe, the peer answers at once, and any
     * byte it sent while the connection was locked is retransmitted to this copy. A socket that
     * is not in repair mode just sends the probe.
     */
    public static int leaveRepair(List<Integer> pids, Predicate<Inet4Address> which) throws IOException {
        return onEach(pids, which, fd -> repair(fd, 0));
    }

    /**
     * A fresh window probe on every matching connection: repair mode on and off again. Takes the
     * connections found earlier (the restored copy's, listed at restore while it is stopped), so
     * the resume does not read /proc again before the workload runs.
     */
    public static int windowProbe(List<Conn> connections, Predicate<Inet4Address> which) throws IOException {
        return onEach(connections, which, fd -> {
            repair(fd, 1);
            repair(fd, 0);
        });
    }

    /**
     * Leaving repair mode also clears the socket's SO_REUSEADDR (the kernel sets SK_NO_REUSE), so
     * it is set again, as CRIU does after its unlock: else an orphaned connection of the copy
     * keeps the service's port from being bound again for minutes.
     */
    private static void repair(int fd, int on) throws IOException {
        if (LibC.INSTANCE.setsockopt(fd, LibC.IPPROTO_TCP, LibC.TCP_REPAIR, new int[] {on}, 4) != 0) {
            throw new IOException("setsockopt TCP_REPAIR " + on + " failed (errno " + Native.getLastError() + ")");
        }
        if (on == 0 && LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, new int[] {1}, 4) != 0) {
            throw new IOException("setsockopt SO_REUSEADDR failed (errno " + Native.getLastError() + ")");
        }
    }

    /** Runs the action on a copy of the connection's fd. */
    static <T> T withFd(Conn c, FdFunction<T> f) throws IOException {
        int pidfd = (int) LibC.INSTANCE.syscall(LibC.SYS_PIDFD_OPEN, c.pid(), 0);
        if (pidfd < 0) {
            throw new IOException("pidfd_open of " + c.pid() + " failed");
        }
        try {
            int fd = (int) LibC.INSTANCE.syscall(LibC.SYS_PIDFD_GETFD, pidfd, c.fd(), 0);
            if (fd < 0) {
                throw new IOException("pidfd_getfd of fd " + c.fd() + " of " + c.pid() + " failed");
            }
            try {
                return f.apply(fd);
            } finally {
                LibC.INSTANCE.close(fd);
            }
        } finally {
            LibC.INSTANCE.close(pidfd);
        }
    }

    interface FdFunction<T> {
        T apply(int fd) throws IOException;
    }

    private interface FdAction {
        void apply(int fd) throws IOException;
    }

    /** The action on a copy of each matching connection's fd, taken from its process with pidfd_getfd. */
    private static int onEach(List<Integer> pids, Predicate<Inet4Address> which, FdAction action) throws IOException {
        return onEach(connections(pids), which, action);
    }

    private static int onEach(Iterable<Conn> connections, Predicate<Inet4Address> which, FdAction action)
            throws IOException {
        int n = 0;
        for (Conn c : connections) {
            if (which.test(c.remote())) {
                withFd(c, fd -> {
                    action.apply(fd);
                    return null;
                });
                n++;
            }
        }
        return n;
    }

    public static Predicate<Inet4Address> in(Set<Inet4Address> set) {
        return set::contains;
    }
}

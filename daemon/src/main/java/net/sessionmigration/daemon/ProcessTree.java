package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/** Reads /proc to find a workload's process tree and signals it; reaps our own descendants. */
public final class ProcessTree {
    /**
     * Whether the kernel lists each thread's children (/proc/PID/task/TID/children,
     * CONFIG_PROC_CHILDREN, which CRIU's checkpoint/restore needs as well).
     */
    private static final boolean CHILDREN_LISTED = Files.isReadable(Path.of("/proc/thread-self/children"));

    private ProcessTree() {
    }

    /** pid, parent pid, comm and state (R, S, T, Z …) of one process. */
    public record Proc(int pid, int ppid, String comm, char state) {
        /** Stopped by a signal ('T') or held by a tracer ('t': CRIU's lazy dump holds a post-copy's source so). */
        boolean stopped() {
            return state == 'T' || state == 't';
        }
    }

    public static Optional<Proc> read(int pid) {
        return read(pid, Path.of("/proc", Integer.toString(pid), "stat"));
    }

    /**
     * One stat file: a process's, or one of its threads' (/proc/PID/task/TID/stat, the same format;
     * that record carries the process's pid and the thread's own state).
     */
    private static Optional<Proc> read(int pid, Path statFile) {
        try {
            String stat = Files.readString(statFile);
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(open + 1, close);
            String[] rest = stat.substring(close + 2).split(" ");
            return Optional.of(new Proc(pid, Integer.parseInt(rest[1]), comm, rest[0].charAt(0)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public static List<Proc> all() {
        List<Proc> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .forEach(n -> read(Integer.parseInt(n)).ifPresent(out::add));
        } catch (IOException e) {
            // /proc always lists; an empty answer reads as "not found"
        }
        return out;
    }

    public static boolean alive(int pid) {
        return read(pid).map(p -> p.state() != 'Z' && p.state() != 'X').orElse(false);
    }

    public static boolean stopped(int pid) {
        return read(pid).map(Proc::stopped).orElse(false);
    }

    static String netns(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Integer.toString(pid), "ns", "net")).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The root of the workload: the pid file's process if it is alive, else the process named
     * {@code exeName} in this daemon's network namespace whose parent has another name.
     */
    public static OptionalInt findRoot(DaemonConfig.WorkloadSpec spec) {
        String ourNs = netns((int) ProcessHandle.current().pid());
        if (spec.pidFile() != null) {
            try {
                int pid = Integer.parseInt(Files.readString(Path.of(spec.pidFile())).strip());
                if (alive(pid) && netns(pid).equals(ourNs)) {
                    return OptionalInt.of(pid);
                }
            } catch (IOException | NumberFormatException e) {
                // fall through to the name
            }
        }
        if (spec.exeName() == null) {
            return OptionalInt.empty();
        }
        List<Proc> procs = all();
        Map<Integer, Proc> byPid = new HashMap<>();
        procs.forEach(p -> byPid.put(p.pid(), p));
        return procs.stream()
                .filter(p -> p.comm().equals(spec.exeName()) && p.state() != 'Z')
                .filter(p -> {
                    Proc parent = byPid.get(p.ppid());
                    return parent == null || !parent.comm().equals(spec.exeName());
                })
                .filter(p -> netns(p.pid()).equals(ourNs))
                .mapToInt(Proc::pid).min();
    }

    /**
     * The root and all its descendants, root first. Read from each thread's list of its
     * children, a file per thread of the tree rather than one per process of the machine: on the
     * lab's 2 vCPUs with migrations running, a scan of all of /proc took 11-77 ms, these lists
     * 0.6-2 ms (the listing of a stopped copy reads the tree inside the users' freeze). The lists
     * are exact for a stopped tree; for a running one they miss, as the scan did, what forks
     * meanwhile. Without them (a kernel without CONFIG_PROC_CHILDREN) all of /proc is scanned.
     */
    public static List<Integer> tree(int root) {
        return CHILDREN_LISTED ? walk(root, ProcessTree::children) : scanned(root);
    }

    /** The children of every thread of {@code pid}; none for a process that is gone. */
    static List<Integer> children(int pid) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path task : tasks) {
                String list;
                try {
                    list = Files.readString(task.resolve("children"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                for (String child : list.trim().split(" ")) {
                    if (!child.isEmpty()) {
                        out.add(Integer.parseInt(child));
                    }
                }
            }
        } catch (IOException e) {
            // gone: no children
        }
        return out;
    }

    /** The children of {@code pid} as processes (a child that ended meanwhile is left out). */
    static List<Proc> childrenOf(int pid) {
        if (!CHILDREN_LISTED) {
            return all().stream().filter(p -> p.ppid() == pid).toList();
        }
        List<Proc> out = new ArrayList<>();
        children(pid).forEach(c -> read(c).ifPresent(out::add));
        return out;
    }

    /** {@link #tree} from a scan of every process's parent. */
    static List<Integer> scanned(int root) {
        List<Proc> procs = all();
        return walk(root, parent -> procs.stream().filter(p -> p.ppid() == parent).map(Proc::pid).toList());
    }

    /** The root, then the children of each pid found so far, each pid once. */
    private static List<Integer> walk(int root, IntFunction<List<Integer>> children) {
        List<Integer> out = new ArrayList<>(List.of(root));
        Set<Integer> seen = new HashSet<>(out);
        for (int i = 0; i < out.size(); i++) {
            for (int child : children.apply(out.get(i))) {
                if (seen.add(child)) {
                    out.add(child);
                }
            }
        }
        return out;
    }

    /** Resident memory of these processes (VmRSS, summed; 0 for one that is gone). */
    public static long residentBytes(List<Integer> pids) {
        long total = 0;
        for (int pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // gone, or a kernel thread: nothing resident to move
            }
        }
        return total;
    }

    public static void signalTree(int root, int sig) {
        signal(tree(root), sig);
    }

    public static void signal(List<Integer> pids, int sig) {
        for (int pid : pids) {
            LibC.INSTANCE.kill(pid, sig);
        }
    }

    /**
     * SIGSTOP to each process of the tree, then waits until every thread of each is stopped: the
     * group stop is complete, so no stop is still pending when a tracer (CRIU) seizes them. A
     * process that ends meanwhile counts as stopped. False if one still runs after the timeout.
     */
    public static boolean stopTree(int root, long timeoutMs) throws InterruptedException {
        List<Integer> pids = tree(root);
        signal(pids, LibC.SIGSTOP);
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (!pids.stream().allMatch(ProcessTree::everyThreadStopped)) {
            if (System.nanoTime() > end) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(100_000);
        }
        return true;
    }

    private static boolean everyThreadStopped(int pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Integer.toString(pid), "task"))) {
            for (Path task : tasks) {
                Optional<Proc> thread = read(pid, task.resolve("stat"));
                if (thread.isEmpty()) { // it ended mid-read: gone with its process, else look again
                    return !Files.exists(Path.of("/proc", Integer.toString(pid)));
                }
                if (!thread.get().stopped()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return !Files.exists(Path.of("/proc", Integer.toString(pid))); // the process is gone
        }
    }

    /**
     * Kills the tree and waits until the root pid is gone, reaping it if it is our descendant
     * (the daemon is a child subreaper, so restored and started trees end up as our children;
     * a zombie would block a later restore of the same pid).
     */
    public static boolean killAndReap(int root, long timeoutMs) throws InterruptedException {
        signalTree(root, LibC.SIGKILL);
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        int[] status = new int[1];
        while (System.nanoTime() < end) {
            LibC.INSTANCE.waitpid(root, status, LibC.WNOHANG);
            if (read(root).isEmpty()) {
                return true;
            }
            Thread.sleep(2);
        }
        return false;
    }

    /**
     * Reaps zombies that were re-parented to us (restored or started trees that ended on their
     * own). criu and QEMU are left to the JDK, which waits for the processes it started.
     */
    public static void startOrphanReaper() {
        Thread t = new Thread(() -> {
            int self = (int) ProcessHandle.current().pid();
            int[] status = new int[1];
            while (!Thread.currentThread().isInterrupted()) {
                for (Proc p : childrenOf(self)) {
                    if (p.state() == 'Z' && !p.comm().equals("criu")
                            && !p.comm().equals("unshare") && !p.comm().startsWith("qemu-system")) {
                        LibC.INSTANCE.waitpid(p.pid(), status, LibC.WNOHANG);
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "sm-daemon-reaper");
        t.setDaemon(true);
        t.start();
    }

    public static void becomeSubreaper() {
        LibC.INSTANCE.prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

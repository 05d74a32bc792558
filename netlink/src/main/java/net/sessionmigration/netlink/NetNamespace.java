package net.sessionmigration.netlink;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Runs code inside another network namespace. Linux keeps the network namespace per thread,
 * so the code runs on a dedicated, short-lived thread that enters the namespace with setns(2),
 * runs, and switches back; the caller's thread never changes namespace and no pooled thread is
 * ever left in the wrong one. Sockets opened inside stay bound to that namespace after the
 * thread ends, which is how {@link RtNetlink#openInNamespace(String)} works.
 */
public final class NetNamespace {
    /** {@code ip netns add} keeps named namespaces here. */
    public static final Path NETNS_DIR = Path.of("/run/netns");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** Work to run inside a namespace. */
    @FunctionalInterface
    public interface Action<T> {
        T run() throws IOException;
    }

    private NetNamespace() {
    }

    /** Runs {@code action} in {@code /run/netns/NAME} and returns its result. */
    public static <T> T call(String name, Action<T> action) throws IOException {
        return callAt(namespacePath(name), action);
    }

    /** The namespace file for a name created by {@code ip netns add}; rejects names that could escape the directory. */
    public static Path namespacePath(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a valid network namespace name: \"" + name + "\"");
        }
        return NETNS_DIR.resolve(name);
    }

    /** Runs {@code action} in the namespace whose file is {@code nsFile} (e.g. /proc/PID/ns/net). */
    public static <T> T callAt(Path nsFile, Action<T> action) throws IOException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(runHere(nsFile, action));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "netns-" + nsFile.getFileName());
        t.setDaemon(true);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while working in network namespace " + nsFile);
        }
        Throwable e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return result.get();
    }

    private static <T> T runHere(Path nsFile, Action<T> action) throws IOException {
        LibC c = LibC.INSTANCE;
        String where = "enter network namespace " + nsFile;
        int original;
        int target;
        try {
            original = c.open("/proc/thread-self/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException(where + " (open current namespace)", e.getErrorCode(), null);
        }
        try {
            try {
                target = c.open(nsFile.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            } catch (LastErrorException e) {
                throw new NetlinkException(where, e.getErrorCode(), null);
            }
            try {
                c.setns(target, LibC.CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new NetlinkException(where, e.getErrorCode(), null);
            } finally {
                c.close(target);
            }
            try {
                return action.run();
            } finally {
                // the thread ends right after, but restore anyway so nothing run in a finally
                // block of the action's callers (there are none) could see the wrong namespace
                c.setns(original, LibC.CLONE_NEWNET);
            }
        } finally {
            c.close(original);
        }
    }
}

package net.sessionmigration.criurpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.sessionmigration.criurpc.proto.Rpc.criu_req;
import net.sessionmigration.criurpc.proto.Rpc.criu_req_type;
import net.sessionmigration.criurpc.proto.Rpc.criu_resp;

/**
 * One {@code criu swrk <fd>} process and our end of its SEQPACKET socket pair. CRIU serves one
 * dump, restore or check per worker (only page-server, version and a few others may keep it
 * open), then exits; {@link #close} closes our end and reaps it.
 */
final class SwrkWorker implements AutoCloseable {
    /** The descriptor number the worker finds its end of the socket pair at. */
    static final int CHILD_FD = 3;

    private static final CriuLibC C = CriuLibC.INSTANCE;

    private final int pid;
    private int fd;
    private boolean reaped;
    private int exitStatus = -1;

    private SwrkWorker(int pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /**
     * Spawns {@code prefix... binary swrk 3} with its end of a fresh socket pair at fd 3, stdin
     * from /dev/null, stdout and stderr appended to {@code output} (or /dev/null), every other
     * descriptor closed, signal mask empty and dispositions default.
     */
    static SwrkWorker start(List<String> prefix, Path binary, Path output, Duration receiveTimeout) throws IOException {
        int[] sv = new int[2];
        try {
            C.socketpair(CriuLibC.AF_UNIX, CriuLibC.SOCK_SEQPACKET | CriuLibC.SOCK_CLOEXEC, 0, sv);
        } catch (LastErrorException e) {
            throw new IOException("socketpair: " + C.strerror(e.getErrorCode()), e);
        }
        int parentFd = sv[0];
        int childFd = sv[1];
        try {
            if (childFd == CHILD_FD) {
                // dup2(3, 3) would keep FD_CLOEXEC on older libcs: move it out of the way first
                int moved = C.fcntl(childFd, CriuLibC.F_DUPFD_CLOEXEC, 10);
                C.close(childFd);
                childFd = moved;
            }
            List<String> argv = new ArrayList<>(prefix);
            argv.add(binary.toString());
            argv.add("swrk");
            argv.add(Integer.toString(CHILD_FD));
            int pid = spawn(argv, childFd, output);
            SwrkWorker w = new SwrkWorker(pid, parentFd);
            parentFd = -1;
            if (receiveTimeout != null) {
                try {
                    w.setReceiveTimeout(receiveTimeout);
                } catch (LastErrorException e) {
                    w.close();
                    throw e;
                }
            }
            return w;
        } catch (LastErrorException e) {
            throw new IOException("criu swrk setup: " + C.strerror(e.getErrorCode()), e);
        } finally {
            C.close(childFd);
            if (parentFd >= 0) {
                C.close(parentFd);
            }
        }
    }

    private static int spawn(List<String> argv, int childFd, Path output) throws IOException {
        Memory actions = new Memory(CriuLibC.OPAQUE_SIZE);
        Memory attr = new Memory(CriuLibC.OPAQUE_SIZE);
        Memory mask = new Memory(CriuLibC.OPAQUE_SIZE);
        Memory defaults = new Memory(CriuLibC.OPAQUE_SIZE);
        check("posix_spawn_file_actions_init", C.posix_spawn_file_actions_init(actions));
        check("posix_spawnattr_init", C.posix_spawnattr_init(attr));
        try {
            check("addopen stdin", C.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", CriuLibC.O_RDONLY, 0));
            String out = output == null ? "/dev/null" : output.toString();
            check("addopen stdout", C.posix_spawn_file_actions_addopen(actions, 1, out,
                    CriuLibC.O_WRONLY | CriuLibC.O_CREAT | CriuLibC.O_APPEND, 0644));
            check("adddup2 stderr", C.posix_spawn_file_actions_adddup2(actions, 1, 2));
            check("adddup2 socket", C.posix_spawn_file_actions_adddup2(actions, childFd, CHILD_FD));
            try {
                // the JVM's own descriptors that lack CLOEXEC stay out of CRIU
                check("addclosefrom", C.posix_spawn_file_actions_addclosefrom_np(actions, CHILD_FD + 1));
            } catch (UnsatisfiedLinkError olderLibc) {
                // glibc < 2.34: CRIU gets whatever the JVM left inheritable
            }
            C.sigemptyset(mask);
            C.sigfillset(defaults);
            check("setsigmask", C.posix_spawnattr_setsigmask(attr, mask));
            check("setsigdefault", C.posix_spawnattr_setsigdefault(attr, defaults));
            check("setflags", C.posix_spawnattr_setflags(attr,
                    (short) (CriuLibC.POSIX_SPAWN_SETSIGMASK | CriuLibC.POSIX_SPAWN_SETSIGDEF)));
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                env.add(e.getKey() + "=" + e.getValue());
            }
            IntByReference pid = new IntByReference();
            String[] args = argv.toArray(String[]::new);
            int err = C.posix_spawnp(pid, args[0], actions, attr, new StringArray(args), new StringArray(env.toArray(String[]::new)));
            if (err != 0) {
                throw new IOException("posix_spawn " + String.join(" ", argv) + ": " + C.strerror(err));
            }
            return pid.getValue();
        } finally {
            C.posix_spawn_file_actions_destroy(actions);
            C.posix_spawnattr_destroy(attr);
        }
    }

    private static void check(String what, int err) throws IOException {
        if (err != 0) {
            throw new IOException(what + ": " + C.strerror(err));
        }
    }

    int pid() {
        return pid;
    }

    private void setReceiveTimeout(Duration timeout) {
        long[] tv = {timeout.toSeconds(), timeout.toNanosPart() / 1000};
        C.setsockopt(fd, CriuLibC.SOL_SOCKET, CriuLibC.SO_RCVTIMEO, tv, 16);
    }

    /**
     * Sends {@code req} and answers CRIU's NOTIFY messages with {@code listener} until the
     * response to {@code req} arrives.
     */
    criu_resp call(criu_req req, NotifyListener listener, List<String> seen, Throwable[] listenerFailure)
            throws IOException {
        send(req);
        while (true) {
            criu_resp resp = receive(req.getType());
            if (resp.getType() != criu_req_type.NOTIFY) {
                return resp;
            }
            String script = resp.getNotify().getScript();
            int notifyPid = resp.getNotify().getPid();
            seen.add(script);
            boolean ok = true;
            if (listener != null) {
                try {
                    listener.onNotify(script, notifyPid);
                } catch (Exception | Error e) {
                    ok = false;
                    if (listenerFailure[0] == null) {
                        listenerFailure[0] = new IOException("notify callback for '" + script + "' failed: " + e, e);
                    }
                }
            }
            send(criu_req.newBuilder().setType(criu_req_type.NOTIFY).setNotifySuccess(ok).build());
        }
    }

    void send(criu_req req) throws IOException {
        byte[] b = req.toByteArray();
        try {
            long n = C.send(fd, b, b.length, CriuLibC.MSG_NOSIGNAL);
            if (n != b.length) {
                throw new IOException("criu swrk: short send " + n + " of " + b.length);
            }
        } catch (LastErrorException e) {
            throw new IOException("criu swrk (pid " + pid + ") took no " + req.getType() + " request: "
                    + C.strerror(e.getErrorCode()) + exitNote(), e);
        }
    }

    /** One whole message: its size first (MSG_PEEK|MSG_TRUNC gives a SEQPACKET message's real length). */
    criu_resp receive(criu_req_type awaiting) throws IOException {
        try {
            long size = recvRetrying(null, 0, CriuLibC.MSG_PEEK | CriuLibC.MSG_TRUNC);
            if (size == 0) {
                throw new IOException("criu swrk (pid " + pid + ") closed the socket before answering " + awaiting
                        + exitNote());
            }
            byte[] buf = new byte[(int) size];
            long n = recvRetrying(buf, buf.length, 0);
            if (n != size) {
                throw new IOException("criu swrk: message of " + size + " bytes came as " + n);
            }
            return criu_resp.parseFrom(buf);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == CriuLibC.EAGAIN) {
                kill();
                throw new IOException("criu swrk (pid " + pid + ") did not answer " + awaiting + " in time; killed it");
            }
            if (e.getErrorCode() == CriuLibC.ECONNRESET) { // it ended with our request unread
                throw new IOException("criu swrk (pid " + pid + ") reset the socket before answering " + awaiting
                        + exitNote(), e);
            }
            throw new IOException("criu swrk: recv: " + C.strerror(e.getErrorCode()), e);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("criu swrk sent a message that is no criu_resp: " + e.getMessage(), e);
        }
    }

    private long recvRetrying(byte[] buf, int len, int flags) {
        while (true) {
            try {
                return C.recv(fd, buf, len, flags);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != CriuLibC.EINTR) {
                    throw e;
                }
            }
        }
    }

    private String exitNote() {
        int status = awaitExit(Duration.ofMillis(500));
        return status < 0 ? "" : " (it " + describe(status) + ")";
    }

    static String describe(int status) {
        if ((status & 0x7f) == 0) {
            return "exited with " + ((status >> 8) & 0xff);
        }
        return "was killed by signal " + (status & 0x7f);
    }

    /** Waits up to {@code timeout} for the worker to end; its wait status, or -1 if it still runs. */
    synchronized int awaitExit(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!reaped) {
            int[] status = new int[1];
            try {
                int r = C.waitpid(pid, status, CriuLibC.WNOHANG);
                if (r == pid) {
                    reaped = true;
                    exitStatus = status[0];
                    break;
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() == CriuLibC.ECHILD) {
                    reaped = true; // someone else reaped it
                    break;
                }
                if (e.getErrorCode() != CriuLibC.EINTR) {
                    throw e;
                }
            }
            if (System.nanoTime() > end) {
                return -1;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return exitStatus;
    }

    private synchronized void kill() {
        if (!reaped) {
            C.kill(pid, CriuLibC.SIGKILL);
        }
    }

    /** Closes our end (the worker ends when it sees EOF) and reaps it, killing it after 10 s. */
    @Override
    public void close() {
        if (fd >= 0) {
            C.close(fd);
            fd = -1;
        }
        if (awaitExit(Duration.ofSeconds(10)) < 0 && !reaped) {
            kill();
            awaitExit(Duration.ofSeconds(5));
        }
    }
}

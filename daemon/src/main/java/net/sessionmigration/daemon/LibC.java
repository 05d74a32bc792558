package net.sessionmigration.daemon;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few libc calls Java has no API for: signals other than TERM/KILL, waitpid, prctl, pidfd, TCP_REPAIR, TCP_INFO. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int SIGKILL = 9;
    int SIGCONT = 18;
    int SIGSTOP = 19;
    int WNOHANG = 1;
    int PR_SET_CHILD_SUBREAPER = 36;
    long SYS_PIDFD_OPEN = 434;
    long SYS_PIDFD_GETFD = 438;
    int SHUT_RDWR = 2;
    int IPPROTO_TCP = 6;
    int TCP_REPAIR = 19;
    int TCP_INFO = 11;
    int SOL_SOCKET = 1;
    int SO_REUSEADDR = 2;

    int kill(int pid, int sig);

    int waitpid(int pid, int[] status, int options);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    long syscall(long number, Object... args);

    int shutdown(int fd, int how);

    int setsockopt(int fd, int level, int optname, int[] optval, int optlen);

    int getsockopt(int fd, int level, int optname, byte[] optval, int[] optlen);

    int close(int fd);
}

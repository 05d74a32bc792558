package net.sessionmigration.criurpc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/**
 * The libc calls Java has no API for: a SEQPACKET socket pair, whole-message send/recv on it, and
 * posix_spawn with file actions (ProcessBuilder cannot hand a child an extra descriptor). x86_64
 * and aarch64 Linux (glibc): size_t/ssize_t are passed as long.
 */
interface CriuLibC extends Library {
    CriuLibC INSTANCE = Native.load("c", CriuLibC.class);

    int AF_UNIX = 1;
    int SOCK_SEQPACKET = 5;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int MSG_PEEK = 0x2;
    int MSG_TRUNC = 0x20;
    int MSG_NOSIGNAL = 0x4000;
    int F_DUPFD_CLOEXEC = 1030;
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_CREAT = 0100;
    int O_APPEND = 02000;
    int WNOHANG = 1;
    int SIGKILL = 9;
    int EINTR = 4;
    int EAGAIN = 11;
    int ECONNRESET = 104;
    int ECHILD = 10;
    int POSIX_SPAWN_SETSIGDEF = 0x04;
    int POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128: room to spare. */
    int OPAQUE_SIZE = 512;

    int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    /** optval is a struct timeval: {seconds, microseconds}. */
    int setsockopt(int fd, int level, int optname, long[] optval, int optlen) throws LastErrorException;

    int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int waitpid(int pid, int[] status, int options) throws LastErrorException;

    int kill(int pid, int sig);

    /** Returns an error number (not -1 and errno). */
    int posix_spawnp(IntByReference pid, String file, Pointer fileActions, Pointer attr, StringArray argv,
            StringArray envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newfd);

    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int oflag, int mode);

    /** glibc 2.34+. */
    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int sigemptyset(Pointer sigset);

    int sigfillset(Pointer sigset);

    String strerror(int errnum);
}

package net.sessionmigration.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The libc calls this module needs. {@code size_t}/{@code ssize_t} are mapped to Java
 * {@code long}, which is only right on 64-bit Linux; {@link #requireSupportedPlatform()} checks.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_NETLINK = 16;
    int AF_PACKET = 17;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_ROUTE = 0;
    int NETLINK_NETFILTER = 12;

    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SOL_NETLINK = 270;
    int NETLINK_CAP_ACK = 10;
    int NETLINK_EXT_ACK = 11;

    int MSG_TRUNC = 0x20;

    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;

    int EINTR = 4;
    int EAGAIN = 11;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int addressLength) throws LastErrorException;

    int getsockname(int fd, byte[] address, IntByReference addressLength) throws LastErrorException;

    int setsockopt(int fd, int level, int option, byte[] value, int valueLength) throws LastErrorException;

    long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength)
            throws LastErrorException;

    long recvfrom(int fd, Pointer buffer, long length, int flags, byte[] address, IntByReference addressLength)
            throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;

    int geteuid();

    static void requireSupportedPlatform() {
        if (Native.LONG_SIZE != 8 || Native.SIZE_T_SIZE != 8) {
            throw new UnsupportedOperationException("sm-netlink supports 64-bit Linux only");
        }
        if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException(
                    "sm-netlink encodes netlink headers little-endian; this host is big-endian");
        }
    }
}

package net.sessionmigration.netlink;

import java.io.IOException;
import java.util.Optional;

/**
 * A failed netlink or packet-socket operation. The message names the operation and the
 * reason, e.g. {@code set master of veth-u1 to br-v2: No such device (ENODEV)}, followed by
 * the kernel's extended-ack text when it sent one.
 */
public class NetlinkException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final int errno;
    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        this(format(operation, errno, kernelMessage), operation, errno, kernelMessage);
    }

    private NetlinkException(String message, String operation, int errno, String kernelMessage) {
        super(message);
        this.operation = operation;
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    /** A name lookup that found nothing: errno ENODEV, and the message says which name. */
    public static NetlinkException noSuchLink(String operation, String name) {
        return new NetlinkException(operation + ": no link named " + name + " (ENODEV)", operation, Errno.ENODEV, null);
    }

    /** A failure that is not an errno (malformed reply, no such link by name, timeout). */
    public NetlinkException(String operation, String reason) {
        super(operation + ": " + reason);
        this.operation = operation;
        this.errno = 0;
        this.kernelMessage = null;
    }

    private static String format(String operation, int errno, String kernelMessage) {
        String base = operation + ": " + Errno.describe(errno);
        return kernelMessage == null || kernelMessage.isBlank() ? base : base + "; kernel says: " + kernelMessage;
    }

    public String operation() {
        return operation;
    }

    /** The positive errno, or 0 when the failure was not an errno. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code ENODEV}. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    /** The kernel's extended-ack message (NLMSGERR_ATTR_MSG), if any. */
    public Optional<String> kernelMessage() {
        return Optional.ofNullable(kernelMessage);
    }
}

package net.sessionmigration.qmp;

import java.io.IOException;

/**
 * A QMP command failed. For an error QEMU answered, {@link #errorClass()} is QEMU's class
 * ({@code GenericError}, {@code CommandNotFound}, {@code DeviceNotActive}, ...) and
 * {@link #desc()} its text; failures of our own use {@link #CONNECTION_CLOSED},
 * {@link #PROTOCOL} or {@link #TIMEOUT}.
 */
public class QmpException extends IOException {
    public static final String CONNECTION_CLOSED = "ConnectionClosed";
    public static final String PROTOCOL = "ProtocolError";
    public static final String TIMEOUT = "Timeout";

    private final String command;
    private final String errorClass;
    private final String desc;

    public QmpException(String command, String errorClass, String desc) {
        this(command, errorClass, desc, null);
    }

    public QmpException(String command, String errorClass, String desc, Throwable cause) {
        super((command == null ? "" : command + ": ") + errorClass + ": " + desc, cause);
        this.command = command == null ? "" : command;
        this.errorClass = errorClass;
        this.desc = desc;
    }

    /** The command that failed, or "" for the connection as a whole. */
    public String command() {
        return command;
    }

    public String errorClass() {
        return errorClass;
    }

    public String desc() {
        return desc;
    }
}

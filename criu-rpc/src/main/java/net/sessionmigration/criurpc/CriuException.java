package net.sessionmigration.criurpc;

import java.io.IOException;

/**
 * A request CRIU answered with {@code success = false}, or did not answer (its worker ended or
 * was killed mid-request: the cause says how). The message names the request, CRIU's errno and
 * first error message ({@code cr_errmsg}), a failed notify callback if one made CRIU abort, or
 * the missing answer, and the last error lines of the request's log file.
 */
public final class CriuException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String request;
    private final int criuErrno;
    private final String criuMessage;
    private final String logErrors;

    CriuException(String request, int criuErrno, String criuMessage, String logErrors, Throwable cause) {
        super(message(request, criuErrno, criuMessage, logErrors, cause), cause);
        this.request = request;
        this.criuErrno = criuErrno;
        this.criuMessage = criuMessage;
        this.logErrors = logErrors;
    }

    private static String message(String request, int errno, String msg, String log, Throwable cause) {
        StringBuilder sb = new StringBuilder("CRIU ").append(request).append(" failed");
        if (errno != 0) {
            sb.append(" (errno ").append(errno).append(' ').append(CriuLibC.INSTANCE.strerror(errno)).append(')');
        }
        // CRIU's first error is often its harmless RLIMIT_NOFILE complaint: the log lines say more
        if (msg != null && !msg.isBlank() && !msg.contains("RLIMIT_NOFILE")) {
            sb.append(": ").append(msg.strip());
        }
        if (cause != null) {
            sb.append("; ").append(cause.getMessage());
        }
        if (log != null && !log.isBlank()) {
            sb.append("\n").append(log.strip());
        }
        return sb.toString();
    }

    /** DUMP, RESTORE, CHECK, PAGE_SERVER_CHLD, ... */
    public String request() {
        return request;
    }

    /** CRIU's errno for the failure, 0 when it gave none. */
    public int criuErrno() {
        return criuErrno;
    }

    /** CRIU's first logged error ({@code cr_errmsg}), or null. */
    public String criuMessage() {
        return criuMessage;
    }

    /** The last error lines of the request's log file, or "". */
    public String logErrors() {
        return logErrors;
    }
}

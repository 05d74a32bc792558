package net.sessionmigration.qmp;

import java.time.Duration;

/** No answer (or no awaited event) within the time allowed; the connection stays usable. */
public class QmpTimeoutException extends QmpException {
    public QmpTimeoutException(String what, Duration timeout) {
        super(what, TIMEOUT, "no answer within " + timeout.toMillis() + " ms");
    }
}

package net.sessionmigration.shell;

import java.util.Locale;

import org.apache.karaf.shell.support.CommandException;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.PlanStatus;

/**
 * Turns operator input into domain values, or into one error line naming the bad value.
 * A {@link CommandException} is what Karaf prints as a single "Error executing command" line,
 * logging the trace at debug level only.
 */
final class Inputs {
    private Inputs() {
    }

    static PlanStatus plan(MigrationService service, String name) throws CommandException {
        return service.plan(name).orElseThrow(() -> new CommandException("unknown plan '" + name + "'"));
    }

    static MigrationRecord migration(MigrationService service, String id) throws CommandException {
        return service.migration(id).orElseThrow(() -> new CommandException("unknown migration id '" + id + "'"));
    }

    static MigrationMode mode(String text) throws CommandException {
        try {
            return MigrationMode.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CommandException("bad mode '" + text + "' (expected MOVE or REPLICATE)");
        }
    }

    static int positive(String what, int value) throws CommandException {
        if (value <= 0) {
            throw new CommandException("bad " + what + " '" + value + "' (expected a number above 0)");
        }
        return value;
    }

    /** The value of an Ok, or the Failed's problem ("device: cause") as the error line. */
    static <T> T orFail(Result<T> result) throws CommandException {
        if (result instanceof Result.Ok<T> ok) {
            return ok.value();
        }
        throw new CommandException(((Result.Failed<T>) result).problem().toString());
    }
}

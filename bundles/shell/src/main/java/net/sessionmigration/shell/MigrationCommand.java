package net.sessionmigration.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;

/**
 * What every {@code migration:*} command shares, once (as ONOS's AbstractShellCommand):
 * {@code --json}, and the output it writes to. Karaf injects options and references into
 * superclass fields too, so subclasses only declare their own.
 */
public abstract class MigrationCommand implements Action {

    @Option(name = "-j", aliases = "--json", description = "Print the result as JSON (pretty-printed) instead of text")
    boolean json;

    /** Null in Karaf (the command's console); set by tests to capture what is printed. */
    ShellOutput output;

    @Override
    public final Object execute() throws Exception {
        run(output != null ? output : ShellOutput.console());
        return null;
    }

    /** Bad input and failed service results end as a CommandException: one error line, no trace. */
    protected abstract void run(ShellOutput o) throws Exception;
}

package net.sessionmigration.shell;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.ZoneId;

import org.apache.karaf.shell.support.table.ShellTable;

/**
 * Where a command writes, and how.
 *
 * @param charset null lets {@link ShellTable} ask the Karaf terminal whether it can draw
 *                Unicode lines; tests pass a fixed charset because that probe needs Gogo
 * @param zone    for wall-clock times in history
 */
public record ShellOutput(PrintStream out, Charset charset, ZoneId zone) {

    /** The current command's console: in Karaf, System.out is redirected per command thread. */
    public static ShellOutput console() {
        return new ShellOutput(System.out, null, ZoneId.systemDefault());
    }

    /** Flushed at once: over SSH a command's output would otherwise reach the operator only at its end. */
    public void println(String line) {
        out.println(line);
        out.flush();
    }

    public void println() {
        out.println();
        out.flush();
    }

    public void table(ShellTable table, boolean format) {
        table.print(out, charset, format);
    }

    public void json(Object value) {
        out.println(JsonOutput.write(value));
    }
}

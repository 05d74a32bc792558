package net.sessionmigration.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** Live progress: each line leaves at once, even through a buffered stream (an SSH channel is one). */
class ShellOutputTest {
    @Test
    void everyLineIsFlushed() {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        PrintStream buffered = new PrintStream(new BufferedOutputStream(wire, 8192), false, StandardCharsets.UTF_8);
        ShellOutput o = new ShellOutput(buffered, StandardCharsets.UTF_8, ZoneOffset.UTC);
        o.println("  +0.000 ms  S701  start request received");
        assertEquals("  +0.000 ms  S701  start request received\n", wire.toString(StandardCharsets.UTF_8));
        o.println();
        assertEquals("  +0.000 ms  S701  start request received\n\n", wire.toString(StandardCharsets.UTF_8));
    }
}

package net.sessionmigration.criurpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A worker that ends without answering, as CRIU's does when a task it dumps stops under it (its
 * SIGCHLD handler exits): the failure is a {@link CriuException} naming the worker, the missing
 * answer and the request log's errors, however the end shows on the socket. The worker here is a
 * stand-in that writes such a log and exits: at once (our request may not even be sent), after our
 * request arrived unread (the socket is reset), or after reading it (the socket is closed).
 */
class CriuRpcNoAnswerTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "exits at once|",
        "exits with the request unread|sleep 0.3",
        "exits after reading the request|head -c 1 <&\"$2\" >/dev/null"})
    void aWorkerThatEndsWithoutAnsweringFailsNamingItsLogsErrors(String how, String before, @TempDir Path dir)
            throws Exception {
        Path log = dir.resolve("dump.log");
        Path worker = dir.resolve("criu");
        Files.writeString(worker, "#!/bin/sh\n" + (before == null ? "" : before + "\n")
                + "printf '%s\\n' '(00.038477) Error (criu/cr-dump.c:1): 42 was stopped by 19 unexpectedly' > '" + log
                + "'\nexit 1\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwx------"));

        CriuException e = assertThrows(CriuException.class, () -> new CriuRpc(worker).dump(DumpOptions.of(1, dir), null));

        assertEquals("DUMP", e.request());
        assertTrue(e.getMessage().contains("criu swrk (pid ") && e.getMessage().contains("stopped by 19 unexpectedly"),
                e.getMessage());
        assertTrue(e.logErrors().contains("stopped by 19 unexpectedly"), e.logErrors());
    }
}

package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A copy listed off the request's thread, on this JVM's own real loopback connection. */
class StoppedCopyTest {
    private static final int ME = (int) ProcessHandle.current().pid();
    private static final ExecutorService POOL = Executors.newSingleThreadExecutor();

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    @Test
    void theListingInTheBackgroundIsTheBaselineForWhatArrivesLater() throws Exception {
        SessionCheckTest.onLoopbackPair((client, accepted) -> {
            StoppedCopy.Listing l = StoppedCopy.list(ME, POOL).get();
            assertEquals(ME, l.tree().get(0));
            assertTrue(l.info().containsKey(SessionCheck.name(l.connections().stream()
                    .filter(c -> c.remote().getHostAddress().equals("127.0.0.2")).findFirst().orElseThrow())),
                    l.info().toString());
            client.write(ByteBuffer.wrap("ping\n".getBytes()));
            accepted.socket().setSoTimeout(2000);
            assertEquals(5, accepted.socket().getInputStream().read(new byte[16]));
            List<String> since = SessionCheck.acceptedSince(SessionCheck.received(l.info()), l.connections());
            assertTrue(since.stream().anyMatch(s -> s.contains("accepted 5 bytes from 127.0.0.2:")), since.toString());
        });
    }

    @Test
    void aListingThatFailedIsTheIoExceptionItWasNamingTheProcess() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        int gone = (int) p.pid();
        StoppedCopy copy = StoppedCopy.list(gone, POOL);
        IOException e = assertThrows(IOException.class, copy::get);
        assertTrue(e.getMessage().contains("/proc/" + gone), e.getMessage());
    }
}

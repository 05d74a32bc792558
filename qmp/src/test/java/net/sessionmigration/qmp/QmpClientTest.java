package net.sessionmigration.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QmpClientTest {
    static final Duration T = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private QmpClient connect(FakeQmpServer s) throws QmpException {
        return QmpClient.connect(s.socket, T, T);
    }

    @Test
    void negotiatesCapabilitiesThenReturnsResults() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> cmd.equals("query-status")
                        ? FakeQmpServer.Reply.ok("{\"status\": \"running\", \"singlestep\": false, \"running\": true}")
                        : FakeQmpServer.Reply.ok("{}"));
             QmpClient c = connect(s)) {
            assertEquals("qmp_capabilities", s.received.get(0).path("execute").asText());
            assertEquals(7, c.greeting().path("version").path("qemu").path("major").asInt());
            assertEquals(new VmStatus("running", true), c.queryStatus());
            JsonNode sent = s.received.get(1);
            assertEquals("query-status", sent.path("execute").asText());
            assertTrue(sent.has("id"), "every command carries an id");
            assertFalse(sent.has("arguments"), "no empty arguments object");
        }
    }

    @Test
    void qemuErrorsCarryClassAndDesc() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> FakeQmpServer.Reply.error("GenericError", "There's a migration process in progress"));
             QmpClient c = connect(s)) {
            QmpException e = assertThrows(QmpException.class, () -> c.migrate("unix:/nowhere"));
            assertEquals("GenericError", e.errorClass());
            assertEquals("There's a migration process in progress", e.desc());
            assertEquals("migrate", e.command());
            assertTrue(c.isOpen(), "an error answer does not break the connection");
        }
    }

    @Test
    void unknownCommandMapsToCommandNotFound() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> FakeQmpServer.Reply.error("CommandNotFound", "The command " + cmd + " has not been found"));
             QmpClient c = connect(s)) {
            QmpException e = assertThrows(QmpException.class, () -> c.execute("no-such"));
            assertEquals("CommandNotFound", e.errorClass());
        }
    }

    @Test
    void eventsAreRecordedAndAwaited() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"), (cmd, args) -> FakeQmpServer.Reply.ok("{}"));
             QmpClient c = connect(s)) {
            List<QmpEvent> seen = new CopyOnWriteArrayList<>();
            c.addEventListener(seen::add);
            s.event("STOP", null);
            QmpEvent stop = c.awaitEvent("STOP", T);
            assertEquals(0, stop.sequence());
            assertEquals(Instant.ofEpochSecond(1700000000, 250_000_000), stop.timestamp());
            assertTrue(stop.data().isObject());

            long cursor = c.eventCursor();
            // an event that happened before the cursor is not what a later wait is for
            Thread waiter = new Thread(() -> {
                QmpClient.sleep(100);
                try {
                    s.event("MIGRATION", "{\"status\": \"active\"}");
                    s.event("MIGRATION", "{\"status\": \"completed\"}");
                } catch (Exception ignored) {
                    // test fails on the await below
                }
            });
            waiter.start();
            QmpEvent done = c.awaitEvent(cursor, e -> e.name().equals("MIGRATION") && e.migrationStatus().equals("completed"), T);
            assertEquals(2, done.sequence());
            assertEquals("completed", done.migrationStatus());
            waiter.join();
            assertEquals(3, c.events().size());
            assertEquals(List.of("STOP", "MIGRATION", "MIGRATION"), seen.stream().map(QmpEvent::name).toList());

            QmpTimeoutException t = assertThrows(QmpTimeoutException.class,
                    () -> c.awaitEvent(c.eventCursor(), e -> e.name().equals("RESUME"), Duration.ofMillis(150)));
            assertEquals(QmpException.TIMEOUT, t.errorClass());
        }
    }

    @Test
    void eventsBetweenCommandAndAnswerDoNotConfuseTheAnswer() throws Exception {
        FakeQmpServer[] ref = new FakeQmpServer[1];
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"), (cmd, args) -> {
            try {
                ref[0].event("RESUME", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return FakeQmpServer.Reply.ok("{}");
        })) {
            ref[0] = s;
            try (QmpClient c = connect(s)) {
                c.cont();
                assertEquals("RESUME", c.awaitEvent("RESUME", T).name());
            }
        }
    }

    @Test
    void aCommandWithoutAnswerTimesOutAndTheConnectionStaysUsable() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> cmd.equals("slow") && n.getAndIncrement() == 0 ? FakeQmpServer.Reply.none()
                        : FakeQmpServer.Reply.ok("{\"status\": \"running\", \"running\": true}"));
             QmpClient c = connect(s)) {
            long t0 = System.nanoTime();
            QmpTimeoutException e = assertThrows(QmpTimeoutException.class,
                    () -> c.execute("slow", Map.of(), Duration.ofMillis(200)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 190 && ms < 1500, "timed out after " + ms + " ms");
            assertEquals("slow", e.command());
            assertTrue(c.queryStatus().running(), "next call works");
        }
    }

    @Test
    void greetingTimeoutWhenNothingAnswers() throws Exception {
        Path sock = dir.resolve("silent.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(sock));
            long t0 = System.nanoTime();
            assertThrows(QmpTimeoutException.class, () -> QmpClient.connect(sock, Duration.ofMillis(300), T));
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 2000);
        }
    }

    @Test
    void connectFailsWhenNoSocketAppears() {
        QmpException e = assertThrows(QmpException.class,
                () -> QmpClient.connect(dir.resolve("none.sock"), Duration.ofMillis(150), T));
        assertEquals(QmpException.CONNECTION_CLOSED, e.errorClass());
    }

    @Test
    void concurrentCallersEachGetTheirOwnAnswer() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> FakeQmpServer.Reply.ok("{\"echo\": " + args.path("n").asInt() + "}"));
             QmpClient c = connect(s)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    int n = i;
                    fs.add(pool.submit(() -> c.execute("echo", Map.of("n", n)).path("echo").asInt()));
                }
                for (int i = 0; i < fs.size(); i++) {
                    assertEquals(i, fs.get(i).get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    @SuppressWarnings("try") // close() is called inside the try on purpose: it must be idempotent
    void connectionClosedFailsPendingAndLaterCalls() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> cmd.equals("die") ? FakeQmpServer.Reply.hangUp() : FakeQmpServer.Reply.ok("{}"));
             QmpClient c = connect(s)) {
            QmpException e = assertThrows(QmpException.class, () -> c.execute("die", Map.of(), Duration.ofSeconds(5)));
            assertEquals(QmpException.CONNECTION_CLOSED, e.errorClass());
            assertFalse(c.isOpen());
            assertEquals(QmpException.CONNECTION_CLOSED,
                    assertThrows(QmpException.class, c::queryStatus).errorClass());
            assertEquals(QmpException.CONNECTION_CLOSED,
                    assertThrows(QmpException.class, () -> c.awaitEvent("STOP", T)).errorClass());
            c.close();
            c.close(); // idempotent
        }
    }

    @Test
    void quitToleratesTheConnectionClosing() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> cmd.equals("quit") ? FakeQmpServer.Reply.hangUp() : FakeQmpServer.Reply.ok("{}"));
             QmpClient c = connect(s)) {
            c.quit();
            assertFalse(c.isOpen());
        }
    }

    @Test
    void migrationCommandsSendQemusArgumentsAndParseQueryMigrate() throws Exception {
        String completed = "{\"status\": \"completed\", \"setup-time\": 1, \"downtime\": 3, \"total-time\": 236,"
                + " \"ram\": {\"total\": 134750208, \"transferred\": 21345678, \"remaining\": 0, \"mbps\": 900.5}}";
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> cmd.equals("query-migrate") ? FakeQmpServer.Reply.ok(completed) : FakeQmpServer.Reply.ok("{}"));
             QmpClient c = connect(s)) {
            c.setMigrationParameters(MigrationParameters.of(Duration.ofMillis(50), 1_000_000_000L));
            c.setMigrationCapabilities(Map.of("events", true));
            c.migrateIncoming("unix:/run/x.sock");
            c.migrate("unix:/run/x.sock");
            MigrationInfo info = c.awaitMigration(T, Duration.ofMillis(10), i -> { });
            c.migrateCancel();
            c.announceSelf();
            c.stop();

            assertTrue(info.completed());
            assertEquals(Optional.of(Duration.ofMillis(236)), info.totalTime());
            assertEquals(Optional.of(Duration.ofMillis(3)), info.downtime());
            assertEquals(Optional.empty(), info.expectedDowntime());
            assertEquals(134750208L, info.ramTotal());
            assertEquals(21345678L, info.ramTransferred());

            List<JsonNode> r = s.received;
            assertEquals("{\"downtime-limit\":50,\"max-bandwidth\":1000000000}", r.get(1).get("arguments").toString());
            assertEquals("{\"capabilities\":[{\"capability\":\"events\",\"state\":true}]}", r.get(2).get("arguments").toString());
            assertEquals("migrate-incoming", r.get(3).path("execute").asText());
            assertEquals("unix:/run/x.sock", r.get(3).path("arguments").path("uri").asText());
            assertEquals("migrate", r.get(4).path("execute").asText());
            assertEquals("query-migrate", r.get(5).path("execute").asText());
            assertEquals("migrate_cancel", r.get(6).path("execute").asText());
            assertEquals("announce-self", r.get(7).path("execute").asText());
            assertEquals("stop", r.get(8).path("execute").asText());
        }
    }

    @Test
    void awaitMigrationReportsProgressUntilFinished() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"), (cmd, args) -> {
            int k = calls.incrementAndGet();
            return FakeQmpServer.Reply.ok(k < 3
                    ? "{\"status\": \"active\", \"total-time\": " + k * 10 + ", \"expected-downtime\": 300,"
                            + " \"ram\": {\"total\": 1000, \"transferred\": " + k * 300 + ", \"remaining\": 400}}"
                    : "{\"status\": \"cancelled\"}");
        });
             QmpClient c = connect(s)) {
            List<MigrationInfo> seen = new ArrayList<>();
            MigrationInfo last = c.awaitMigration(T, Duration.ofMillis(5), seen::add);
            assertEquals("cancelled", last.status());
            assertFalse(last.completed());
            assertEquals(3, seen.size());
            assertEquals(0.6, seen.get(1).ramProgress(), 1e-9);
            assertEquals(Optional.of(Duration.ofMillis(300)), seen.get(0).expectedDowntime());
        }
    }

    @Test
    void queryKvmMapsToTheAccelerator() throws Exception {
        try (FakeQmpServer s = new FakeQmpServer(dir.resolve("q.sock"),
                (cmd, args) -> FakeQmpServer.Reply.ok("{\"enabled\": false, \"present\": true}"));
             QmpClient c = connect(s)) {
            assertEquals(Accelerator.TCG, c.queryAccelerator());
        }
    }
}

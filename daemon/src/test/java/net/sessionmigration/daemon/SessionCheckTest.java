package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session check and the lock's repair-mode handling on a real loopback connection of this JVM
 * (TCP_REPAIR needs CAP_NET_ADMIN: the tests run as root, as the daemon does).
 */
class SessionCheckTest {
    private static final List<Integer> ME = List.of((int) ProcessHandle.current().pid());
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.2", 0);

    /** A test on a connected loopback pair; the accepted end's remote is 127.0.0.2 ({@link #CLIENT}). */
    interface OnPair {
        void run(SocketChannel client, SocketChannel accepted) throws Exception;
    }

    static void onLoopbackPair(OnPair test) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
                client.bind(CLIENT);
                client.connect(server.getLocalAddress());
                try (SocketChannel accepted = server.accept()) {
                    test.run(client, accepted);
                }
            }
        }
    }

    @Test
    void aConnectionOutOfRepairModeCarriesDataAgainAndItsPortCanBeBoundAgain() throws Exception {
        onLoopbackPair((client, accepted) -> {
            // lock the accepted end as a dump leaves it, then let it go
            assertEquals(1, ConnectionCloser.forget(ME, a -> a.getHostAddress().equals("127.0.0.2")));
            Map<String, Long> before = SessionCheck.received(ConnectionCloser.connections(ME));
            assertEquals(1, ConnectionCloser.leaveRepair(ME, a -> a.getHostAddress().equals("127.0.0.2")));
            client.write(ByteBuffer.wrap("ping\n".getBytes()));
            ByteBuffer in = ByteBuffer.allocate(16);
            accepted.socket().setSoTimeout(2000);
            int n = accepted.socket().getInputStream().read(in.array());
            assertEquals(5, n);
            List<String> accepted5 = SessionCheck.acceptedSince(before, ConnectionCloser.connections(ME));
            assertTrue(accepted5.stream().anyMatch(s -> s.contains("accepted 5 bytes")), accepted5.toString());
            // SO_REUSEADDR is back (the kernel clears it when repair mode ends)
            assertTrue(accepted.socket().getReuseAddress());
        });
    }

    @Test
    void oneLookAgainstAnEarlierSnapshotSeesWhatArrivedSince() throws Exception {
        onLoopbackPair((client, accepted) -> {
            Predicate<Inet4Address> user = a -> a.getHostAddress().equals("127.0.0.2");
            List<ConnectionCloser.Conn> mine = ConnectionCloser.connections(ME); // listed once, as for a stopped copy
            Map<String, SessionCheck.TcpInfo> atRestore = SessionCheck.snapshot(mine, user);
            assertEquals(1, atRestore.size());
            client.write(ByteBuffer.wrap("42\n".getBytes()));
            long end = System.currentTimeMillis() + 5000;
            while (SessionCheck.snapshot(mine, user).values().iterator().next().bytesReceived() == 0
                    && System.currentTimeMillis() < end) {
                Thread.sleep(5);
            }
            List<SessionCheck.Outcome> out = SessionCheck.target(mine, user, atRestore);
            assertEquals(1, out.size());
            assertEquals(3, out.get(0).receivedBytes(), "the bytes that arrived after the snapshot");
            assertFalse(out.get(0).hole());
            assertEquals(0, SessionCheck.target(mine, user, SessionCheck.snapshot(mine, user))
                    .get(0).receivedBytes(), "nothing arrived since a snapshot taken now");
        });
    }

    @Test
    void theLockTableIsNamedAfterCriusRunIdCutAsCriuCutsIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("dump.log");
        Files.writeString(log, "(00.000000) CRIU run id = e7e144b5-78ef-4bd1-8a19-29c5c5b9ce6b\n(00.0001) other\n");
        assertEquals(Optional.of("CRIU-e7e144b5-78ef-4bd1-8a"), SourceLock.tableOf(log));
        // CRIU's RPC worker: one run id at its start, the request's after it, which names the lock
        Files.writeString(log, "(00.000000) CRIU run id = 11111111-2222-3333-4444-555555555555\n"
                + "(00.000001) CRIU run id = e7e144b5-78ef-4bd1-8a19-29c5c5b9ce6b\n(00.0001) Version: 4.2.1\n");
        assertEquals(Optional.of("CRIU-e7e144b5-78ef-4bd1-8a"), SourceLock.tableOf(log));
        Files.writeString(log, "(00.000000) nothing here\n");
        assertEquals(Optional.empty(), SourceLock.tableOf(log));
        assertEquals(Optional.empty(), SourceLock.tableOf(dir.resolve("missing.log")));
    }

    @Test
    void aRememberedLockIsFoundAgainAndAForgedNameIsIgnored(@TempDir Path dir) throws Exception {
        SourceLock lock = new SourceLock(dir);
        lock.held("m1", "CRIU-abc-123");
        assertEquals(Optional.of("CRIU-abc-123"), new SourceLock(dir).table("m1"));
        Files.writeString(dir.resolve("m2.source-lock"), "CRIU-x; rm -rf /");
        assertEquals(Optional.empty(), lock.table("m2"));
        assertEquals(Optional.empty(), lock.table("m3"));
    }
}

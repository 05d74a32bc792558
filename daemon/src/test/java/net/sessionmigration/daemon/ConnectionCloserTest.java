package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

/**
 * The connections of a process, taken through pidfd_getfd: a real IPv4 loopback connection of this
 * JVM. {@code forget} needs CAP_NET_ADMIN (the daemon runs as root; so do the tests on the lab machine).
 */
class ConnectionCloserTest {
    private static final List<Integer> ME = List.of((int) ProcessHandle.current().pid());
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The client's end binds here, so that the two ends have different remote addresses. */
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.2", 0);

    @Test
    void aForgottenConnectionClosesSilentlyAndLeavesNoSocket() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            client.bind(CLIENT);
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                int serverPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
                assertTrue(ConnectionCloser.connections(ME).stream().anyMatch(c -> c.remotePort() == clientPort),
                        "the accepted end is listed with its peer's port");

                // only the client's end has the server (127.0.0.1) as its remote
                assertEquals(1, ConnectionCloser.forget(ME, LOOPBACK::equals));
                client.close();

                // no FIN reached the other end: a read waits instead of seeing the end of the stream
                accepted.socket().setSoTimeout(500);
                assertThrows(SocketTimeoutException.class, () -> accepted.socket().getInputStream().read());
                // and no orphan holds the client's address and port (it would block a restore of it)
                assertFalse(socketWithLocalPort(clientPort), "a socket with local port " + clientPort + " is left");
                assertTrue(socketWithLocalPort(serverPort), "the listener and the accepted end are still there");
            }
        }
    }

    @Test
    void withoutForgetThePeerSeesTheEnd() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(LOOPBACK, 0));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                client.close();
                accepted.socket().setSoTimeout(2000);
                assertEquals(-1, accepted.socket().getInputStream().read());
            }
        }
    }

    /** Any IPv4 TCP socket of this network namespace with that local port (/proc/net/tcp, hex port). */
    private static boolean socketWithLocalPort(int port) throws Exception {
        String hex = String.format(Locale.ROOT, ":%04X", port);
        return Files.readAllLines(Path.of("/proc/net/tcp")).stream().skip(1)
                .map(l -> l.trim().split("\\s+")[1]).anyMatch(local -> local.endsWith(hex));
    }
}

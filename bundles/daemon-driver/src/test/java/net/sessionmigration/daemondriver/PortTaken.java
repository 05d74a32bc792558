package net.sessionmigration.daemondriver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A fault for the contract tests: a TCP port of every address of a network namespace taken by a
 * listening socket of ours, so that whatever must listen there next cannot bind it (CRIU restoring
 * the stream's listening socket at the target, a destination QEMU waiting for the incoming
 * migration). The socket is held by a python3 this test starts with {@code ip netns exec}; it
 * listens before {@link #in} returns, and {@link #close} ends it by closing its stdin (it also ends
 * when this JVM does), then waits for it.
 */
final class PortTaken implements AutoCloseable {
    private static final String HOLD = String.join("\n",
            "import socket, sys",
            "s = socket.socket()",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # sockets of a discarded copy may linger",
            "s.bind(('0.0.0.0', int(sys.argv[1])))",
            "s.listen()",
            "print('listening', flush=True)",
            "sys.stdin.read()");

    private final Process holder;
    final String namespace;
    final int port;

    private PortTaken(Process holder, String namespace, int port) {
        this.holder = holder;
        this.namespace = namespace;
        this.port = port;
    }

    /** Takes {@code port} in {@code namespace}; fails if it cannot (the port already taken, no namespace). */
    static PortTaken in(String namespace, int port) {
        Process p;
        try {
            p = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", "-c", HOLD, Integer.toString(port))
                    .redirectErrorStream(true).start();
            String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!"listening".equals(first)) {
                String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.destroy();
                throw new IllegalStateException("could not take port " + port + " in " + namespace + ": " + first + " "
                        + rest.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not take port " + port + " in " + namespace, e);
        }
        return new PortTaken(p, namespace, port);
    }

    @Override
    public void close() {
        try {
            holder.getOutputStream().close();
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly().waitFor();
            }
        } catch (IOException e) {
            holder.destroyForcibly();
        } catch (InterruptedException e) {
            holder.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "port " + port + " taken in " + namespace;
    }
}

package net.sessionmigration.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A QMP server that speaks QEMU's framing on a unix socket: greeting, then one JSON object per
 * line each way; insists on qmp_capabilities first as QEMU does. A handler decides each answer.
 */
final class FakeQmpServer implements AutoCloseable {
    static final ObjectMapper M = new ObjectMapper();

    /** What to do with one command: reply, error, nothing, or close. */
    interface Handler extends BiFunction<String, JsonNode, Reply> {
    }

    record Reply(String json, boolean close) {
        static Reply ok(String returnJson) {
            return new Reply("{\"return\": " + returnJson + "}", false);
        }

        static Reply error(String cls, String desc) {
            return new Reply("{\"error\": {\"class\": \"" + cls + "\", \"desc\": \"" + desc + "\"}}", false);
        }

        static Reply none() {
            return new Reply(null, false);
        }

        static Reply hangUp() {
            return new Reply(null, true);
        }
    }

    final Path socket;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;
    private final Handler handler;
    private final Thread thread;
    private volatile SocketChannel client;

    FakeQmpServer(Path socket, Handler handler) throws IOException {
        this.socket = socket;
        this.handler = handler;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "fake-qmp");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        try (SocketChannel c = server.accept()) {
            client = c;
            send("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}");
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            boolean negotiated = false;
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode msg = M.readTree(line);
                received.add(msg);
                String cmd = msg.path("execute").asText();
                String id = msg.has("id") ? msg.get("id").toString() : null;
                Reply r;
                if (!negotiated) {
                    r = cmd.equals("qmp_capabilities") ? Reply.ok("{}")
                            : Reply.error("CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
                    negotiated = cmd.equals("qmp_capabilities");
                } else {
                    r = handler.apply(cmd, msg.path("arguments"));
                }
                if (r.json() != null) {
                    String out = r.json();
                    if (id != null) {
                        out = out.substring(0, out.lastIndexOf('}')) + ", \"id\": " + id + "}";
                    }
                    send(out);
                }
                if (r.close()) {
                    return;
                }
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    /** Sends one event, as QEMU does at any time. */
    void event(String name, String dataJson) throws IOException {
        send("{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250000}, \"event\": \"" + name + "\""
                + (dataJson == null ? "" : ", \"data\": " + dataJson) + "}");
    }

    synchronized void send(String json) throws IOException {
        SocketChannel c = client;
        ByteBuffer b = ByteBuffer.wrap((json + "\r\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    void awaitClient() throws InterruptedException {
        for (int i = 0; i < 200 && client == null; i++) {
            Thread.sleep(10);
        }
    }

    @Override
    public void close() throws IOException {
        SocketChannel c = client;
        if (c != null) {
            c.close();
        }
        server.close();
        Files.deleteIfExists(socket);
    }
}

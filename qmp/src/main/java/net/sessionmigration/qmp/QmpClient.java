package net.sessionmigration.qmp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A client of the QEMU Machine Protocol over QEMU's unix socket ({@code -qmp unix:PATH,server=on,wait=off}).
 *
 * <p>{@link #connect} reads the greeting and leaves capabilities negotiation with
 * {@code qmp_capabilities}. Every command carries an {@code id}, so any number of threads may
 * call {@link #execute} at once; a reader thread matches answers to callers and records
 * asynchronous events. Every call has a timeout; a command that timed out does not break the
 * connection (its late answer is dropped). Thread-safe.
 */
public final class QmpClient implements AutoCloseable {
    /** Events kept for {@link #awaitEvent}; older ones are dropped. */
    static final int EVENT_HISTORY = 1024;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final SocketChannel channel;
    private final Duration defaultTimeout;
    private final Object writeLock = new Object();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Deque<QmpEvent> events = new ArrayDeque<>();
    private final List<Consumer<QmpEvent>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final Thread reader;
    private long eventCount; // guarded by events
    private volatile QmpException closedBecause;

    private record Pending(String command, CompletableFuture<JsonNode> answer) {
    }

    private QmpClient(SocketChannel channel, Duration defaultTimeout, String name) {
        this.channel = channel;
        this.defaultTimeout = defaultTimeout;
        this.reader = new Thread(this::readLoop, "qmp-reader-" + name);
        this.reader.setDaemon(true);
    }

    /**
     * Connects to QEMU's QMP socket, waiting up to {@code timeout} for it to appear (QEMU
     * creates it shortly after start), then negotiates capabilities.
     *
     * @param defaultTimeout the timeout of every later call that does not give its own
     */
    public static QmpClient connect(Path socket, Duration timeout, Duration defaultTimeout) throws QmpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SocketChannel ch = null;
        IOException last = null;
        while (ch == null) {
            if (Files.exists(socket)) {
                SocketChannel c = null;
                try {
                    c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.connect(UnixDomainSocketAddress.of(socket));
                    ch = c;
                    break;
                } catch (IOException e) {
                    last = e;
                    closeQuietly(c);
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new QmpException("connect", QmpException.CONNECTION_CLOSED,
                        "cannot connect to " + socket + " within " + timeout.toMillis() + " ms"
                                + (last == null ? " (no socket)" : ": " + last.getMessage()), last);
            }
            sleep(20);
        }
        QmpClient client = new QmpClient(ch, defaultTimeout, socket.getFileName().toString());
        client.reader.start();
        try {
            long left = Math.max(1, deadline - System.nanoTime());
            client.greeting.get(left, TimeUnit.NANOSECONDS);
            client.execute("qmp_capabilities", Map.of(), Duration.ofNanos(Math.max(left, defaultTimeout.toNanos())));
            return client;
        } catch (TimeoutException e) {
            client.close();
            throw new QmpTimeoutException("QMP greeting from " + socket, timeout);
        } catch (ExecutionException e) {
            client.close();
            throw asQmp("connect", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new QmpException("connect", QmpException.CONNECTION_CLOSED, "interrupted");
        } catch (QmpException e) {
            client.close();
            throw e;
        }
    }

    /** QEMU's greeting ({@code {"QMP": {"version": ..., "capabilities": [...]}}}), inner object. */
    public JsonNode greeting() {
        return greeting.getNow(MAPPER.createObjectNode());
    }

    /** Runs a command with the default timeout; see {@link #execute(String, Map, Duration)}. */
    public JsonNode execute(String command, Map<String, ?> arguments) throws QmpException {
        return execute(command, arguments, defaultTimeout);
    }

    public JsonNode execute(String command) throws QmpException {
        return execute(command, Map.of(), defaultTimeout);
    }

    /**
     * Runs one QMP command and returns its {@code return} value.
     *
     * @throws QmpException        QEMU answered an error (its class and desc), or the connection closed
     * @throws QmpTimeoutException no answer within {@code timeout}
     */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) throws QmpException {
        QmpException closed = closedBecause;
        if (closed != null) {
            throw new QmpException(command, closed.errorClass(), closed.desc());
        }
        String id = "sm-" + nextId.getAndIncrement();
        ObjectNode msg = MAPPER.createObjectNode();
        msg.put("execute", command);
        if (arguments != null && !arguments.isEmpty()) {
            msg.set("arguments", MAPPER.valueToTree(arguments));
        }
        msg.put("id", id);
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, new Pending(command, answer));
        try {
            byte[] bytes = (msg.toString() + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (writeLock) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
            // the reader may have seen EOF between the check above and put(): do not wait in vain
            if (closedBecause != null && !answer.isDone()) {
                answer.completeExceptionally(closedBecause);
            }
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            QmpException c = closedBecause;
            throw new QmpException(command, QmpException.CONNECTION_CLOSED,
                    c != null ? c.desc() : "write failed: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new QmpTimeoutException(command, timeout);
        } catch (ExecutionException e) {
            throw asQmp(command, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(command, QmpException.CONNECTION_CLOSED, "interrupted");
        } finally {
            pending.remove(id);
        }
    }

    // ---- events ----

    /** The sequence number the next event will get: pass it to {@link #awaitEvent(long, Predicate, Duration)}
     *  to wait only for events that happen after this call. */
    public long eventCursor() {
        synchronized (events) {
            return eventCount;
        }
    }

    /** The retained events, oldest first. */
    public List<QmpEvent> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    /** Called on the reader thread for every event; keep it short. */
    public void addEventListener(Consumer<QmpEvent> listener) {
        listeners.add(listener);
    }

    public void removeEventListener(Consumer<QmpEvent> listener) {
        listeners.remove(listener);
    }

    /** The first event named {@code name} since the connection opened (retained history), or within {@code timeout}. */
    public QmpEvent awaitEvent(String name, Duration timeout) throws QmpException {
        return awaitEvent(0, e -> e.name().equals(name), timeout);
    }

    /**
     * The first event with sequence ≥ {@code fromSequence} that matches, waiting up to {@code timeout}.
     *
     * @throws QmpTimeoutException none came in time
     * @throws QmpException        the connection closed first
     */
    public QmpEvent awaitEvent(long fromSequence, Predicate<QmpEvent> match, Duration timeout) throws QmpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (true) {
                for (QmpEvent e : events) {
                    if (e.sequence() >= fromSequence && match.test(e)) {
                        return e;
                    }
                }
                if (closedBecause != null) {
                    throw new QmpException("awaitEvent", closedBecause.errorClass(), closedBecause.desc());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new QmpTimeoutException("awaitEvent", timeout);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(events, left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new QmpException("awaitEvent", QmpException.CONNECTION_CLOSED, "interrupted");
                }
            }
        }
    }

    // ---- typed commands ----

    public VmStatus queryStatus() throws QmpException {
        JsonNode r = execute("query-status");
        return new VmStatus(r.path("status").asText(""), r.path("running").asBoolean(false));
    }

    /** Which accelerator the running QEMU actually uses ({@code query-kvm}: enabled means KVM). */
    public Accelerator queryAccelerator() throws QmpException {
        return execute("query-kvm").path("enabled").asBoolean(false) ? Accelerator.KVM : Accelerator.TCG;
    }

    public void setMigrationParameters(MigrationParameters parameters) throws QmpException {
        Map<String, Object> a = parameters.toArguments();
        if (!a.isEmpty()) {
            execute("migrate-set-parameters", a);
        }
    }

    /** {@code migrate-set-capabilities}, e.g. {@code Map.of("events", true)}; set the same on both sides. */
    public void setMigrationCapabilities(Map<String, Boolean> capabilities) throws QmpException {
        List<Map<String, Object>> list = new ArrayList<>();
        capabilities.forEach((k, v) -> {
            Map<String, Object> c = new java.util.LinkedHashMap<>();
            c.put("capability", k);
            c.put("state", v);
            list.add(c);
        });
        execute("migrate-set-capabilities", Map.of("capabilities", list));
    }

    /** On a QEMU started with {@code -incoming defer}: listen on {@code uri} ({@code unix:PATH}, {@code tcp:HOST:PORT}). */
    public void migrateIncoming(String uri) throws QmpException {
        execute("migrate-incoming", Map.of("uri", uri));
    }

    /** Starts migrating to {@code uri}; returns at once, follow with {@link #queryMigrate()}. */
    public void migrate(String uri) throws QmpException {
        execute("migrate", Map.of("uri", uri));
    }

    public MigrationInfo queryMigrate() throws QmpException {
        return MigrationInfo.fromJson(execute("query-migrate"));
    }

    public void migrateCancel() throws QmpException {
        execute("migrate_cancel");
    }

    /**
     * Polls {@code query-migrate} every {@code interval} until the migration finished
     * (completed, failed or cancelled), telling {@code progress} each answer.
     *
     * @throws QmpTimeoutException not finished within {@code timeout} (the migration goes on)
     */
    public MigrationInfo awaitMigration(Duration timeout, Duration interval, Consumer<MigrationInfo> progress)
            throws QmpException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MigrationInfo info = queryMigrate();
            progress.accept(info);
            if (info.finished()) {
                return info;
            }
            if (System.nanoTime() > deadline) {
                throw new QmpTimeoutException("query-migrate (status " + info.status() + ")", timeout);
            }
            sleep(interval.toMillis());
        }
    }

    public void cont() throws QmpException {
        execute("cont");
    }

    public void stop() throws QmpException {
        execute("stop");
    }

    /** Re-sends the RARP announcements (after the user's port has moved). */
    public void announceSelf() throws QmpException {
        execute("announce-self", Map.of("initial", 50, "max", 550, "rounds", 5, "step", 100));
    }

    /** Asks QEMU to exit. The connection closing right after is expected, not an error. */
    public void quit() throws QmpException {
        try {
            execute("quit");
        } catch (QmpException e) {
            if (!QmpException.CONNECTION_CLOSED.equals(e.errorClass())) {
                throw e;
            }
        }
    }

    public boolean isOpen() {
        return closedBecause == null;
    }

    /** Closes the connection (QEMU keeps running); pending calls fail. Idempotent. */
    @Override
    public void close() {
        shutDown(new QmpException("", QmpException.CONNECTION_CLOSED, "client closed"));
        closeQuietly(channel);
        if (Thread.currentThread() != reader) {
            try {
                reader.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- reader ----

    private void readLoop() {
        QmpException reason = new QmpException("", QmpException.CONNECTION_CLOSED, "QEMU closed the QMP connection");
        try (InputStream in = inputStream(channel);
             JsonParser p = MAPPER.getFactory().createParser(in)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.START_OBJECT) {
                    throw new QmpException("", QmpException.PROTOCOL, "expected a JSON object, got " + t);
                }
                dispatch(MAPPER.readTree(p));
            }
        } catch (QmpException e) {
            reason = e;
        } catch (IOException e) {
            if (closedBecause == null && channel.isOpen()) {
                reason = new QmpException("", QmpException.CONNECTION_CLOSED, "read failed: " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            reason = new QmpException("", QmpException.PROTOCOL, String.valueOf(e), e);
        }
        shutDown(reason);
        closeQuietly(channel);
    }

    private void dispatch(JsonNode msg) {
        if (msg.has("QMP")) {
            greeting.complete(msg.get("QMP"));
        } else if (msg.has("event")) {
            JsonNode ts = msg.path("timestamp");
            Instant when = Instant.ofEpochSecond(ts.path("seconds").asLong(0), ts.path("microseconds").asLong(0) * 1000);
            JsonNode data = msg.has("data") ? msg.get("data") : MAPPER.createObjectNode();
            // only this reader thread numbers events, so the count needs no lock here
            QmpEvent e = new QmpEvent(eventCount, msg.get("event").asText(), data, when);
            // listeners first: whoever wakes from awaitEvent can rely on them having seen it
            for (Consumer<QmpEvent> l : listeners) {
                try {
                    l.accept(e);
                } catch (RuntimeException ignored) {
                    // a listener's bug must not stop the reader
                }
            }
            synchronized (events) {
                eventCount++;
                events.addLast(e);
                if (events.size() > EVENT_HISTORY) {
                    events.removeFirst();
                }
                events.notifyAll();
            }
        } else if (msg.has("return") || msg.has("error")) {
            String id = msg.path("id").asText(null);
            Pending p = id == null ? null : pending.get(id);
            if (p == null) {
                return; // the answer of a call that timed out: dropped
            }
            if (msg.has("error")) {
                JsonNode err = msg.get("error");
                p.answer().completeExceptionally(new QmpException(p.command(),
                        err.path("class").asText("GenericError"), err.path("desc").asText("")));
            } else {
                p.answer().complete(msg.get("return"));
            }
        }
    }

    private void shutDown(QmpException reason) {
        synchronized (events) {
            if (closedBecause == null) {
                closedBecause = reason;
            }
            events.notifyAll();
        }
        greeting.completeExceptionally(closedBecause);
        for (Pending p : pending.values()) {
            p.answer().completeExceptionally(new QmpException(p.command(), closedBecause.errorClass(), closedBecause.desc()));
        }
    }

    private static QmpException asQmp(String command, Throwable t) {
        if (t instanceof QmpException q) {
            return q.command().equals(command) ? q : new QmpException(command, q.errorClass(), q.desc(), q);
        }
        return new QmpException(command, QmpException.PROTOCOL, String.valueOf(t), t);
    }

    private static void closeQuietly(SocketChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads the channel directly: Channels.newInputStream would hold the channel's blocking lock while blocked. */
    private static InputStream inputStream(SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n;
                do {
                    n = ch.read(ByteBuffer.wrap(b, off, len));
                } while (n == 0);
                return n;
            }
        };
    }
}

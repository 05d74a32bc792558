package net.sessionmigration.coordinator.cluster;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real ZooKeeper ensemble for tests: {@code n} servers, each its own JVM running ZooKeeper's
 * {@code QuorumPeerMain} from the ZooKeeper jar on this module's test classpath, on 127.0.0.1 with
 * free ports, data under a temporary folder. Servers are stopped by their pid (kill -9 when asked,
 * as a crashed machine) and can be started again on the same data.
 * <p>
 * Secured as the coordinator requires a production ensemble to be (README): a PKI of its own ({@link EnsemblePki}),
 * clients on {@code secureClientPort} only (no plaintext port), their certificate required and their subject their
 * id (ZooKeeper's x509 authentication provider), TLS between the servers too. {@link #tls()} is the coordinator's
 * side of it.
 * <p>
 * {@link Control} runs one as a process that another program controls (ClusterIT's test driver, the lab's
 * {@code lab/tests/cluster-test}); {@link #main} is that process.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
    private final Path dir;
    private final int[] clientPorts;
    private final Process[] servers;
    private final String classpath;
    private final List<List<String>> launchers;
    private final EnsemblePki pki;
    private SSLContext fourLetterTls;

    public ZooKeeperEnsemble(int n) throws IOException {
        this(n, List.of());
    }

    /**
     * @param launchers for server {@code i}, the command its {@code java} runs under (empty or absent: none), for
     *                  example {@code [lab/tools/in-cgroup, /sys/fs/cgroup/unified/sm-site-a]}
     */
    public ZooKeeperEnsemble(int n, List<List<String>> launchers) throws IOException {
        this.launchers = List.copyOf(launchers);
        dir = Files.createTempDirectory("sm-zk-");
        try {
            pki = EnsemblePki.create(dir.resolve("pki"));
        } catch (IOException | InterruptedException e) {
            deleteDir();
            throw new IOException("ZooKeeper ensemble: its PKI: " + e, e);
        }
        clientPorts = new int[n];
        servers = new Process[n];
        int[][] peerPorts = new int[n][2];
        Deque<Integer> ports = freePorts(3 * n);
        for (int i = 0; i < n; i++) {
            clientPorts[i] = ports.pop();
            peerPorts[i][0] = ports.pop();
            peerPorts[i][1] = ports.pop();
        }
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < n; i++) {
            peers.append("server.").append(i + 1).append("=127.0.0.1:").append(peerPorts[i][0]).append(':')
                    .append(peerPorts[i][1]).append('\n');
        }
        for (int i = 0; i < n; i++) {
            Path data = Files.createDirectories(dir.resolve("s" + (i + 1)));
            Files.writeString(data.resolve("myid"), Integer.toString(i + 1));
            List<String> cfg = new ArrayList<>(List.of(
                    "tickTime=500", "initLimit=20", "syncLimit=4", "dataDir=" + data,
                    // TLS only: no clientPort
                    "secureClientPort=" + clientPorts[i], "secureClientPortAddress=127.0.0.1",
                    "admin.enableServer=false", "4lw.commands.whitelist=ruok,srvr"));
            cfg.addAll(pki.serverConfig());
            Files.writeString(dir.resolve("zoo" + (i + 1) + ".cfg"), String.join("\n", cfg) + "\n" + peers);
        }
        classpath = classpathOf(org.apache.zookeeper.server.quorum.QuorumPeerMain.class, org.apache.jute.Record.class,
                org.slf4j.Logger.class, loggerBinding(),
                org.apache.yetus.audience.InterfaceAudience.class, org.apache.commons.io.FileUtils.class, com.codahale.metrics.Reservoir.class,
                org.xerial.snappy.SnappyInputStream.class,
                io.netty.channel.Channel.class, io.netty.handler.ssl.SslContext.class, io.netty.buffer.ByteBuf.class,
                io.netty.util.concurrent.Future.class, io.netty.resolver.AddressResolver.class,
                io.netty.handler.codec.ByteToMessageDecoder.class,
                // the Netty server (for TLS) asks Epoll.isAvailable(); without the native library it is not: NIO
                io.netty.channel.epoll.Epoll.class, io.netty.channel.unix.Socket.class);
        for (int i = 0; i < n; i++) {
            start(i);
        }
    }

    /** The coordinator's mutual TLS to this ensemble (its certificate, subject {@code CN=coordinator}). */
    public ZooKeeperTls tls() {
        return pki.coordinator();
    }

    /**
     * The folder of the coordinator's TLS files, for another process: {@code client.p12}, {@code truststore.p12} and
     * {@code store.pass} (their password, mode 0600); {@link EnsemblePki#clientIn(Path)} reads it.
     */
    public Path tlsDir() {
        return pki.clientDir();
    }

    /** The whole PKI: also certificates that the servers refuse or that ACLs shut out. */
    EnsemblePki pki() {
        return pki;
    }

    /** {@code 127.0.0.1:p1,127.0.0.1:p2,…} */
    public String connect() {
        StringJoiner j = new StringJoiner(",");
        for (int p : clientPorts) {
            j.add("127.0.0.1:" + p);
        }
        return j.toString();
    }

    public void start(int i) throws IOException {
        List<String> command = new ArrayList<>(i < launchers.size() ? launchers.get(i) : List.of());
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1",
                // empty container znodes go within a second here (a minute by default), so tests see it
                "-Dznode.container.checkIntervalMs=250", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                dir.resolve("zoo" + (i + 1) + ".cfg").toString()));
        servers[i] = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("s" + (i + 1) + ".log").toFile()).start();
    }

    /** The servers' pids (0 for a server not running). */
    public long[] pids() {
        long[] pids = new long[servers.length];
        for (int i = 0; i < servers.length; i++) {
            Process p = servers[i];
            pids[i] = p != null && p.isAlive() ? p.pid() : 0;
        }
        return pids;
    }

    /** Kills server {@code i} (0-based) with SIGKILL, as a machine that dies. */
    public void kill(int i) throws InterruptedException {
        Process p = servers[i];
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            servers[i] = null;
        }
    }

    /** Polls {@code condition} every 50 ms until it holds; fails naming {@code what} after {@code timeout}. */
    public static void await(Duration timeout, java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits until {@code count} servers answer {@code srvr} as leader or follower, asked over TLS with the
     * coordinator's certificate (the servers have no other port).
     */
    public void awaitServing(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int serving = 0;
            for (int p : clientPorts) {
                String mode = fourLetters(p, "srvr");
                if (mode.contains("Mode: leader") || mode.contains("Mode: follower")) {
                    serving++;
                }
            }
            if (serving >= count) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("ZooKeeper ensemble " + connect() + ": fewer than " + count
                + " servers serving after " + timeout + "; the end of each server's log:\n" + logTails());
    }

    private String logTails() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= servers.length; i++) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve("s" + i + ".log"));
                b.append("server ").append(i).append(":\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
            } catch (IOException e) {
                b.append("server ").append(i).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    /** What the server on {@code port} answers to {@code cmd}; empty when it does not. */
    private String fourLetters(int port, String cmd) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (SSLSocket s = (SSLSocket) fourLetterTls().getSocketFactory().createSocket()) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the server's certificate names 127.0.0.1
            s.setSSLParameters(p);
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            s.setSoTimeout(1_000);
            s.getOutputStream().write(cmd.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
            }
        } catch (IOException | GeneralSecurityException e) {
            // not serving (yet), or it closed without a TLS goodbye after answering: what came is the answer
        }
        return answer.toString(StandardCharsets.US_ASCII);
    }

    /** The coordinator's key and trust, as a JDK TLS context for the four-letter words. */
    private synchronized SSLContext fourLetterTls() throws IOException, GeneralSecurityException {
        if (fourLetterTls == null) {
            ZooKeeperTls tls = tls();
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(pkcs12(tls.keystore(), tls.keystorePassword()), tls.keystorePassword().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(pkcs12(tls.truststore(), tls.truststorePassword()));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            fourLetterTls = context;
        }
        return fourLetterTls;
    }

    private static KeyStore pkcs12(Path file, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < servers.length; i++) {
            kill(i);
        }
        deleteDir();
    }

    private void deleteDir() {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} distinct free ports: every socket stays open until all are taken, so none comes twice. */
    private static Deque<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> open = new ArrayList<>();
        try {
            Deque<Integer> ports = new ArrayDeque<>();
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                open.add(s);
                ports.add(s.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    /** Whichever SLF4J 1.7 binding the caller has (slf4j-simple in tests, slf4j-nop in the benchmarks). */
    private static Class<?> loggerBinding() {
        try {
            return Class.forName("org.slf4j.impl.StaticLoggerBinder");
        } catch (ClassNotFoundException e) {
            return org.slf4j.Logger.class; // none: the servers log nothing
        }
    }

    private static String classpathOf(Class<?>... classes) {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> c : classes) {
            try {
                jars.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(c + ": " + e, e);
            }
        }
        return String.join(java.io.File.pathSeparator, new ArrayList<>(jars));
    }

    /**
     * A 3-server ensemble as a process: {@code java -cp <the coordinator's test-jar and its test class path>
     * net.sessionmigration.coordinator.cluster.ZooKeeperEnsemble}. Prints one line when the three servers serve,
     * {@code ZooKeeper ensemble connect=127.0.0.1:p1,... control=PORT pids=a,b,c tls=DIR}, then runs until
     * {@code close} on the control socket or SIGTERM (both stop the servers by pid). DIR holds the coordinator's TLS
     * files ({@link #tlsDir()}: {@code client.p12}, {@code truststore.p12}, {@code store.pass}); the ensemble
     * accepts no client without them.
     * <p>
     * {@code --in-cgroups TOOL GROUP1,GROUP2,GROUP3}: server {@code i} runs as {@code TOOL GROUPi java …}
     * ({@code lab/tools/in-cgroup}), so that a test can cut one server's network off.
     */
    public static void main(String[] args) throws Exception {
        List<List<String>> launchers = new ArrayList<>();
        if (args.length == 3 && args[0].equals("--in-cgroups")) {
            for (String group : args[2].split(",")) {
                launchers.add(List.of(args[1], group));
            }
        } else if (args.length != 0) {
            System.err.println("usage: ZooKeeperEnsemble [--in-cgroups TOOL GROUP1,GROUP2,GROUP3]");
            System.exit(2);
        }
        Control control = Control.started(Duration.ofSeconds(120), launchers);
        StringJoiner pids = new StringJoiner(",");
        for (long pid : control.servers.pids()) {
            pids.add(Long.toString(pid));
        }
        System.out.println("ZooKeeper ensemble connect=" + control.connect() + " control=" + control.port() + " pids=" + pids
                + " tls=" + control.tlsDir());
        System.out.flush();
        control.awaitClosed();
    }

    /**
     * Three servers serving and a control socket on 127.0.0.1 that takes one command per connection and answers
     * one line, {@code ok} when done: {@code kill N}, {@code start N} (N = 0, 1, 2) and {@code close}. Closed by
     * {@code close}, or when the JVM exits.
     */
    public static final class Control {
        private final ZooKeeperEnsemble servers;
        private final ServerSocket control;
        private final CountDownLatch closedLatch = new CountDownLatch(1);
        private boolean closed;

        private Control(Duration wait, List<List<String>> launchers) throws Exception {
            servers = new ZooKeeperEnsemble(3, launchers);
            try {
                servers.awaitServing(3, wait);
                control = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            } catch (Exception | Error e) { // an Error too (a class missing from the caller's class path):
                servers.close();               // else the three servers outlive the test
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(this::close, "zookeeper-ensemble-close"));
            Thread serving = new Thread(this::serve, "zookeeper-ensemble-control");
            serving.setDaemon(true);
            serving.start();
        }

        /** Starts the servers, waits up to {@code wait} until all three serve, opens the control socket. */
        public static Control started(Duration wait) throws Exception {
            return new Control(wait, List.of());
        }

        /** As {@link #started(Duration)}, server {@code i} under {@code launchers[i]}. */
        public static Control started(Duration wait, List<List<String>> launchers) throws Exception {
            return new Control(wait, launchers);
        }

        public String connect() {
            return servers.connect();
        }

        /** The coordinator's TLS files: {@link ZooKeeperEnsemble#tlsDir()}. */
        public Path tlsDir() {
            return servers.tlsDir();
        }

        /** The control socket's port on 127.0.0.1. */
        public int port() {
            return control.getLocalPort();
        }

        public void awaitClosed() throws InterruptedException {
            closedLatch.await();
        }

        private void serve() {
            while (!control.isClosed()) {
                try (Socket s = control.accept()) {
                    String command = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
                    Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
                    out.write(answer(command) + "\n");
                    out.flush();
                } catch (IOException e) {
                    // the control socket closed, or the client went away mid-command
                }
            }
        }

        private String answer(String command) {
            String[] words = String.valueOf(command).trim().split(" ");
            try {
                switch (words[0]) {
                    case "kill" -> servers.kill(Integer.parseInt(words[1]));
                    case "start" -> servers.start(Integer.parseInt(words[1]));
                    case "close" -> close();
                    default -> {
                        return "unknown command: " + command;
                    }
                }
                return "ok";
            } catch (Exception e) {
                return command + ": " + e;
            }
        }

        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                control.close();
            } catch (IOException e) {
                // closing anyway
            }
            try {
                servers.close();
            } catch (Exception e) {
                System.err.println("ZooKeeperEnsemble: closing the ensemble: " + e);
            }
            closedLatch.countDown();
        }
    }

    List<Integer> clientPorts() {
        List<Integer> l = new ArrayList<>();
        for (int p : clientPorts) {
            l.add(p);
        }
        return l;
    }
}

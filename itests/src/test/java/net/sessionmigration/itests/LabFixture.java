package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real lab for tests that run inside Karaf: brings it up (and down again if it was down),
 * holds the lab's lock while the test runs, reads its description and credentials, and runs
 * its tools with argument lists. Never prints a secret.
 */
final class LabFixture implements AutoCloseable {
    /** The migration daemons' addresses on the lab's management network (lab/daemons/daemons). */
    static final String MAIN_DAEMON = "https://10.99.0.11:7443";
    static final String BACKUP_DAEMON = "https://10.99.0.12:7443";
    static final String PROBE_DAEMON = "https://10.99.0.31:7443";

    private final Path root = Path.of(System.getProperty("sm.root"));
    private final boolean wasUp;
    private Process lock;

    /**
     * Takes the lab lock first and holds it to {@link #close}: another checkout's test must not
     * rebuild the lab between our {@code up}, our daemons' start and our migration.
     */
    LabFixture() throws Exception {
        lock();
        wasUp = Files.exists(path("lab/run/lab.env"));
        run(120, "lab/lab", "up");
    }

    Path path(String relative) {
        return root.resolve(relative);
    }

    /**
     * While held, nobody's lab/lab command rebuilds the lab under the test: {@code lab/lab hold}
     * takes the machine-wide lab lock (defined once, in lab/lib/common.sh) and keeps it until its
     * standard input closes.
     */
    void lock() throws IOException {
        if (lock != null) {
            return;
        }
        lock = new ProcessBuilder(path("lab/lab").toString(), "hold").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(lock.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null && !line.equals("locked")) {
            // "lab: waiting for another lab command or test run": it waits, as lab/lab does
        }
        assertEquals("the lab lock (lab/lab hold)", "locked", line);
    }

    Map<String, String> env(String file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path("lab/run/" + file))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replace("\"", ""));
            }
        }
        return out;
    }

    /** The lab CA's key and trust stores for the coordinator ({@code lab/daemons/daemons certs}). */
    Path pki() {
        return path("lab/run/daemons/pki");
    }

    /**
     * A POST of {@code {}} to a daemon with the coordinator's certificate (mutual TLS), as an
     * operator's deployment would start a workload; fails unless the daemon answers 200. Starting
     * a VM takes seconds under TCG, hence the long request timeout.
     */
    void postToDaemon(String url) throws Exception {
        Path pki = pki();
        char[] password = Files.readString(pki.resolve("store.pass")).trim().toCharArray();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(pki.resolve("coordinator.p12"), password), password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keyStore(pki.resolve("truststore.p12"), password));
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        HttpResponse<String> answer = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build()
                .send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(150)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(url + ": " + answer.body(), 200, answer.statusCode());
    }

    private static KeyStore keyStore(Path file, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    /** Runs a program (the first word relative to the repository if it is one of ours). */
    String run(int timeoutSeconds, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(command));
        if (Files.exists(path(command[0]))) {
            args.set(0, path(command[0]).toString());
        }
        ProcessBuilder pb = new ProcessBuilder(args).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("LAB_LOCK_HELD", "1"); // we hold it (lock()); lab/lab must not wait for itself
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", command) + " did not finish", p.waitFor(timeoutSeconds, TimeUnit.SECONDS));
        assertEquals(String.join(" ", command) + " failed (needs root; run lab/setup): " + out, 0, p.exitValue());
        return out;
    }

    /** Like {@link #run} but for clean-up: a failure is not the test's verdict. */
    void quietly(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // clean-up goes on
        }
    }

    /** A user's client streaming from v:port into a JSON record, until stopped. */
    UserClient user(String namespace, String vip, int port, int seconds) throws IOException {
        Path record = Files.createTempFile("user-" + namespace, ".json");
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, path("lab/tools/user-client").toString(),
                "--host", vip, "--port", Integer.toString(port), "--duration", Integer.toString(seconds),
                "--out", record.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new UserClient(p, record);
    }

    record UserClient(Process process, Path record) {
        /** Stops the client (SIGTERM) and returns what the user saw (the temporary record is removed). */
        String stop() throws Exception {
            process.destroy();
            assertTrue("user client did not stop", process.waitFor(15, TimeUnit.SECONDS));
            try {
                return Files.readString(record);
            } finally {
                Files.deleteIfExists(record);
            }
        }
    }

    /**
     * A user client's record ({@link UserClient#stop}) says the session was kept: the verdict the
     * client wrote with the lab's one definition (lab/tools/session_verdict.py).
     */
    static void assertSessionKept(String seen) {
        assertTrue(seen, Pattern.compile("\"verdict\":\\s*\\{\\s*\"kept\":\\s*true").matcher(seen).find());
    }

    @Override
    public void close() throws Exception {
        try {
            if (!wasUp) {
                run(120, "lab/lab", "down");
            }
        } finally {
            if (lock != null) {
                lock.getOutputStream().close();
                lock.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}

package net.sessionmigration.daemondriver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.WorkloadTask;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.WorkloadState;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.OperationAnswer;
import net.sessionmigration.daemon.protocol.StartAnswer;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

/**
 * Drives the two lab daemons through {@link CriuDaemonMover}, as the coordinator would, for the
 * system tests and the benchmark (lab/tests/daemon-system-test.sh, lab/bench/daemon-bench.sh).
 * The users' ports are moved by {@code ip -n SW link set PORT master BR} between migrate and
 * resume (test code; the product does it with a VLAN driver).
 *
 * <pre>
 * java -cp ... DaemonScenario SCENARIO   with environment:
 *   SCENARIO  start | move | replicate | wrong-order | rollback-S703 | rollback-S704 | rollback-S705
 *             | state | unauth | badnames
 *   DAEMONS_RUN (pki), TEST_CTL_SRC, TEST_CTL_DST, TEST_VIP, TEST_SW_NS, MOVE_PORTS="p1 p2",
 *   TEST_BR_BACKUP, TARGET_CLIENTS="10.x.y.z,...", MIGRATION_ID
 * </pre>
 * Prints one JSON line of timings; exits 1 on any failure.
 */
public final class DaemonScenario {
    private DaemonScenario() {
    }

    static String env(String k, String def) {
        return LabDaemons.env(k, def);
    }

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        Path pki = LabDaemons.pki();
        char[] pw = LabDaemons.storePassword();
        Map<String, String> urls = LabDaemons.servers();
        DaemonClient client = LabDaemons.client(Duration.ofSeconds(60));
        CriuDaemonMover mover = new CriuDaemonMover(client);
        MigrationMode mode = scenario.equals("replicate") ? MigrationMode.REPLICATE : MigrationMode.MOVE;
        WorkloadTask task = new WorkloadTask(env("MIGRATION_ID", "m" + System.currentTimeMillis()), "stream",
                new Server("main-srv", "main"), new Server("bak-srv", "backup"), new VirtualIp(env("TEST_VIP", "10.20.0.100")),
                mode, true, true, Map.of(CriuDaemonMover.OPTION_TARGET_CLIENTS, env("TARGET_CLIENTS", ""),
                CriuDaemonMover.OPTION_POST_COPY, env("POST_COPY", "false")));
        DriverContext ctx = DriverContext.detached(task.migrationId());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scenario", scenario);
        long t0 = System.nanoTime();
        switch (scenario) {
            case "start" -> out.put("start", client.post("main-srv", "/v1/workloads/stream/start", Map.of(), StartAnswer.class).summary());
            case "state" -> out.put("state", mover.state(task).orElseThrow());
            case "move", "replicate", "wrong-order" -> {
                // warm this JVM's TLS, HTTP client and JSON paths, as a long-lived Karaf driver is
                for (int i = 0; i < Integer.parseInt(env("WARMUP", "3")); i++) {
                    mover.preflight(task);
                    mover.state(task);
                }
                var pre = mover.preflight(task).orElseThrow();
                if (!pre.go()) {
                    throw new IllegalStateException("preflight: " + pre.problems());
                }
                out.put("expected_ms", pre.expectedDuration().toMillis());
                long f0 = System.nanoTime();
                out.put("t_freeze_unix", System.currentTimeMillis() / 1000.0);
                step(out, "S703", mover.freeze(task, ctx));
                step(out, "S704", mover.migrate(task, ctx));
                step(out, "S705", mover.moveVirtualIp(task, ctx));
                if (scenario.equals("wrong-order")) {
                    step(out, "S710", mover.resume(task, ctx));
                    movePorts(out);
                } else {
                    movePorts(out);
                    step(out, "S710", mover.resume(task, ctx));
                }
                out.put("freeze_to_resume_ms", (System.nanoTime() - f0) / 1_000_000);
                step(out, "announce", mover.announce(task, ctx));
                out.put("state", mover.state(task).orElseThrow());
                WorkloadState want = mode == MigrationMode.REPLICATE ? WorkloadState.RUNNING_AT_BOTH : WorkloadState.RUNNING_AT_TARGET;
                if (mover.state(task).orElseThrow() != want) {
                    throw new IllegalStateException("state is not " + want);
                }
            }
            case "rollback-S703", "rollback-S704", "rollback-S705" -> {
                Step reached = Step.valueOf(scenario.substring(9));
                out.put("t_freeze_unix", System.currentTimeMillis() / 1000.0);
                step(out, "S703", mover.freeze(task, ctx));
                if (reached.compareTo(Step.S704) >= 0) {
                    step(out, "S704", mover.migrate(task, ctx));
                }
                if (reached.compareTo(Step.S705) >= 0) {
                    step(out, "S705", mover.moveVirtualIp(task, ctx));
                }
                step(out, "rollback", mover.rollback(task, reached, ctx));
                // idempotent: a second rollback (coordinator crash) changes nothing
                step(out, "rollback-again", mover.rollback(task, reached, ctx));
                WorkloadState s = mover.state(task).orElseThrow();
                out.put("state", s);
                if (s != WorkloadState.RUNNING_AT_SOURCE) {
                    throw new IllegalStateException("after rollback the state is " + s);
                }
            }
            case "unauth" -> {
                // No client certificate: trusts the CA, but has no key.
                SSLContext noCert = SSLContext.getInstance("TLSv1.3");
                var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                var ts = java.security.KeyStore.getInstance("PKCS12");
                try (var in = java.nio.file.Files.newInputStream(pki.resolve("truststore.p12"))) {
                    ts.load(in, pw);
                }
                tmf.init(ts);
                noCert.init(null, tmf.getTrustManagers(), null);
                HttpClient http = HttpClient.newBuilder().sslContext(noCert).build();
                for (String u : urls.values()) {
                    try {
                        http.send(HttpRequest.newBuilder(URI.create(u + "/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
                        throw new IllegalStateException(u + " answered a client without certificate");
                    } catch (java.io.IOException expected) {
                        out.put("refused " + u, expected.getClass().getSimpleName());
                    }
                }
            }
            case "badnames" -> {
                List<String> bad = List.of("a;%20rm%20-rf", "%24(reboot)", "a%20b", "..%2Fetc", "..");
                List<String> answered = new ArrayList<>();
                for (String b : bad) {
                    for (String p : List.of("/v1/workloads/" + b + "/state", "/v1/migrations/" + b + "/freeze")) {
                        try {
                            if (p.contains("migrations")) {
                                client.post("main-srv", p, Map.of("workload", "stream", "vip", env("TEST_VIP", "10.20.0.100")),
                                        OperationAnswer.class);
                            } else {
                                client.get("main-srv", p, WorkloadStateAnswer.class);
                            }
                            throw new IllegalStateException(p + " was accepted");
                        } catch (DaemonClient.DaemonException e) {
                            if (!e.getMessage().contains(" 400") && !e.getMessage().contains(" 404")) {
                                throw new IllegalStateException(p + ": " + e.getMessage());
                            }
                            answered.add(e.getMessage().contains(" 400") ? "400" : "404");
                        }
                    }
                }
                try {
                    client.post("main-srv", "/v1/migrations/x1/freeze", Map.of("workload", "; rm -rf /", "vip", "1.2.3.4"),
                            OperationAnswer.class);
                    throw new IllegalStateException("bad workload in body accepted");
                } catch (DaemonClient.DaemonException e) {
                    answered.add(e.getMessage().contains(" 400") ? "400" : e.getMessage());
                }
                out.put("answers", answered);
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        out.put("total_ms", (System.nanoTime() - t0) / 1_000_000);
        out.put("t_end_unix", System.currentTimeMillis() / 1000.0);
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(out));
    }

    private static void step(Map<String, Object> out, String name, Result<OpReport> r) {
        OpReport rep = r.orElseThrow();
        out.put(name, rep.measurements().isEmpty() ? rep.summary() : rep.measurements());
    }

    private static void movePorts(Map<String, Object> out) throws Exception {
        movePorts(out, env("TEST_BR_BACKUP", "br-v2"));
    }

    /** Moves MOVE_PORTS of TEST_SW_NS into bridge {@code br}; records how long it took and when. */
    static void movePorts(Map<String, Object> out, String br) throws Exception {
        String sw = env("TEST_SW_NS", "sm-sw1");
        long t0 = System.nanoTime();
        for (String port : env("MOVE_PORTS", "").split("\\s+")) {
            if (port.isEmpty()) {
                continue;
            }
            Process p = new ProcessBuilder("ip", "-n", sw, "link", "set", port, "master", br).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("port move of " + port + " failed");
            }
        }
        out.put("S708_port_move_ms", (System.nanoTime() - t0) / 1_000_000);
        out.put("S708_at", Instant.now().toString());
    }
}

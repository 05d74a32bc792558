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
import net.sessionmigration.daemon.protocol.ErrorAnswer;
import net.sessionmigration.daemon.protocol.HealthAnswer;
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
 *             | state | unauth | badnames | discard-at-target | fenced | health
 *   DAEMONS_RUN (pki), TEST_CTL_SRC, TEST_CTL_DST, TEST_VIP, TEST_SW_NS, MOVE_PORTS="p1 p2",
 *   TEST_BR_BACKUP, TARGET_CLIENTS="10.x.y.z,...", MIGRATION_ID,
 *   EPOCH (the coordinator's epoch the driver is given, default 0: a coordinator alone)
 * </pre>
 * {@code discard-at-target}: bak-srv's discard of MIGRATION_ID at EPOCH (nothing there to discard
 * after a reset): the target has seen EPOCH before a move, whose calls from main-srv to bak-srv
 * (page server, image, restore) then pass only if main-srv sends the move's epoch on.
 * {@code fenced}: after a move of MIGRATION_ID at a higher epoch, a deposed leader at EPOCH calls
 * again: its rollback is refused by both daemons (409 {@code fenced} naming both epochs), each
 * counts one refusal per call, and the workload still runs at the target. {@code health}: each
 * daemon's highest epoch and refusals.
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
        DriverContext ctx = atEpoch(task.migrationId(), Long.parseLong(env("EPOCH", "0")));
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
            case "health" -> {
                for (String server : List.of(LabDaemons.MAIN, LabDaemons.BACKUP)) {
                    HealthAnswer h = client.get(server, "/v1/health", HealthAnswer.class);
                    out.put(server, Map.of("epoch", h.epoch(), "fencedRefusals", h.fencedRefusals()));
                }
            }
            case "discard-at-target" -> {
                out.put("discard", client.withEpoch(ctx.epoch()).post(LabDaemons.BACKUP,
                        CriuDaemonMover.path(task, "discard"), CriuDaemonMover.body(task), OperationAnswer.class).summary());
                out.put("epoch", health(client, LabDaemons.BACKUP).epoch());
            }
            case "fenced" -> fenced(client, mover, task, ctx, out);
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

    /** The context of a coordinator at {@code epoch} (0: alone) that drops progress and operations. */
    static DriverContext atEpoch(String migrationId, long epoch) {
        DriverContext detached = DriverContext.detached(migrationId);
        return new DriverContext() {
            @Override
            public String migrationId() {
                return migrationId;
            }

            @Override
            public void progress(String message) {
                detached.progress(message);
            }

            @Override
            public void operation(String device, String operation, java.time.Instant start, java.time.Instant end,
                                  String outcome) {
                detached.operation(device, operation, start, end, outcome);
            }

            @Override
            public long epoch() {
                return epoch;
            }
        };
    }

    /**
     * A deposed leader (at {@code ctx}'s epoch, below the one the daemons have seen) calls after
     * the move: first the source's rollback straight through the client (409, kind fenced, both
     * epochs named; main-srv counts one refusal, bak-srv none), then the driver's whole rollback
     * (each daemon refuses its part and counts one more). The workload still runs at the target.
     */
    private static void fenced(DaemonClient client, CriuDaemonMover mover, WorkloadTask task, DriverContext ctx,
                               Map<String, Object> out) throws Exception {
        long main0 = health(client, LabDaemons.MAIN).fencedRefusals();
        long backup0 = health(client, LabDaemons.BACKUP).fencedRefusals();
        long highest = health(client, LabDaemons.MAIN).epoch();
        if (highest <= ctx.epoch()) {
            throw new IllegalStateException("main-srv's epoch is " + highest + ", not above " + ctx.epoch() + ": run a move"
                    + " at a higher EPOCH first");
        }
        String words = "epoch " + ctx.epoch() + " is below " + highest;
        try {
            client.withEpoch(ctx.epoch()).post(LabDaemons.MAIN, CriuDaemonMover.path(task, "rollback"),
                    CriuDaemonMover.body(task), OperationAnswer.class);
            throw new IllegalStateException("main-srv accepted a rollback at epoch " + ctx.epoch());
        } catch (DaemonClient.DaemonException e) {
            String kind = e.answer().map(ErrorAnswer::kind).orElse(null);
            if (e.status() != 409 || !ErrorAnswer.FENCED.equals(kind) || !e.getMessage().contains(words)) {
                throw new IllegalStateException("not a refusal of a lower epoch: " + e.getMessage(), e);
            }
            out.put("refused", e.getMessage());
        }
        expectRefusals(client, main0 + 1, backup0, highest);
        Result<OpReport> r = mover.rollback(task, Step.S705, ctx);
        if (r.isOk() || !r.failure().orElseThrow().cause().contains(words)) {
            throw new IllegalStateException("the driver's rollback at epoch " + ctx.epoch() + ": " + r);
        }
        out.put("driver", r.failure().orElseThrow().toString());
        expectRefusals(client, main0 + 2, backup0 + 1, highest);
        WorkloadState s = mover.state(task).orElseThrow();
        out.put("state", s);
        if (s != WorkloadState.RUNNING_AT_TARGET) {
            throw new IllegalStateException("after the refused calls the state is " + s);
        }
    }

    private static HealthAnswer health(DaemonClient client, String server) throws DaemonClient.DaemonException {
        return client.get(server, "/v1/health", HealthAnswer.class);
    }

    /** Each daemon's refusals since it started are these, and neither forgot the highest epoch. */
    private static void expectRefusals(DaemonClient client, long main, long backup, long highest)
            throws DaemonClient.DaemonException {
        for (Map.Entry<String, Long> e : Map.of(LabDaemons.MAIN, main, LabDaemons.BACKUP, backup).entrySet()) {
            HealthAnswer h = health(client, e.getKey());
            if (h.fencedRefusals() != e.getValue().longValue() || h.epoch() != highest) {
                throw new IllegalStateException(e.getKey() + " says epoch " + h.epoch() + ", " + h.fencedRefusals()
                        + " refusal(s); expected epoch " + highest + ", " + e.getValue());
            }
        }
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

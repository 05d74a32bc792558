package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.coordinator.cluster.ZooKeeperEnsemble;

/**
 * [ha] The coordinator of the assembly as one member of a cluster on a real ZooKeeper ensemble: three
 * servers, each its own JVM ({@link ZooKeeperEnsemble} of the coordinator's tests), on 127.0.0.1, reached over
 * mutual TLS only (the ensemble's own PKI; the coordinator's {@code zookeeper.tls.*} keys name its files, which
 * also proves that ZooKeeper's Netty client, epoll check included, resolves in Karaf). On the
 * assembly as shipped (the coordinator booted alone, journal.store = local) it proves that
 * {@code feature:install sm-cluster} rewires the running coordinator to Curator and ZooKeeper (its optional
 * imports); that, configured with journal.store = zookeeper, it leads with an epoch and
 * {@code migration:cluster --json} says so; that a plan migrates through the journal in ZooKeeper and
 * {@code migration:history} shows it; that with two of the three servers killed {@code migration:cluster}
 * says why no migration starts and a start is refused for that reason, by the service and by
 * {@code migration:start}; and that with them back it leads again under a higher epoch, the migration still in
 * the history it reloaded from ZooKeeper.
 * <p>
 * Pax Exam runs the test method inside Karaf, which has neither the ensemble's class nor the servers' jars:
 * the ensemble runs in the test driver's JVM ({@link ZooKeeperEnsemble.Control}), started when Pax Exam asks for the
 * configuration, and the test kills and starts its servers by one-line commands on a socket bound to
 * 127.0.0.1. Waits are bounded polls; nothing asserts a duration.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClusterIT extends SessionMigrationTestSupport {
    private static final String PID = "net.sessionmigration.coordinator";
    private static final String CONNECT = "sm.itest.zookeeper.connect";
    private static final String CONTROL = "sm.itest.zookeeper.control";
    /** The folder of the coordinator's TLS files: client.p12, truststore.p12, store.pass (the ensemble's PKI). */
    private static final String TLS = "sm.itest.zookeeper.tls";
    private static final String MEMBER = "site-a";
    private static final String PLAN = "clustered";

    private static final Predicate<JsonNode> LEADS = c -> c.path("clustered").asBoolean()
            && c.path("leading").asBoolean() && Set.of("CONNECTED", "RECONNECTED").contains(c.path("zookeeper").asText());

    @Configuration
    @Override
    public Option[] config() {
        ZooKeeperEnsemble.Control ensemble = Ensemble.started(); // in the test driver, before Karaf starts
        return OptionUtils.combine(super.config(),
                systemProperty(CONNECT).value(ensemble.connect()),
                systemProperty(CONTROL).value(Integer.toString(ensemble.port())),
                systemProperty(TLS).value(ensemble.tlsDir().toString()));
    }

    @Test
    public void aMemberOfARealEnsembleLeadsMigratesAndStartsNothingWithoutAQuorum() throws Exception {
        try {
            installSimulatedDrivers();
            Set<String> alone = packageProviders("sm-coordinator");
            assertFalse("wired to Curator before sm-cluster: " + alone, alone.contains("curator-framework"));
            String installed = execute("feature:install sm-cluster");
            Set<String> providers = packageProviders("sm-coordinator");
            assertTrue("feature:install sm-cluster printed [" + installed + "]; the coordinator's packages come from "
                    + providers, providers.containsAll(Set.of("curator-client", "curator-framework", "curator-recipes",
                            "org.apache.zookeeper")));
            joinTheEnsemble();

            JsonNode first = awaitCluster(MEMBER + " to lead", LEADS);
            assertEquals(first.toString(), MEMBER, first.path("member").asText());
            assertEquals(first.toString(), MEMBER, first.path("leader").asText());
            assertEquals(first.toString(), "CONNECTED", first.path("zookeeper").asText());
            assertTrue(first.toString(), first.path("members").toString().contains("\"" + MEMBER + "\""));
            long epoch = first.path("epoch").asLong();
            assertTrue(first.toString(), epoch >= 1);

            String id = migrateSimulatedPlan();
            String history = execute("migration:history --no-format");
            assertTrue(history, history.contains(id));

            ensemble("kill 1");
            ensemble("kill 2");
            String why = awaitText("migration:cluster", "no ZooKeeper quorum");
            assertTrue(why, why.contains("no migration starts here"));
            Result<String> notStarted = service(MigrationAdminService.class).start(StartRequest.of(PLAN, "itest"), e -> { });
            assertTrue(notStarted.toString(), notStarted instanceof Result.Failed<String> f
                    && f.problem().cause().contains("no ZooKeeper quorum"));
            String refused = execute("migration:start " + PLAN);
            assertTrue(refused, refused.contains("no ZooKeeper quorum"));
            assertFalse(refused, refused.contains("started by"));

            ensemble("start 1");
            ensemble("start 2");
            JsonNode again = awaitCluster(MEMBER + " to lead again", LEADS);
            assertEquals(again.toString(), MEMBER, again.path("leader").asText());
            assertTrue(again + " after epoch " + epoch, again.path("epoch").asLong() > epoch);
            String reloaded = execute("migration:history " + id);
            assertTrue(reloaded, reloaded.contains("SUCCEEDED"));
        } finally {
            try {
                ensemble("close");
            } catch (IOException | AssertionError e) {
                // closed already; the driver closes it when its JVM exits in any case
            }
        }
    }

    /** Symbolic names of the bundles that the bundle's package imports are wired to now. */
    private Set<String> packageProviders(String symbolicName) {
        Bundle bundle = Arrays.stream(bundleContext.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElseThrow(() -> new AssertionError(symbolicName + " not installed"));
        return bundle.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE).stream()
                .map(w -> w.getProvider().getSymbolicName()).collect(Collectors.toSet());
    }

    /**
     * journal.store = zookeeper on the ensemble, with a short session, over mutual TLS with the ensemble's certificate
     * for the coordinator (passwords by file reference, as in production); the plans folder of the other ITs.
     */
    private void joinTheEnsemble() throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        props.put("plans.dir", plansDir().toString());
        props.put("journal.store", "zookeeper");
        props.put("zookeeper.connect", System.getProperty(CONNECT));
        props.put("cluster.member", MEMBER);
        props.put("zookeeper.session.timeout.millis", "4000");
        Path tls = Path.of(System.getProperty(TLS));
        props.put("zookeeper.tls.keystore", tls.resolve("client.p12").toString());
        props.put("zookeeper.tls.keystorePasswordRef", "file:" + tls.resolve("store.pass"));
        props.put("zookeeper.tls.truststore", tls.resolve("truststore.p12").toString());
        props.put("zookeeper.tls.truststorePasswordRef", "file:" + tls.resolve("store.pass"));
        c.update(props);
    }

    /**
     * Runs a simulated plan to the end and returns its id. The coordinator's services are looked up now:
     * the ones injected at the start belong to the component before sm-cluster and the configuration.
     */
    private String migrateSimulatedPlan() throws Exception {
        writePlan(PLAN + ".json", Plans.simulated(PLAN, "MOVE"));
        MigrationService service = service(MigrationService.class);
        waitFor("plan " + PLAN, () -> service.plan(PLAN).map(PlanStatus::runnable).orElse(false));
        MigrationAdminService runs = service(MigrationAdminService.class);
        String id = runs.start(StartRequest.of(PLAN, "itest"), e -> { }).orElseThrow();
        MigrationRecord done = runs.await(id, Duration.ofSeconds(30)).orElseThrow();
        assertEquals(done.toString(), MigrationState.SUCCEEDED, done.state());
        return id;
    }

    private <T> T service(Class<T> type) {
        ServiceReference<T> ref = bundleContext.getServiceReference(type);
        assertTrue(type.getSimpleName() + " registered", ref != null);
        return bundleContext.getService(ref);
    }

    /** Polls {@code migration:cluster --json} until the status is as wanted; returns it. */
    private JsonNode awaitCluster(String what, Predicate<JsonNode> wanted) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        long deadline = System.nanoTime() + WAIT.toNanos();
        String shown = "";
        while (System.nanoTime() < deadline) {
            shown = execute("migration:cluster --json");
            try {
                JsonNode status = mapper.readTree(shown);
                if (wanted.test(status)) {
                    return status;
                }
            } catch (IOException notJson) {
                // the command is not back yet while the component restarts
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what
                + "; migration:cluster --json printed: " + shown);
    }

    /** Polls a command until what it prints contains the text; returns that. */
    private String awaitText(String command, String text) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String shown = execute(command);
        while (!shown.contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for `" + command
                        + "` to say \"" + text + "\"; it printed: " + shown);
            }
            Thread.sleep(200);
            shown = execute(command);
        }
        return shown;
    }

    /** One command to the ensemble in the test driver's JVM ({@link Ensemble}), which answers "ok" when done. */
    private static void ensemble(String command) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.getInteger(CONTROL))) {
            s.setSoTimeout((int) Duration.ofMinutes(1).toMillis());
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            out.write(command + "\n");
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("ZooKeeper ensemble, " + command, "ok", answer);
        }
    }

    /**
     * The ensemble in the test driver's JVM (never loaded inside Karaf): {@link ZooKeeperEnsemble.Control}, three
     * servers serving before Karaf starts and its control socket on 127.0.0.1 ({@code kill N}, {@code start N},
     * {@code close}). Closed by the test's {@code close}, or when the driver's JVM exits if the test never got there.
     */
    static final class Ensemble {
        private static ZooKeeperEnsemble.Control started;

        private Ensemble() {
        }

        static synchronized ZooKeeperEnsemble.Control started() {
            if (started == null) {
                try {
                    started = ZooKeeperEnsemble.Control.started(WAIT);
                } catch (Exception e) {
                    throw new IllegalStateException("ZooKeeper ensemble for ClusterIT: " + e, e);
                }
            }
            return started;
        }
    }
}

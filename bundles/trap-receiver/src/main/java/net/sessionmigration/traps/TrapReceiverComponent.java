package net.sessionmigration.traps;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.TrapStatistics;
import net.sessionmigration.api.service.TriggerRuleStatus;
import net.sessionmigration.api.service.TriggerService;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trap receiver as a DS component (PID {@value #PID}): listens, runs the rule engine and
 * the load pollers, registers the JMX view, and offers {@link TriggerService} to the shell.
 * Rules and v3 users arrive as dynamic services from their factory components, so adding,
 * changing or removing one does not rebind the port.
 */
@Component(configurationPid = TrapReceiverComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = TriggerService.class, immediate = true)
@Designate(ocd = TrapReceiverComponent.Config.class)
public final class TrapReceiverComponent implements TriggerService, TrapReceiverMXBean {
    public static final String PID = "net.sessionmigration.traps";
    private static final Logger LOG = LoggerFactory.getLogger(TrapReceiverComponent.class);

    @ObjectClassDefinition(id = PID, name = "Session migration: SNMP trap receiver",
            description = "Where traps and informs are received. v3 users: factory PID net.sessionmigration.traps.user.")
    public @interface Config {
        @AttributeDefinition(name = "listen.address", description = "IP literal to bind: loopback by default,"
                + " the management address the NMS sends to, or 0.0.0.0 for all")
        String listen_address() default "127.0.0.1";

        @AttributeDefinition(name = "listen.port", description = "UDP port; the standard 162 needs root or CAP_NET_BIND_SERVICE")
        int listen_port() default 10162;

        @AttributeDefinition(name = "queue.capacity", description = "Traps waiting for the handler; beyond it they are dropped and counted")
        int queue_capacity() default 10000;

        @AttributeDefinition(required = false, type = AttributeType.PASSWORD,
                description = "Accepted SNMPv1/v2c communities; empty (the default) refuses v1 and v2c")
        String[] communities() default {};
    }

    @Reference
    private MigrationAdminService admin;
    @Reference
    private MigrationService migrations;
    @Reference
    private TrapCounters counters;

    private final Map<String, RuleSource> ruleSources = new ConcurrentHashMap<>();
    private final Map<String, UserSource> userSources = new ConcurrentHashMap<>();
    private RuleEngine engine;
    private TrapReceiver receiver;
    private LoadPollers pollers;
    private ObjectName jmxName;

    @Activate
    synchronized void activate(Map<String, Object> props) {
        ConfigReader r = new ConfigReader(props);
        String address = r.ipLiteral("listen.address").orElse("127.0.0.1");
        int port = (int) r.integer("listen.port", 10162, 1, 65535);
        int capacity = (int) r.integer("queue.capacity", 10000, 1, 10_000_000);
        List<String> communities = r.secretList("communities");
        if (!r.errors().isEmpty()) {
            LOG.error("trap receiver configuration {}: {} (defaults used for those fields)", PID, r.errors());
        }
        engine = new RuleEngine(admin, migrations, counters);
        ruleSources.values().forEach(s -> engine.putRule(s.key(), s.rule()));
        receiver = new TrapReceiver(new TrapReceiver.Settings(address, port, capacity, communities), counters,
                engine::onTrap);
        userSources.values().forEach(u -> u.user().ifPresent(spec -> receiver.putUser(u.key(), spec)));
        receiver.start();
        pollers = new LoadPollers(engine, migrations);
        pollers.sync();
        registerJmx();
    }

    @Deactivate
    synchronized void deactivate() {
        unregisterJmx();
        if (pollers != null) {
            pollers.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        engine = null;
        receiver = null;
        pollers = null;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindRule(RuleSource source) {
        ruleSources.put(source.key(), source);
        if (engine != null) {
            engine.putRule(source.key(), source.rule());
            pollers.sync();
        }
    }

    synchronized void unbindRule(RuleSource source) {
        ruleSources.remove(source.key());
        if (engine != null) {
            engine.removeRule(source.key());
            pollers.sync();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindUser(UserSource source) {
        userSources.put(source.key(), source);
        if (receiver != null) {
            source.user().ifPresent(spec -> receiver.putUser(source.key(), spec));
        }
    }

    synchronized void unbindUser(UserSource source) {
        userSources.remove(source.key());
        if (receiver != null) {
            receiver.removeUser(source.key());
        }
    }

    /**
     * Registered with the platform MBeanServer directly (Karaf's JMX connector serves that one),
     * which works whether or not a JMX whiteboard is installed.
     */
    private void registerJmx() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(OBJECT_NAME);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(this, name);
            jmxName = name;
        } catch (JMException | RuntimeException e) {
            LOG.warn("trap receiver counters not exported over JMX: {}", e.toString());
        }
    }

    private void unregisterJmx() {
        if (jmxName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(jmxName);
            } catch (JMException | RuntimeException e) {
                LOG.debug("unregistering {}: {}", jmxName, e.toString());
            }
            jmxName = null;
        }
    }

    // --- TriggerService

    @Override
    public TrapStatistics statistics() {
        TrapReceiver rcv = receiver;
        return new TrapStatistics(rcv == null ? "not active" : rcv.listening(), counters.snapshot(),
                rcv == null ? 0 : rcv.queueDepth(), rcv == null ? 0 : rcv.queueCapacity(),
                rcv == null ? -1 : SocketDrops.onPort(rcv.port()));
    }

    @Override
    public List<TriggerRuleStatus> rules() {
        RuleEngine e = engine;
        return e == null ? List.of() : e.statuses();
    }

    // --- JMX

    @Override
    public String getListening() {
        return statistics().listening();
    }

    @Override
    public int getQueueDepth() {
        return statistics().queueDepth();
    }

    @Override
    public int getQueueCapacity() {
        return statistics().queueCapacity();
    }

    @Override
    public Map<String, Long> getCounters() {
        return counters.flat();
    }

    @Override
    public long getKernelDrops() {
        return statistics().kernelDrops();
    }

    @Override
    public long getReceived() {
        return counters.total(TrapOutcome.RECEIVED);
    }

    @Override
    public long getMatched() {
        return counters.total(TrapOutcome.MATCHED);
    }

    @Override
    public long getDuplicates() {
        return counters.total(TrapOutcome.DUPLICATES);
    }

    @Override
    public long getIgnored() {
        return counters.total(TrapOutcome.IGNORED);
    }

    @Override
    public long getMalformed() {
        return counters.total(TrapOutcome.MALFORMED);
    }

    @Override
    public long getAuthFailures() {
        return counters.total(TrapOutcome.AUTH_FAILURES);
    }

    @Override
    public long getQueueDrops() {
        return counters.total(TrapOutcome.QUEUE_DROPS);
    }

    @Override
    public long getInformsAcked() {
        return counters.total(TrapOutcome.INFORMS_ACKED);
    }

    @Override
    public String[] getRules() {
        return rules().stream().map(s -> s.name() + " [" + s.kind() + " -> " + s.plan() + "] fired " + s.fired() + ": "
                + (s.valid() ? s.state() : String.join("; ", s.errors()))).toArray(String[]::new);
    }

    @Override
    public String rearm(String rule) {
        RuleEngine e = engine;
        return e != null && e.rearm(rule) ? "rule '" + rule + "' re-armed" : "no rule named '" + rule + "'";
    }
}

package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import net.sessionmigration.api.service.TrapStatistics;

import org.junit.jupiter.api.Test;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.VariableBinding;

class ShippedConfigAndPollerTest {

    static Map<String, Object> cfg(String name) throws Exception {
        Properties p = new Properties();
        try (InputStream in = ShippedConfigAndPollerTest.class.getResourceAsStream("/etc-examples/" + name)) {
            p.load(in);
        }
        Map<String, Object> m = new HashMap<>();
        p.forEach((k, v) -> m.put((String) k, v));
        return m;
    }

    @Test
    void shippedExamplesAreValidAndV3AuthPriv() throws Exception {
        DisasterRule ups = assertInstanceOf(DisasterRule.class,
                TriggerRule.disaster(cfg("net.sessionmigration.trigger.disaster-ups-on-battery.cfg")));
        assertEquals("1.3.6.1.2.1.33.2.1", ups.trapOid());
        assertEquals("evacuate-main", ups.plan());
        LoadRule load = assertInstanceOf(LoadRule.class, TriggerRule.load(cfg("net.sessionmigration.trigger.load-main.cfg")));
        assertEquals(2.5, load.threshold());
        assertEquals("load-main", load.plan());
        LoadRule.PollSource poll = assertInstanceOf(LoadRule.PollSource.class, load.source());
        assertEquals("authPriv", poll.user().orElseThrow().securityLevelName());
        ConfigReader r = new ConfigReader(cfg("net.sessionmigration.traps.user-ups.cfg"));
        assertEquals("authPriv", UsmUserSpec.read(r, "").securityLevelName());
        assertEquals(List.of(), r.errors());
        ConfigReader rc = new ConfigReader(cfg("net.sessionmigration.traps.cfg"));
        assertEquals(List.of(), rc.list("communities"), "communities off by default");
        assertEquals(10162, rc.integer("listen.port", 0, 1, 65535));
    }

    static VariableBinding row(String oid, int state) {
        return new VariableBinding(new OID(oid), new Integer32(state));
    }

    @Test
    void countsEstablishedRowsForTheVirtualIpAndPort() {
        byte[] vip = {10, 0, 0, 10};
        List<VariableBinding> v2 = List.of(
                row("1.3.6.1.2.1.6.19.1.7.1.4.10.0.0.10.8080.1.4.192.0.2.1.40000", 5),  // counted
                row("1.3.6.1.2.1.6.19.1.7.2.16.0.0.0.0.0.0.0.0.0.0.255.255.10.0.0.10.8080.2.16.0.0.0.0.0.0.0.0.0.0.255.255.192.0.2.2.40001", 5), // mapped: counted
                row("1.3.6.1.2.1.6.19.1.7.1.4.10.0.0.10.8080.1.4.192.0.2.3.40002", 11), // time-wait
                row("1.3.6.1.2.1.6.19.1.7.1.4.10.0.0.10.22.1.4.192.0.2.4.40003", 5),    // other port
                row("1.3.6.1.2.1.6.19.1.7.1.4.10.0.0.11.8080.1.4.192.0.2.5.40004", 5),  // other address
                row("1.3.6.1.2.1.6.19.1.7.1.4.192.0.2.1.40000.1.4.10.0.0.10.8080", 5)); // the client side
        assertEquals(2, TcpConnectionPoller.countConnectionTable(v2, vip, 8080));
        List<VariableBinding> v1 = List.of(
                row("1.3.6.1.2.1.6.13.1.1.10.0.0.10.8080.192.0.2.1.40000", 5),
                row("1.3.6.1.2.1.6.13.1.1.10.0.0.10.8080.192.0.2.2.40001", 5),
                row("1.3.6.1.2.1.6.13.1.1.10.0.0.10.8080.192.0.2.3.40002", 5),
                row("1.3.6.1.2.1.6.13.1.1.0.0.0.0.8080.0.0.0.0.0", 2),                   // listen
                row("1.3.6.1.2.1.6.13.1.1.10.0.0.10.8081.192.0.2.1.40000", 5));
        assertEquals(3, TcpConnectionPoller.countConnTable(v1, vip, 8080));
    }

    static void inject(Object target, String field, Object value) throws Exception {
        Field f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    /** The DS component without OSGi: activation, statistics, JMX, a port that cannot be bound. */
    @Test
    void componentActivatesAndExportsJmx() throws Exception {
        FakeCoordinator coordinator = new FakeCoordinator().plan("evacuate-main", "10.0.0.10");
        TrapReceiverComponent c = new TrapReceiverComponent();
        inject(c, "admin", coordinator);
        inject(c, "migrations", coordinator);
        inject(c, "counters", new TrapCounters());
        DisasterRuleComponent rule = new DisasterRuleComponent();
        Map<String, Object> props = new HashMap<>(RuleValidationTest.disaster());
        props.put("service.pid", "net.sessionmigration.trigger.disaster.1");
        rule.activate(props);
        c.bindRule(rule);
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            c.activate(Map.of("listen.address", "127.0.0.1", "listen.port", String.valueOf(taken.getLocalPort()),
                    "communities", new String[]{"secret-community"}));
            try {
                TrapStatistics st = c.statistics();
                assertTrue(st.listening().startsWith("NOT listening: cannot bind UDP 127.0.0.1 port " + taken.getLocalPort()),
                        st.listening());
                assertFalse(st.toString().contains("secret-community"));
                assertEquals(10000, st.queueCapacity());
                assertEquals(1, c.rules().size());
                assertTrue(c.rules().get(0).valid(), c.rules()::toString);
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName name = new ObjectName(TrapReceiverMXBean.OBJECT_NAME);
                assertTrue(server.isRegistered(name));
                assertEquals(0L, server.getAttribute(name, "Received"));
                assertTrue(((String) server.getAttribute(name, "Listening")).contains("NOT listening"));
                String[] rules = (String[]) server.getAttribute(name, "Rules");
                assertTrue(rules[0].startsWith("ups-on-battery [disaster -> evacuate-main] fired 0"), rules[0]);
                assertEquals("rule 'ups-on-battery' re-armed",
                        server.invoke(name, "rearm", new Object[]{"ups-on-battery"}, new String[]{String.class.getName()}));
            } finally {
                c.deactivate();
            }
            assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(TrapReceiverMXBean.OBJECT_NAME)));
        }
    }
}

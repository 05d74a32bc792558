package net.sessionmigration.itests;

import static org.junit.Assert.assertEquals;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;

/**
 * An alarm storm in the real assembly: 10 000 identical UPS-on-battery alarms within 10 s (9 999 v2c
 * traps from SNMP4J, one SNMPv3 authPriv trap from Net-SNMP's snmptrap in the middle) start exactly one
 * migration; every other alarm is counted as a duplicate (hold-down, running) or ignored (plan done).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AlarmStormIT extends SessionMigrationTestSupport {
    static final int ALARMS = 10_000;
    static final long WINDOW_NANOS = 9_000_000_000L;

    @Test
    public void tenThousandIdenticalAlarmsStartOneMigration() throws Exception {
        installSimulatedDrivers();
        writePlan("storm-evacuate.json", Plans.simulated("storm-evacuate", "MOVE"));
        waitFor("plan storm-evacuate", () -> migrations.plan("storm-evacuate").map(PlanStatus::runnable).orElse(false));
        TrapSetup traps = new TrapSetup(this);
        int port = traps.listen(Map.of());
        traps.rule("storm", Map.of("name", "storm-ups", "trap.oid", TrapSetup.UPS_ON_BATTERY, "plan", "storm-evacuate",
                "holddown.seconds", "60"));
        Map<String, Map<String, Long>> before = traps.counts();

        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        Snmp sender = new Snmp(dispatcher, new DefaultUdpTransportMapping());
        sender.listen();
        CommunityTarget<Address> target = new CommunityTarget<>(new UdpAddress(InetAddress.getLoopbackAddress(), port),
                new OctetString(TrapSetup.COMMUNITY));
        target.setVersion(SnmpConstants.version2c);
        long t0 = System.nanoTime();
        for (int i = 0; i < ALARMS; i++) {
            long due = t0 + WINDOW_NANOS * i / ALARMS;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (i == ALARMS / 2) {
                TrapSetup.snmptrap("-v", "3", "-l", "authPriv", "-u", TrapSetup.V3_USER, "-a", "SHA-256", "-A",
                        TrapSetup.AUTH, "-x", "AES-256", "-X", TrapSetup.PRIV, "127.0.0.1:" + port, "",
                        TrapSetup.UPS_ON_BATTERY);
                continue;
            }
            PDU pdu = new PDU();
            pdu.setType(PDU.TRAP);
            pdu.add(new VariableBinding(SnmpConstants.sysUpTime, new TimeTicks(4200)));
            pdu.add(new VariableBinding(SnmpConstants.snmpTrapOID, new OID(TrapSetup.UPS_ON_BATTERY)));
            sender.send(pdu, target);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        sender.close();

        waitFor("all " + ALARMS + " alarms handled", () -> handled(traps.counts(), before) >= ALARMS);
        waitFor("the storm's migration to finish", () -> stormMigrations().stream().allMatch(r -> r.state().finished()));
        Map<String, Map<String, Long>> after = traps.counts();
        System.out.printf("alarm storm: %d alarms sent in %.1f s; counters now %s%n", ALARMS, seconds, after);

        List<MigrationRecord> started = stormMigrations();
        assertEquals("one migration for the storm: " + started, 1, started.size());
        assertEquals(MigrationState.SUCCEEDED, started.get(0).state());
        assertEquals("trap:storm-ups", started.get(0).trigger());
        assertEquals(ALARMS, handled(after, before));
        assertEquals(1, delta(after, before, "matched"));
        assertEquals(ALARMS - 1, delta(after, before, "duplicates") + delta(after, before, "ignored"));
        assertEquals(1, after.get("v3").get("received") - before.get("v3").get("received"));
        assertEquals(0, delta(after, before, "queueDrops"));
        assertEquals(0, delta(after, before, "malformed"));
        assertEquals(0, delta(after, before, "authFailures"));
    }

    private List<MigrationRecord> stormMigrations() {
        return migrations.history(1000).stream().filter(r -> r.plan().equals("storm-evacuate")).toList();
    }

    static long handled(Map<String, Map<String, Long>> now, Map<String, Map<String, Long>> before) {
        return delta(now, before, "matched") + delta(now, before, "duplicates") + delta(now, before, "ignored");
    }

    static long delta(Map<String, Map<String, Long>> now, Map<String, Map<String, Long>> before, String outcome) {
        long sum = 0;
        for (String version : now.keySet()) {
            sum += now.get(version).get(outcome) - before.get(version).get(outcome);
        }
        return sum;
    }
}

package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.coordinator.journal.PortsTaken;

/**
 * [safety] A plan with {@code portsFromAnyVlan} takes a port from the VLAN it is really on; S702
 * journals that VLAN before anything moves, and rollback and recovery put the port back there,
 * never on the plan's {@code fromVlan}.
 */
class PortsFromAnyVlanTest {
    private static final String PLAN = "evacuate-main";
    private static final AccessPort U1 = new AccessPort("sw1", "1");
    private static final AccessPort U2 = new AccessPort("sw1", "2");
    private static final AccessPort U3 = new AccessPort("gw1", "eth1");

    @TempDir
    Path dir;
    Lab first;
    Lab second;

    @AfterEach
    void tearDown() {
        for (Lab l : new Lab[] {second, first}) {
            if (l != null) {
                l.close();
            }
        }
    }

    private static ObjectNode anyVlanPlan() {
        return Plans.base().put("portsFromAnyVlan", true);
    }

    /** u1's port is on another tenant's VLAN 30, not the plan's fromVlan 1. */
    private static void portsAsFound(Lab lab) {
        lab.snmp.vlans.putAll(Map.of(U1, VlanId.of(30), U2, VlanId.of(1)));
        lab.netlink.vlans.put(U3, VlanId.of(10));
    }

    private Lab open(ObjectNode plan) {
        first = new Lab(dir).withAllDrivers().plan(plan);
        portsAsFound(first);
        first.open();
        return first;
    }

    @Test
    void dryRunTakesThePortAndSaysWhereItWillGoBack() {
        open(anyVlanPlan());
        DryRunReport dry = first.coordinator.dryRun(PLAN);
        assertTrue(dry.go(), dry::toString);
        assertTrue(dry.notes().contains("port sw1/1 of user u1 is on VLAN 30, not the plan's fromVlan 1: taken anyway"
                + " (portsFromAnyVlan); a rollback puts it back on VLAN 30"), dry.notes()::toString);
        assertTrue(first.log.indexOf("snmp-qbridge:read-vlans") < first.log.indexOf("snmp-qbridge:preflight:u1,u2"),
                "read, then asked with the VLANs read: " + first.log);
    }

    @Test
    void aRollbackPutsEachPortBackOnTheVlanItWasReallyOn() {
        open(anyVlanPlan());
        first.netlink.failOn.add("move"); // the gateway refuses: the switch's ports moved and go back

        MigrationRecord r = first.run(PLAN);

        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertEquals(Map.of(U1, VlanId.of(30), U2, VlanId.of(1)), Map.copyOf(first.snmp.vlans));
        assertEquals(VlanId.of(10), first.netlink.vlans.get(U3));
        assertTrue(first.log.contains("snmp-qbridge:restore:u1,u2"), first.log::toString);
        List<PortMove> journalled = first.journal.portsTaken(r.id()).orElseThrow().byDriverType().get("snmp-qbridge");
        assertEquals(List.of(new PortMove("u1", U1, VlanId.of(30), VlanId.of(2)),
                new PortMove("u2", U2, VlanId.of(1), VlanId.of(2))), journalled);
    }

    @Test
    void withoutTheOptionThePortsTakenAreThePlansAndAreJournalledToo() {
        open(Plans.base());
        first.snmp.vlans.put(U1, VlanId.of(1));
        MigrationRecord r = first.run(PLAN);
        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        PortsTaken taken = first.journal.portsTaken(r.id()).orElseThrow();
        assertEquals(VlanId.of(1), taken.byDriverType().get("snmp-qbridge").get(0).from());
        assertFalse(first.log.stream().anyMatch(c -> c.contains("read-vlans")), "no extra read: " + first.log);
    }

    @Test
    void aCrashAfterTheSetIsRecoveredToTheJournalledVlansNotThePlans() {
        open(anyVlanPlan());
        Gate set = first.netlink.hold("move"); // the switch's SET is done while the gateway's is held
        String id = first.start(StartRequest.of(PLAN, "test"));
        set.awaitEntered();
        first.crash();

        second = first.restartedWithFreshDrivers().withAllDrivers();
        // what the devices hold after the crash: the switch's ports moved, the gateway's not
        second.snmp.vlans.putAll(Map.of(U1, VlanId.of(2), U2, VlanId.of(2)));
        second.netlink.vlans.put(U3, VlanId.of(10));
        second.open();
        MigrationRecord r = second.await(id);

        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertEquals(Map.of(U1, VlanId.of(30), U2, VlanId.of(1)), Map.copyOf(second.snmp.vlans));
        assertEquals(VlanId.of(10), second.netlink.vlans.get(U3));
    }
}

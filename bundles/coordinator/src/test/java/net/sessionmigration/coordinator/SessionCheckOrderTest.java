package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.StartRequest;

/**
 * The commit's session check in S708: asked beside the users' port moves once the virtual IP left
 * the source at S705 (MOVE: nothing reaches the source copy any more), after them in REPLICATE
 * (the source keeps the address, and a moving user reaches it until its port moved).
 */
class SessionCheckOrderTest {
    private static final String PLAN = "evacuate-main";

    @TempDir
    Path dir;
    Lab lab;

    @AfterEach
    void tearDown() {
        if (lab != null) {
            lab.close();
        }
    }

    private void open() {
        lab = new Lab(dir).withAllDrivers().plan(Plans.base());
        lab.mover.capabilities = new MoverCapabilities(true, true, true, true, true);
        lab.open();
    }

    private List<String> logged() {
        synchronized (lab.log) {
            return List.copyOf(lab.log);
        }
    }

    @Test
    void inMoveTheCheckIsAskedWhileTheSwitchStillMovesThePorts() throws Exception {
        open();
        Gate move = lab.snmp.hold("move");
        String id = lab.start(StartRequest.of(PLAN, "test"));
        move.awaitEntered();
        long end = System.currentTimeMillis() + 10_000;
        while (!logged().contains("mover:check-sessions") && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        List<String> whileHeld = logged();
        move.open();
        MigrationRecord r = lab.await(id);

        assertTrue(whileHeld.contains("mover:check-sessions"), "no check while the switch's move was held: " + whileHeld);
        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        assertTrue(r.steps().stream().anyMatch(s -> s.step().name().equals("S708") && s.detail().contains("check-sessions ok")),
                r::toString);
    }

    @Test
    void inReplicateTheCheckComesAfterThePortsMoved() {
        open();
        MigrationRecord r = lab.await(lab.start(StartRequest.of(PLAN, "trap:load").withMode(MigrationMode.REPLICATE)));
        assertEquals(MigrationState.SUCCEEDED, r.state(), r::toString);
        List<String> log = logged();
        int moved = log.indexOf("snmp-qbridge:move:u1");
        int checked = log.indexOf("mover:check-sessions");
        assertTrue(moved >= 0 && checked > moved, "the check before the move: " + log);
    }

    @Test
    void aWedgedSessionFoundBesideTheMovesPutsTheMovedPortsBack() {
        open();
        lab.mover.failOn.add("check-sessions");
        MigrationRecord r = lab.await(lab.start(StartRequest.of(PLAN, "test")));
        assertEquals(MigrationState.ROLLED_BACK, r.state(), r::toString);
        assertTrue(r.failure().orElseThrow().toString().contains("check-sessions broke"), r::toString);
        assertEquals(Map.of(new AccessPort("sw1", "1"), VlanId.of(1), new AccessPort("sw1", "2"), VlanId.of(1)),
                Map.copyOf(lab.snmp.vlans), "the switch's ports back on their VLAN");
        assertEquals(VlanId.of(10), lab.netlink.vlans.get(new AccessPort("gw1", "eth1")));
    }
}

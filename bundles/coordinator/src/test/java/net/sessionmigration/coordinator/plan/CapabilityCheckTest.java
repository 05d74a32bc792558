package net.sessionmigration.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.MoverCapabilities;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.service.PlanError;

/** A VM's mover (qemu-daemon) can freeze and resume, but neither replicate nor move the address. */
class CapabilityCheckTest {
    private static final MoverCapabilities VM = new MoverCapabilities(true, false, false);

    private static MigrationPlan plan(String mode, boolean moveVirtualIp) {
        String json = """
                {"schemaVersion": 1, "name": "vm-move", "mode": "%s", "virtualIp": "10.20.0.100",
                 "servers": {"main-srv": {"site": "main"}, "bak-srv": {"site": "backup"}},
                 "workload": {"name": "vm1", "driver": "qemu-daemon", "source": "main-srv", "target": "bak-srv",
                              "freeze": true, "moveVirtualIp": %s},
                 "devices": {"sw1": {"driver": "snmp-qbridge"}},
                 "users": [{"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 2, "nearBackup": true}]}
                """.formatted(mode, moveVirtualIp);
        ParsedPlan p = new PlanParser().parse("vm-move.json", json);
        assertEquals(List.of(), p.errors());
        return p.plan().orElseThrow();
    }

    @Test
    void aVmPlanThatMovesAndLeavesTheAddressInsideIsValid() {
        assertEquals(List.of(), CapabilityCheck.check("vm-move.json", plan("MOVE", false), MigrationMode.MOVE, VM));
    }

    @Test
    void replicateWithAVmIsRefusedNamingTheFieldAndTheDriver() {
        List<PlanError> errors = CapabilityCheck.check("vm-move.json", plan("REPLICATE", false), MigrationMode.REPLICATE, VM);
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("mode", errors.get(0).field());
        assertEquals("REPLICATE", errors.get(0).value());
        assertTrue(errors.get(0).message().contains("driver `qemu-daemon` cannot replicate"), errors::toString);
    }

    @Test
    void aStartThatOverridesTheModeToReplicateIsRefusedToo() {
        List<PlanError> errors = CapabilityCheck.check("vm-move.json", plan("MOVE", false), MigrationMode.REPLICATE, VM);
        assertEquals(List.of("mode"), errors.stream().map(PlanError::field).toList());
    }

    @Test
    void movingTheAddressOfAVmIsRefused() {
        List<PlanError> errors = CapabilityCheck.check("vm-move.json", plan("MOVE", true), MigrationMode.MOVE, VM);
        assertEquals(List.of("workload.moveVirtualIp"), errors.stream().map(PlanError::field).toList());
        assertTrue(errors.get(0).message().contains("travels inside the workload"), errors::toString);
    }
}

package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.PreflightAnswer;
import net.sessionmigration.qmp.Accelerator;
import net.sessionmigration.qmp.AcceleratorDecision;
import net.sessionmigration.qmp.QemuLauncher;

/** What the VM backend decides before it touches QEMU (the live paths: lab/tests/vm-system-test.sh). */
class VmBackendTest {
    private final VmBackend vms;

    VmBackendTest() throws Exception {
        QemuConfig.Vm vm = new ObjectMapper().readValue(QemuConfigTest.VM, QemuConfig.Vm.class);
        QemuConfig q = new QemuConfig("/nonexistent/qemu", "tcg", "/run/sm-test/qemu", Map.of("vm1", vm));
        vms = new VmBackend("main-srv", q, null, new QemuLauncher(),
                new AcceleratorDecision(Accelerator.TCG, "TCG set in the configuration"));
    }

    @Test
    void aVmIsNeverReplicatedWhateverTheOperation() {
        MigrationRequest r = new MigrationRequest("vm1", "10.20.0.100", "bak-srv", "REPLICATE", List.of("10.10.1.2"));
        for (String op : List.of("freeze", "migrate", "incoming", "resume", "release", "rollback")) {
            RequestNames.BadRequest e = assertThrows(RequestNames.BadRequest.class, () -> vms.operation(op, "m1", r, 0), op);
            assertTrue(e.getMessage().startsWith("a VM cannot be replicated"), e.getMessage());
        }
    }

    @Test
    void onlyConfiguredVmsAndKnownOperationsAreServed() {
        assertTrue(vms.handles("vm1"));
        assertFalse(vms.handles("stream"));
        MigrationRequest move = new MigrationRequest("vm1", "10.20.0.100", "bak-srv", "MOVE", List.of());
        assertThrows(RequestNames.BadRequest.class, () -> vms.operation("restore", "m1", move, 0));
        assertThrows(RequestNames.BadRequest.class, () -> vms.operation("migrate", "m1",
                new MigrationRequest("vm1", "10.20.0.100", null, "MOVE", List.of()), 0), "migrate needs a target");
        assertThrows(RequestNames.BadRequest.class, () -> vms.state("vm2"));
    }

    @Test
    void aVmNotStartedHereIsReportedAbsentWithTheAcceleratorAndMissingFiles() {
        PreflightAnswer p = vms.preflight("vm1");
        assertEquals(false, p.found());
        assertEquals("vm", p.kind());
        assertEquals("TCG", p.accelerator());
        assertEquals("TCG set in the configuration", p.acceleratorReason());
        assertEquals(false, p.qemuOk());
        assertEquals(false, p.imageOk());
        assertEquals(false, p.canReplicate());
    }
}

package net.sessionmigration.itests;

import static net.sessionmigration.itests.LabFixture.assertSessionKept;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationEvent;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;

/**
 * A VM through Karaf on the real lab: the coordinator live-migrates the VM that runs the lab's
 * streaming server (lab/vm) from the main site to the backup site through the qemu-daemon
 * driver and both daemons (QEMU over QMP, TCG here), with the user's port moved over SNMPv3
 * between the end of the migration and {@code cont}; the user's TCP session survives with no
 * lost line. REPLICATE is refused for the VM plan, and the dry-run shows the accelerator. The
 * fixture holds the lab lock for the whole test.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class VmLabMigrationIT extends SessionMigrationTestSupport {
    private static final String VIP = "10.20.0.100";
    private static final int SERVICE_PORT = 7000; // the VM's streamd (lab/daemons/daemons)

    @Test
    public void theCoordinatorMovesTheVmAndTheUserKeepsTheSession() throws Exception {
        try (VmLabFixture lab = new VmLabFixture()) {
            assertTrue("the daemons run the VM vm1 (lab/daemons/daemons with vm-net and the image)",
                    Files.readString(lab.path("lab/run/daemons/main-srv.log")).contains("VMs [vm1]"));
            configureLabDrivers(lab.lab(), Map.of("main-srv", LabFixture.MAIN_DAEMON, "bak-srv", LabFixture.BACKUP_DAEMON),
                    "qemu-daemon", "snmp-qbridge");
            lab.postToDaemon(LabFixture.MAIN_DAEMON + "/v1/workloads/vm1/start"); // boots the VM: seconds under TCG
            writePlan("lab-vm.json", plan());
            waitFor("plan lab-vm runnable with qemu-daemon",
                    () -> migrations.plan("lab-vm").map(PlanStatus::runnable).orElse(false));

            DryRunReport dry = migrations.dryRun("lab-vm");
            assertTrue("dry-run: " + dry.problems(), dry.go());
            assertTrue("the dry-run shows each daemon's accelerator: " + dry.notes(), dry.notes().stream()
                    .anyMatch(n -> n.contains("main-srv: TCG (") || n.contains("main-srv: KVM (")));

            var refused = admin.start(StartRequest.of("lab-vm", "itest").withMode(MigrationMode.REPLICATE), e -> { });
            assertTrue("REPLICATE of a VM is refused: " + refused, refused.failure().orElseThrow().cause()
                    .contains("driver `qemu-daemon` cannot replicate"));

            LabFixture.UserClient u1 = lab.user("sm-u1", VIP, SERVICE_PORT, 120);
            Thread.sleep(2000);
            List<MigrationEvent> events = new CopyOnWriteArrayList<>();
            String id = admin.start(StartRequest.of("lab-vm", "itest"), events::add).orElseThrow();
            MigrationRecord record = admin.await(id, Duration.ofSeconds(180)).orElseThrow();
            Thread.sleep(2000);
            String seen = u1.stop();
            Path out = lab.path("itests/target/vm-lab");
            Files.createDirectories(out);
            Files.writeString(out.resolve("user-u1.json"), seen);
            Files.writeString(out.resolve("history.txt"), execute("migration:history " + id));

            assertEquals(record.failure() + " " + record.notes(), MigrationState.SUCCEEDED, record.state());
            assertSessionKept(seen);
            assertTrue("QEMU's progress reached the coordinator: " + events, events.stream()
                    .anyMatch(e -> e.kind() == MigrationEvent.Kind.PROGRESS && e.message().contains("VM vm1")));
            assertTrue("the port is on the backup VLAN",
                    lab.run(10, "ip", "-n", "sm-sw1", "-o", "link", "show", "p1").contains("master br-v2"));
            assertTrue("QEMU runs at the backup site", qemuIn(lab, "sm-bak-srv"));
            assertFalse("no QEMU is left at the main site", qemuIn(lab, "sm-main-srv"));
            assertTrue("QEMU's own times are in the flight record", record.operations().stream()
                    .anyMatch(o -> o.driverType().equals("qemu-daemon") && o.outcome().contains("downtime")));
        }
    }

    private static boolean qemuIn(VmLabFixture lab, String ns) throws Exception {
        for (String pid : lab.run(10, "ip", "netns", "pids", ns).split("\\s+")) {
            if (!pid.isBlank() && Files.readString(Path.of("/proc", pid, "comm")).trim().startsWith("qemu-system")) {
                return true;
            }
        }
        return false;
    }

    /** The VM plan: no S705 (the address is inside the guest), resume (cont) only after the switch. */
    private static String plan() {
        return """
            {
              "schemaVersion": 1,
              "name": "lab-vm",
              "description": "maintenance on the lab: live-migrate the VM and u1 to the backup site",
              "mode": "MOVE",
              "virtualIp": "10.20.0.100",
              "servers": {"main-srv": {"site": "main"}, "bak-srv": {"site": "backup"}},
              "workload": {"name": "vm1", "driver": "qemu-daemon", "source": "main-srv", "target": "bak-srv",
                           "freeze": true, "moveVirtualIp": false,
                           "options": {"downtimeLimitMs": "50", "maxBandwidth": "1000000000"}},
              "devices": {"sw1": {"driver": "snmp-qbridge"}},
              "users": [{"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 2, "nearBackup": true}]
            }
            """;
    }
}

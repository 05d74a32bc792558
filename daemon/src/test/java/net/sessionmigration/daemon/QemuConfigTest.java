package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.qmp.Accelerator;
import net.sessionmigration.qmp.MigrationParameters;
import net.sessionmigration.qmp.VmSpec;

class QemuConfigTest {
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    static String config(String vm) {
        return """
                {"name": "main-srv", "listenAddress": "0.0.0.0", "listenPort": 7443,
                 "tls": {"keystore": "k", "keystorePasswordFile": "p", "truststore": "t", "truststorePasswordFile": "p"},
                 "qemu": {"runDir": "/run/sm-test/qemu", "vms": {"vm1": %s}}}
                """.formatted(vm);
    }

    static final String VM = """
            {"kernel": "/cache/vmlinux", "initrd": "/cache/initrd.gz", "append": "console=ttyS0 sm.ip=10.20.0.100/24",
             "tap": "tap-vm", "mac": "52:54:00:53:4D:64", "incoming": "10.98.0.2:7450", "downtimeLimitMs": 50}""";

    @Test
    void aVmBecomesTheQemuSpecOfThisSite(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, config(VM));
        DaemonConfig c = DaemonConfig.load(f);
        QemuConfig q = c.qemu();
        assertEquals("auto", q.accelerator());
        assertEquals("/usr/bin/qemu-system-x86_64", q.binary());
        QemuConfig.Vm vm = q.vms().get("vm1");
        assertEquals(128, vm.memoryMb());
        assertEquals("sm-vm: ready", vm.readyMarker());
        assertEquals("tcp:10.98.0.2:7450", vm.incomingUri());
        VmSpec s = q.spec("vm1", vm, Accelerator.TCG);
        assertEquals(Optional.of(new VmSpec.TapAttachment("tap-vm", "52:54:00:53:4d:64")), s.network());
        assertEquals(Optional.empty(), s.netns(), "QEMU runs in the daemon's own namespace");
        List<String> dest = s.asMigrationDestination().commandLine();
        assertTrue(dest.containsAll(List.of("-S", "-incoming", "defer")), dest::toString);
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        for (String[] bad : new String[][] {
                {"\"tap\": \"tap-vm\"", "\"tap\": \"tap vm;x\"", "tap"},
                {"\"mac\": \"52:54:00:53:4D:64\"", "\"mac\": \"01:00:5e:00:00:01\"", "MAC"},
                {"\"incoming\": \"10.98.0.2:7450\"", "\"incoming\": \"backup:7450\"", "incoming"},
                {"\"incoming\": \"10.98.0.2:7450\"", "\"incoming\": \"10.98.0.2:70000\"", "incoming port"},
                {"\"kernel\": \"/cache/vmlinux\"", "\"kernel\": \"/cache/a,b\"", "without commas"},
                {"\"downtimeLimitMs\": 50", "\"downtimeLimitMs\": -1", "downtime"}}) {
            String text = config(VM.replace(bad[0], bad[1]));
            Exception e = assertThrows(Exception.class, () -> json.readValue(text, DaemonConfig.class), bad[1]);
            assertTrue(String.valueOf(e.getMessage()).contains(bad[2]), bad[1] + ": " + e.getMessage());
        }
        Exception e = assertThrows(Exception.class, () -> json.readValue(
                config(VM).replace("\"runDir\"", "\"accelerator\": \"hvf\", \"runDir\""), DaemonConfig.class));
        assertTrue(e.getMessage().contains("qemu.accelerator must be auto, kvm or tcg"), e.getMessage());
        assertThrows(Exception.class, () -> json.readValue(config(VM.replace("\"tap\"", "\"shell\": \"x\", \"tap\"")),
                DaemonConfig.class), "unknown keys are refused");
    }

    @Test
    void aNameIsEitherAProcessOrAVm() {
        String text = config(VM).replace("\"qemu\"", "\"workloads\": {\"vm1\": {\"exeName\": \"x\", \"vipInterface\": \"eth0\"}}, \"qemu\"");
        Exception e = assertThrows(Exception.class, () -> json.readValue(text, DaemonConfig.class));
        assertTrue(e.getMessage().contains("workload vm1 is both a process and a VM"), e.getMessage());
    }

    @Test
    void thePlanOverridesTheConfiguredDowntimeAndBandwidth() throws Exception {
        QemuConfig.Vm vm = json.readValue(VM, QemuConfig.Vm.class);
        MigrationRequest none = json.readValue("{\"workload\":\"vm1\",\"vip\":\"10.20.0.100\"}", MigrationRequest.class);
        assertEquals(new MigrationParameters(Optional.of(Duration.ofMillis(50)), Optional.empty()), VmBackend.parameters(vm, none));
        MigrationRequest plan = json.readValue("{\"workload\":\"vm1\",\"vip\":\"10.20.0.100\",\"downtimeLimitMs\":20,"
                + "\"maxBandwidth\":2000000}", MigrationRequest.class);
        assertEquals(Map.of("downtime-limit", 20L, "max-bandwidth", 2000000L), VmBackend.parameters(vm, plan).toArguments());
        assertThrows(RequestNames.BadRequest.class, () -> Requests.check(json.readValue(
                "{\"workload\":\"vm1\",\"vip\":\"10.20.0.100\",\"downtimeLimitMs\":0}", MigrationRequest.class)));
        assertThrows(RequestNames.BadRequest.class, () -> Requests.check(json.readValue(
                "{\"workload\":\"vm1\",\"vip\":\"10.20.0.100\",\"maxBandwidth\":-5}", MigrationRequest.class)));
    }
}

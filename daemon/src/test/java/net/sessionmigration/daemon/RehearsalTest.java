package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


import net.sessionmigration.daemon.protocol.MigrationRequest;
import net.sessionmigration.daemon.protocol.WorkloadStateAnswer;

/** The rehearsal's rules; the rehearsal itself runs on the lab's daemons (lab/tests/daemon-system-test.sh, case 0). */
class RehearsalTest {
    private static final DaemonConfig.WorkloadSpec REAL =
            new DaemonConfig.WorkloadSpec("no-such-process-name", null, List.of("true"), "lo");

    @Test
    void itCallsItselfAtAnAddressOfItsCertificateThatIsHereAndListened() {
        List<String> san = List.of("10.99.0.11", "10.98.0.1");
        Set<String> local = Set.of("127.0.0.1", "10.98.0.1", "10.99.0.11");
        assertEquals(Optional.of("10.99.0.11"), Rehearsal.pick(san, local, "0.0.0.0"));
        assertEquals(Optional.of("10.98.0.1"), Rehearsal.pick(san, local, "10.98.0.1"));
        assertEquals(Optional.of("10.98.0.1"), Rehearsal.pick(san, Set.of("10.98.0.1"), null));
        assertEquals(Optional.empty(), Rehearsal.pick(san, Set.of("127.0.0.1"), "0.0.0.0"), "none of them here");
        assertEquals(Optional.empty(), Rehearsal.pick(san, local, "10.97.0.1"), "listens on another address");
        assertEquals(Optional.empty(), Rehearsal.pick(List.of("fe80::1"), Set.of("fe80::1"), "0.0.0.0"), "IPv4 only");
    }

    @Test
    void itIsOnUnlessTheConfigSaysOtherwise(@TempDir Path dir) throws Exception {
        String config = "{\"name\": \"srv\", \"listenAddress\": \"0.0.0.0\", \"listenPort\": 7443,"
                + " \"tls\": {\"keystore\": \"k\", \"keystorePasswordFile\": \"p\", \"truststore\": \"t\","
                + " \"truststorePasswordFile\": \"p\"}%s}";
        Path on = Files.writeString(dir.resolve("on.json"), String.format(config, ""));
        Path off = Files.writeString(dir.resolve("off.json"), String.format(config, ", \"rehearse\": false"));
        assertTrue(DaemonConfig.load(on).rehearse());
        assertFalse(DaemonConfig.load(off).rehearse());
        assertEquals(Optional.empty(), Rehearsal.selfUrl(DaemonConfig.load(on)), "no workload: nothing to rehearse");
    }

    @Test
    void noWorkloadMayTakeItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(Map.of(Rehearsal.WORKLOAD, REAL)));
        assertTrue(e.getMessage().contains("workload name sm-rehearsal is the daemon's own"), e.getMessage());
    }

    @Test
    void theCrashTestsFaultInjectionLeavesItAlone() {
        System.setProperty(FaultInjection.UNLOCK_SOURCE_EARLY, "true");
        try {
            assertTrue(Rehearsal.isRehearsal("sm-rehearsal-1796573447345.t"));
            assertFalse(FaultInjection.unlockSourceEarly("sm-rehearsal-1796573447345"), "not the rehearsal's lock");
            assertTrue(FaultInjection.unlockSourceEarly("20261206-170703-13"), "a real migration's, as asked");
        } finally {
            System.clearProperty(FaultInjection.UNLOCK_SOURCE_EARLY);
        }
    }

    @Test
    void onlyTheRehearsalMigratesToThisDaemonItself(@TempDir Path dir) {
        MigrationService service = service(dir);
        RequestNames.BadRequest e = assertThrows(RequestNames.BadRequest.class, () -> service.migrate("m1",
                new MigrationRequest("w", "10.20.0.100", "srv", MigrationRequest.MOVE, List.of()), 0));
        assertEquals("target is this daemon itself", e.getMessage());
    }

    @Test
    void realRequestsWaitForItAndItsWorkloadGoesWithIt(@TempDir Path dir) throws Exception {
        MigrationService service = service(dir);
        var spec = new DaemonConfig.WorkloadSpec(Rehearsal.WORKLOAD, null, List.of("true"), "lo");
        service.rehearsing(spec);
        assertFalse(service.state(Rehearsal.WORKLOAD, null).found(), "its workload is known while it runs");
        CompletableFuture<WorkloadStateAnswer> real = CompletableFuture.supplyAsync(() -> {
            try {
                return service.state("w", null);
            } catch (Exception ex) {
                throw new RuntimeException(ex);
            }
        });
        assertThrows(TimeoutException.class, () -> real.get(300, TimeUnit.MILLISECONDS), "a real request waits");
        service.rehearsed("sm-rehearsal-1");
        assertEquals("w", real.get(10, TimeUnit.SECONDS).workload());
        RequestNames.BadRequest gone = assertThrows(RequestNames.BadRequest.class,
                () -> service.state(Rehearsal.WORKLOAD, null));
        assertEquals("unknown workload", gone.getMessage());
    }

    /** A rehearsal whose dump failed leaves no image directory of its source half behind. */
    @Test
    void aFailedRehearsalLeavesNoImagesBehind(@TempDir Path dir) throws Exception {
        MigrationService service = service(dir);
        service.rehearsing(new DaemonConfig.WorkloadSpec(Rehearsal.WORKLOAD, null, List.of("true"), "lo"));
        String id = "sm-rehearsal-1";
        Path source = Files.createDirectories(service.imageDir(id));
        Files.write(source.resolve("core-1.img"), new byte[8]); // what a dump that failed midway left
        service.endRehearsal(id, new MigrationRequest(Rehearsal.WORKLOAD, "127.0.77.1", "srv", MigrationRequest.MOVE,
                List.of()));
        assertFalse(Files.exists(source), "the source half's images");
    }

    private static DaemonConfig config(Map<String, DaemonConfig.WorkloadSpec> workloads) {
        return new DaemonConfig("srv", "127.0.0.1", 1, new DaemonConfig.Tls("unused", "unused", "unused", "unused"),
                Map.of(), "/nonexistent/criu", "/nonexistent", 1024, workloads);
    }

    private static MigrationService service(Path root) {
        DaemonConfig c = new DaemonConfig("srv", "127.0.0.1", 1, new DaemonConfig.Tls("unused", "unused", "unused", "unused"),
                Map.of(), "/nonexistent/criu", root.toString(), 1024, Map.of("w", REAL));
        return new MigrationService(c, new Criu("/nonexistent/criu"), new VirtualIpControl(), null);
    }
}

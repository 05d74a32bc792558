package net.sessionmigration.daemondriver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.ProbeAnswer;
import net.sessionmigration.daemon.protocol.ProbeRequest;

class DaemonProbeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProbeTask TASK = new ProbeTask("m1", "probe1", new VirtualIp("10.20.0.100"), 7001,
            Duration.ofMillis(1000));

    private static DaemonProbe probeWith(Map<String, String> servers) throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLSv1.3");
        ssl.init(null, null, null);
        return new DaemonProbe(new DaemonClient(ssl, servers, Duration.ofSeconds(2)));
    }

    @Test
    void theRequestCarriesAddressPortAndTimeout() {
        assertEquals(new ProbeRequest("10.20.0.100", 7001, 1000), DaemonProbe.body(TASK));
    }

    @Test
    void itsPreflightProbesTheProbeHostsOwnApiPort() {
        assertEquals(Optional.of(new ProbeRequest("10.99.0.20", 7443, 1000)), DaemonProbe.ownApiPort("https://10.99.0.20:7443"));
        assertEquals(Optional.of(new ProbeRequest("10.99.0.20", 443, 1000)), DaemonProbe.ownApiPort("https://10.99.0.20"));
        assertEquals(Optional.empty(), DaemonProbe.ownApiPort("https://probe1.example:7443"), "a name: its health instead");
        assertEquals(Optional.empty(), DaemonProbe.ownApiPort("not a url"));
    }

    @Test
    void aReachableAnswerCarriesTheConnectTime() throws Exception {
        Result<OpReport> r = DaemonProbe.answer("probe1", JSON.readValue(
                "{\"ok\":true,\"reachable\":true,\"connectMicros\":312,\"from\":\"10.10.1.250\"}", ProbeAnswer.class));
        assertEquals("312", r.orElseThrow().measurements().get("connect_us"));
        assertTrue(r.orElseThrow().summary().contains("10.10.1.250"));
    }

    @Test
    void anUnreachableAnswerNamesTheProbeHostAndTheCause() throws Exception {
        Result<OpReport> r = DaemonProbe.answer("probe1", JSON.readValue("{\"ok\":true,\"reachable\":false,"
                + "\"reason\":\"timed-out\",\"error\":\"connect to 10.20.0.100:7001 timed out after 1000 ms\"}",
                ProbeAnswer.class));
        Problem p = r.failure().orElseThrow();
        assertEquals("probe1", p.device());
        assertEquals("connect to 10.20.0.100:7001 timed out after 1000 ms [timed-out]", p.cause());
    }

    @Test
    void anUnconfiguredOrUnreachableProbeHostIsAProblemNotAnException() throws Exception {
        Result<OpReport> unknown = probeWith(Map.of()).probe(TASK, DriverContext.detached("m1"));
        assertTrue(unknown.failure().orElseThrow().cause().contains("no daemon URL configured for probe host probe1"));

        DaemonProbe closed = probeWith(Map.of("probe1", "https://127.0.0.1:9"));
        Result<OpReport> r = closed.probe(TASK, DriverContext.detached("m1"));
        assertEquals("probe1", r.failure().orElseThrow().device());
        assertTrue(r.failure().orElseThrow().cause().startsWith("probe host unreachable"), r.toString());
        Preflight p = closed.preflight(TASK).orElseThrow();
        assertFalse(p.go());
        assertEquals("probe1", p.problems().get(0).device());
    }
}

package net.sessionmigration.daemon.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The records write and read the JSON the daemons have always spoken. */
class WireFormatTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aRequestLeavesOutWhatItDoesNotSay() throws Exception {
        assertEquals("{\"workload\":\"stream\",\"vip\":\"10.20.0.100\",\"target\":\"bak-srv\",\"mode\":\"MOVE\","
                        + "\"targetClients\":[]}",
                json.writeValueAsString(new MigrationRequest("stream", "10.20.0.100", "bak-srv", "MOVE", List.of())));
        assertEquals("{\"workload\":\"vm1\",\"vip\":\"10.20.0.100\",\"target\":\"bak-srv\",\"mode\":\"MOVE\","
                        + "\"downtimeLimitMs\":50}",
                json.writeValueAsString(new MigrationRequest("vm1", "10.20.0.100", "bak-srv", "MOVE", null, 50L, null)));
        assertEquals("{\"ports\":[\"p1\"]}", json.writeValueAsString(GatewayRequest.vlans(List.of("p1"))));
        assertEquals("{\"moves\":[{\"port\":\"p1\",\"from\":1,\"to\":2}],\"putBack\":false}",
                json.writeValueAsString(GatewayRequest.moves(List.of(new GatewayRequest.Move("p1", 1, 2)), false)));
        assertEquals("{\"address\":\"10.20.0.100\",\"port\":7001,\"timeoutMs\":1000}",
                json.writeValueAsString(new ProbeRequest("10.20.0.100", 7001, 1000)));
    }

    @Test
    void answersKeepTheirFieldNames() throws Exception {
        assertEquals("{\"summary\":\"started\",\"pid\":7,\"accelerator\":\"TCG\",\"boot_ms\":900}",
                json.writeValueAsString(new StartAnswer("started", 7, "TCG", 900L)));
        assertEquals("{\"ok\":true,\"summary\":\"page server listening\",\"port\":7450,\"start_ms\":3}",
                json.writeValueAsString(new PageServerAnswer(true, "page server listening", 7450, 3)));
        assertEquals("{\"ok\":false,\"error\":\"no such endpoint\"}", json.writeValueAsString(ErrorAnswer.of("no such endpoint")));
        assertEquals("{\"ok\":false,\"kind\":\"fenced\",\"error\":\"epoch 3 is below 5\"}",
                json.writeValueAsString(ErrorAnswer.of(ErrorAnswer.FENCED, "epoch 3 is below 5")));
        assertEquals("{\"ok\":true,\"server\":\"main-srv\",\"epoch\":5,\"fencedRefusals\":1}",
                json.writeValueAsString(new HealthAnswer(true, "main-srv", 5L, 1L)));
        assertEquals("{\"ok\":true,\"server\":\"main-srv\"}", json.writeValueAsString(new HealthAnswer(true, "main-srv")),
                "the answer of a daemon older than epochs");
        assertEquals("{\"ok\":true,\"summary\":\"frozen\",\"measurements\":{\"freeze_us\":\"12\"},\"done\":true}",
                json.writeValueAsString(OperationAnswer.of("frozen", Map.of("freeze_us", "12")).withDone(true)));
        assertEquals("{\"server\":\"main-srv\",\"workload\":\"stream\",\"found\":true,\"pid\":42,\"stopped\":false,"
                        + "\"vipPresent\":true}",
                json.writeValueAsString(new WorkloadStateAnswer("main-srv", "stream", null, true, 42, null, false, true)));
        GatewayPreflightAnswer g = json.readValue("{\"ok\":true,\"gateway\":\"gw\",\"mode\":\"bridge-per-vlan\","
                + "\"problems\":[{\"port\":\"p1\",\"kind\":\"wrong-vlan\",\"cause\":\"c\"}],\"lookup_us\":17}",
                GatewayPreflightAnswer.class);
        assertEquals(17, g.lookupUs());
        assertEquals("wrong-vlan", g.problems().get(0).kind());
    }

    @Test
    void aPreflightCarriesTheStateAndTheFreezeHistory() throws Exception {
        WorkloadStateAnswer s = new WorkloadStateAnswer("main-srv", "stream", null, true, 42, null, false, false);
        PreflightAnswer p = PreflightAnswer.criu(s, true, "Looks good.", List.of(new RecentMigration(90, 20_000, 4 << 20)),
                5L << 20);
        String text = json.writeValueAsString(p);
        assertTrue(text.contains("\"recentMigrations\":[{\"freezeMs\":90,\"transferUs\":20000,\"residentBytes\":4194304}]"), text);
        assertTrue(text.contains("\"residentBytes\":5242880"), text);
        assertFalse(text.contains("qemuOk"), text);
        PreflightAnswer back = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .readValue(text, PreflightAnswer.class);
        assertEquals(p, back);
        assertEquals(s, back.state());
        assertTrue(back.criuLooksGood());
    }
}

package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import net.sessionmigration.daemon.protocol.MigrationRequest;

/** The daemon's checks of a migration request ({@link Requests#check}) after the server's strict mapper read it. */
class MigrationRequestTest {
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private MigrationRequest read(String body) throws Exception {
        return Requests.check(json.readValue(body, MigrationRequest.class));
    }

    @Test
    void parsesAFullRequest() throws Exception {
        MigrationRequest r = read("""
                {"workload":"stream","vip":"10.20.0.100","target":"bak-srv","mode":"REPLICATE",
                 "targetClients":["10.10.1.2","10.10.1.3"]}""");
        assertTrue(r.replicate());
        assertEquals("bak-srv", r.target());
        assertEquals(2, Requests.targetClients(r).size());
    }

    @Test
    void defaultsToMove() throws Exception {
        MigrationRequest r = read("{\"workload\":\"stream\",\"vip\":\"10.20.0.100\"}");
        assertEquals("MOVE", r.mode());
        assertEquals(List.of(), r.targetClients());
    }

    @Test
    void refusesUnknownFields() {
        assertThrows(UnrecognizedPropertyException.class, () -> read(
                "{\"workload\":\"stream\",\"vip\":\"10.20.0.100\",\"command\":\"rm -rf /\"}"));
    }

    @Test
    void refusesBadValuesWithABadRequest() {
        for (String body : List.of(
                "{\"workload\":\"; rm -rf /\",\"vip\":\"10.20.0.100\"}",
                "{\"workload\":\"$(reboot)\",\"vip\":\"10.20.0.100\"}",
                "{\"workload\":\"../../etc\",\"vip\":\"10.20.0.100\"}",
                "{\"workload\":\"stream\",\"vip\":\"evil.example\"}",
                "{\"workload\":\"stream\",\"vip\":\"10.20.0.100\",\"target\":\"a b\"}",
                "{\"workload\":\"stream\",\"vip\":\"10.20.0.100\",\"mode\":\"EVERYTHING\"}",
                "{\"workload\":\"stream\",\"vip\":\"10.20.0.100\",\"targetClients\":[\"x;y\"]}")) {
            RequestNames.BadRequest e = assertThrows(RequestNames.BadRequest.class, () -> read(body), body);
            assertTrue(!e.getMessage().contains("rm -rf") && !e.getMessage().contains("evil"), e.getMessage());
        }
    }
}

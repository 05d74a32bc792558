package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

class MigrationRequestTest {
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    @Test
    void parsesAFullRequest() throws Exception {
        MigrationRequest r = json.readValue("""
                {"workload":"stream","vip":"10.20.0.100","target":"bak-srv","mode":"REPLICATE",
                 "targetClients":["10.10.1.2","10.10.1.3"]}""", MigrationRequest.class);
        assertTrue(r.replicate());
        assertEquals("bak-srv", r.target());
        assertEquals(2, r.targetClientAddresses().size());
    }

    @Test
    void defaultsToMove() throws Exception {
        MigrationRequest r = json.readValue("{\"workload\":\"stream\",\"vip\":\"10.20.0.100\"}", MigrationRequest.class);
        assertEquals("MOVE", r.mode());
        assertEquals(List.of(), r.targetClients());
    }

    @Test
    void refusesUnknownFields() {
        assertThrows(UnrecognizedPropertyException.class, () -> json.readValue(
                "{\"workload\":\"stream\",\"vip\":\"10.20.0.100\",\"command\":\"rm -rf /\"}", MigrationRequest.class));
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
            ValueInstantiationException e = assertThrows(ValueInstantiationException.class,
                    () -> json.readValue(body, MigrationRequest.class), body);
            assertTrue(e.getCause() instanceof RequestNames.BadRequest, body);
        }
    }
}

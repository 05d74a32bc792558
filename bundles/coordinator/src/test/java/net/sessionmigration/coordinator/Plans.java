package net.sessionmigration.coordinator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Plan texts for tests: a valid base plan that each test bends one way. */
final class Plans {
    static final ObjectMapper JSON = new ObjectMapper();

    static final String BASE = """
            {
              "schemaVersion": 1,
              "name": "evacuate-main",
              "description": "move the stream to the backup site",
              "mode": "MOVE",
              "virtualIp": "10.0.0.10",
              "servers": {
                "main-srv": {"site": "main"},
                "backup-srv": {"site": "backup"}
              },
              "workload": {
                "name": "stream", "driver": "criu-daemon", "source": "main-srv", "target": "backup-srv",
                "freeze": true, "moveVirtualIp": true, "options": {"downtime-ms": 50}
              },
              "devices": {
                "sw1": {"driver": "snmp-qbridge"},
                "gw1": {"driver": "netlink-gw"}
              },
              "users": [
                {"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 2, "nearBackup": true},
                {"name": "u2", "device": "sw1", "port": 2, "fromVlan": 1, "toVlan": 2},
                {"name": "u3", "device": "gw1", "port": "eth1", "fromVlan": 10, "toVlan": 20}
              ]
            }
            """;

    private Plans() {
    }

    static ObjectNode base() {
        try {
            return (ObjectNode) JSON.readTree(BASE);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static ObjectNode named(String name) {
        ObjectNode n = base();
        n.put("name", name);
        return n;
    }

    static String text(ObjectNode plan) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}

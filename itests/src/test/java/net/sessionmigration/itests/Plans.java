package net.sessionmigration.itests;

/** Plan files for the tests, each with its own workload and switch so tests do not share simulated state. */
final class Plans {
    private Plans() {
    }

    static String plan(String name, String mode, String moverType, String switchType) {
        return """
            {
              "schemaVersion": 1,
              "name": "%1$s",
              "description": "integration test plan %1$s",
              "mode": "%2$s",
              "virtualIp": "10.20.0.100",
              "servers": {"main-srv": {"site": "main"}, "backup-srv": {"site": "backup"}},
              "workload": {"name": "wl-%1$s", "driver": "%3$s", "source": "main-srv", "target": "backup-srv",
                           "freeze": true, "moveVirtualIp": true},
              "devices": {"sw-%1$s": {"driver": "%4$s"}},
              "users": [
                {"name": "u1", "device": "sw-%1$s", "port": "1", "fromVlan": 1, "toVlan": 2},
                {"name": "u2", "device": "sw-%1$s", "port": "2", "fromVlan": 1, "toVlan": 2, "nearBackup": true},
                {"name": "u3", "device": "sw-%1$s", "port": "3", "fromVlan": 1, "toVlan": 2}
              ]
            }
            """.formatted(name, mode, moverType, switchType);
    }

    static String simulated(String name, String mode) {
        return plan(name, mode, "simulated-mover", "simulated-switch");
    }

    /** A simulated plan whose switch is verified by the simulated probe from host {@code probe1}. */
    static String simulatedWithProbe(String name) {
        String plan = simulated(name, "MOVE");
        int end = plan.lastIndexOf('}');
        return plan.substring(0, end).stripTrailing()
                + ",\n  \"probe\": {\"driver\": \"simulated-probe\", \"host\": \"probe1\", \"port\": 7000}\n}\n";
    }

    /** Three mistakes at once: a VLAN out of range, a host name for the virtual IP, a user listed twice. */
    static String invalid(String name) {
        return """
            {
              "schemaVersion": 1,
              "name": "%1$s",
              "mode": "MOVE",
              "virtualIp": "video.example",
              "servers": {"main-srv": {"site": "main"}, "backup-srv": {"site": "backup"}},
              "workload": {"name": "wl", "driver": "simulated-mover", "source": "main-srv", "target": "backup-srv"},
              "devices": {"sw1": {"driver": "simulated-switch"}},
              "users": [
                {"name": "u1", "device": "sw1", "port": "1", "fromVlan": 1, "toVlan": 5000},
                {"name": "u1", "device": "sw1", "port": "2", "fromVlan": 1, "toVlan": 2}
              ]
            }
            """.formatted(name);
    }
}

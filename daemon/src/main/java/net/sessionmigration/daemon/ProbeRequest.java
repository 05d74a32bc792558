package net.sessionmigration.daemon;

import java.net.Inet4Address;

/**
 * Body of {@code POST /v1/probe}: {@code {"address":"10.20.0.100","port":7001,"timeoutMs":1000}}.
 * Unknown fields are refused by the server's mapper; each check below names its field and never
 * echoes the value.
 */
public record ProbeRequest(String address, Integer port, Integer timeoutMs) {
    static final int MAX_TIMEOUT_MS = 10_000;

    Inet4Address requireAddress() {
        return RequestNames.requireIpv4("address", address);
    }

    int requirePort() {
        if (port == null || port < 1 || port > 65535) {
            throw new RequestNames.BadRequest("port: a TCP port 1-65535 is required");
        }
        return port;
    }

    int requireTimeoutMs() {
        if (timeoutMs == null || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
            throw new RequestNames.BadRequest("timeoutMs: 1-" + MAX_TIMEOUT_MS + " ms is required");
        }
        return timeoutMs;
    }
}

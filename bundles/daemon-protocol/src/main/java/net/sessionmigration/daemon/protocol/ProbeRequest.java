package net.sessionmigration.daemon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code POST /v1/probe}: {@code {"address":"10.20.0.100","port":7001,"timeoutMs":1000}}:
 * one TCP connect from the daemon's network namespace. The daemon checks every field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProbeRequest(String address, Integer port, Integer timeoutMs) {
}

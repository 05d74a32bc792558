package net.sessionmigration.api.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated session-migration plan: what moves, where, and which users follow it.
 * Built only by the coordinator's plan loader, which checks every cross-reference.
 *
 * @param probe the user-side probe that verifies the switch before resume, if the plan names one
 * @param portsFromAnyVlan take a user's port from whatever VLAN it is on at the start, not only from
 *                         its {@code fromVlan}; the VLAN it was really on is journalled before the
 *                         switch and is the one a rollback puts it back on
 */
public record MigrationPlan(int schemaVersion, String name, String description, MigrationMode mode,
                            VirtualIp virtualIp, Map<String, Server> servers, Workload workload,
                            Map<String, Device> devices, List<UserAttachment> users, Optional<UserSideProbe> probe,
                            boolean portsFromAnyVlan) {
    public MigrationPlan {
        Names.require("plan name", name);
        servers = Map.copyOf(servers);
        devices = Map.copyOf(devices);
        users = List.copyOf(users);
        probe = probe == null ? Optional.empty() : probe;
    }

    /** A plan that takes ports only from their {@code fromVlan}. */
    public MigrationPlan(int schemaVersion, String name, String description, MigrationMode mode,
                         VirtualIp virtualIp, Map<String, Server> servers, Workload workload,
                         Map<String, Device> devices, List<UserAttachment> users, Optional<UserSideProbe> probe) {
        this(schemaVersion, name, description, mode, virtualIp, servers, workload, devices, users, probe, false);
    }

    /** A plan without a user-side probe. */
    public MigrationPlan(int schemaVersion, String name, String description, MigrationMode mode,
                         VirtualIp virtualIp, Map<String, Server> servers, Workload workload,
                         Map<String, Device> devices, List<UserAttachment> users) {
        this(schemaVersion, name, description, mode, virtualIp, servers, workload, devices, users, Optional.empty());
    }

    public Server sourceServer() {
        return servers.get(workload.source());
    }

    public Server targetServer() {
        return servers.get(workload.target());
    }

    /** The users this plan switches in the given mode: all of them in MOVE, those near the backup in REPLICATE. */
    public List<UserAttachment> usersToSwitch(MigrationMode effectiveMode) {
        return effectiveMode == MigrationMode.REPLICATE
                ? users.stream().filter(UserAttachment::nearBackup).toList()
                : users;
    }
}

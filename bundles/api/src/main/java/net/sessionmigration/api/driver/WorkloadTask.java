package net.sessionmigration.api.driver;

import java.util.Map;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.VirtualIp;

/** Everything a workload mover needs to know about one migration of one workload. */
public record WorkloadTask(String migrationId, String workload, Server source, Server target,
                           VirtualIp virtualIp, MigrationMode mode, boolean freeze, boolean moveVirtualIp,
                           Map<String, String> options) {
    public WorkloadTask {
        options = Map.copyOf(options);
    }
}

package net.sessionmigration.coordinator;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.ProbeTask;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;

/** A user-side probe that logs into the shared list and answers as told. */
final class FakeProbe implements ReachabilityProbe {
    final List<String> log;
    volatile String failure;
    volatile String preflightProblem;
    volatile ProbeTask lastTask;

    FakeProbe(List<String> log) {
        this.log = log;
    }

    @Override
    public Result<Preflight> preflight(ProbeTask task) {
        log.add("probe:preflight:" + task.probeHost());
        if (preflightProblem != null) {
            return Result.ok(new Preflight(List.of(new Problem(task.probeHost(), preflightProblem)), List.of(),
                    Duration.ZERO));
        }
        return Result.ok(Preflight.go(Duration.ofMillis(3), "probe host answers"));
    }

    @Override
    public Result<OpReport> probe(ProbeTask task, DriverContext context) {
        log.add("probe:probe:" + task.probeHost());
        lastTask = task;
        if (failure != null) {
            return Result.failed(task.probeHost(), failure);
        }
        return Result.ok(new OpReport("connected", Map.of("connect_us", "420")));
    }
}

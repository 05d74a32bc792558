package net.sessionmigration.traps;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.PlanStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Polls each polling load rule's agent on one scheduler thread and feeds the counts to the rule engine. */
public final class LoadPollers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadPollers.class);

    private final RuleEngine engine;
    private final MigrationService migrations;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sm-load-poller");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Running> running = new HashMap<>();

    private record Running(LoadRule rule, TcpConnectionPoller poller, ScheduledFuture<?> future) {
    }

    public LoadPollers(RuleEngine engine, MigrationService migrations) {
        this.engine = engine;
        this.migrations = migrations;
    }

    /** Starts pollers for new polling rules and stops those whose rule went away or changed. */
    public synchronized void sync() {
        List<LoadRule> wanted = engine.pollRules();
        running.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getValue().rule())) {
                stop(e.getValue());
                return true;
            }
            return false;
        });
        for (LoadRule rule : wanted) {
            if (running.containsKey(rule.name())) {
                continue;
            }
            LoadRule.PollSource src = (LoadRule.PollSource) rule.source();
            try {
                TcpConnectionPoller poller = new TcpConnectionPoller(src);
                ScheduledFuture<?> f = scheduler.scheduleWithFixedDelay(() -> pollOnce(rule, poller), 0,
                        src.interval().toMillis(), TimeUnit.MILLISECONDS);
                running.put(rule.name(), new Running(rule, poller, f));
            } catch (IOException | RuntimeException e) {
                engine.onPollError(rule.name(), "cannot open an SNMP session: " + e.getMessage());
            }
        }
    }

    private void pollOnce(LoadRule rule, TcpConnectionPoller poller) {
        LoadRule.PollSource src = (LoadRule.PollSource) rule.source();
        Optional<String> vip = src.virtualIp().or(() -> migrations.plan(rule.plan()).flatMap(PlanStatus::plan)
                .map(p -> p.virtualIp().address()));
        if (vip.isEmpty()) {
            engine.onPollError(rule.name(), "no virtual IP: plan '" + rule.plan() + "' is not loaded and virtual.ip is not set");
            return;
        }
        try {
            int count = poller.count(vip.get());
            engine.onLoadSample(rule.name(), count);
        } catch (IOException | RuntimeException e) {
            engine.onPollError(rule.name(), e.getMessage());
            LOG.debug("load rule '{}': poll failed: {}", rule.name(), e.toString());
        }
    }

    private static void stop(Running r) {
        r.future().cancel(false);
        r.poller().close();
    }

    @Override
    public synchronized void close() {
        running.values().forEach(LoadPollers::stop);
        running.clear();
        scheduler.shutdownNow();
    }
}

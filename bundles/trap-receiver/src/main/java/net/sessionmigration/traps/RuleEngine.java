package net.sessionmigration.traps;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.MigrationAdminService;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationService;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StartRequest;
import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.api.service.TriggerRuleStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for each trap or load sample, whether a rule starts its plan. Runs on the handler
 * thread (traps) and the poll thread (samples); every method is synchronized, and the only
 * outside calls are to the coordinator, which answers quickly (it runs migrations on its own thread).
 *
 * <p>Each trap is counted exactly once as matched, duplicates or ignored.
 *
 * <p>What a rule remembers (fired, when, which migration) is kept in the coordinator's journal
 * ({@link TriggerMemory}), written before the start it announces: a new engine (the receiver
 * reconfigured, its bundle or Karaf restarted) takes it back, so one alarm starts its plan once.
 * A rule whose configuration changed starts armed again.
 */
public final class RuleEngine {
    private static final Logger LOG = LoggerFactory.getLogger(RuleEngine.class);
    private static final int HISTORY_LOOKBACK = 100;

    private final MigrationAdminService admin;
    private final MigrationService migrations;
    private final TrapCounters counters;
    private final LongSupplier nanoClock;
    private final LongSupplier epochMicros;
    private final Map<String, RuleState> rules = new LinkedHashMap<>();

    public RuleEngine(MigrationAdminService admin, MigrationService migrations, TrapCounters counters) {
        this(admin, migrations, counters, System::nanoTime, RuleEngine::wallClockMicros);
    }

    /**
     * @param nanoClock  monotonic, for hold-downs inside one engine
     * @param epochMicros wall clock, for what the journal keeps across engines
     */
    public RuleEngine(MigrationAdminService admin, MigrationService migrations, TrapCounters counters,
                      LongSupplier nanoClock, LongSupplier epochMicros) {
        this.admin = admin;
        this.migrations = migrations;
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.epochMicros = epochMicros;
    }

    /** What the engine remembers about one rule between traps. */
    private static final class RuleState {
        final String key;
        final TriggerRule rule;
        final List<String> errors;
        long fired;
        boolean hasFired;
        long lastFiredNanos;
        long lastFiredEpochMicros;
        String lastMigrationId;
        String note = "armed";
        Double lastCount;
        final String fingerprint;

        RuleState(String key, TriggerRule rule, List<String> errors) {
            this.key = key;
            this.rule = rule;
            this.errors = errors;
            this.fingerprint = fingerprint(rule);
        }

        TriggerMemory memory() {
            return new TriggerMemory(rule.name(), fingerprint, fired, !hasFired, hasFired ? lastFiredEpochMicros : 0,
                    lastMigrationId);
        }
    }

    /** Identifies a rule's configuration without keeping any of it (a poll rule names credentials). */
    static String fingerprint(TriggerRule rule) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(rule.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Adds or replaces the rule configured under {@code key} (its config PID); a new rule starts armed. */
    public synchronized void putRule(String key, TriggerRule rule) {
        rules.remove(key);
        List<String> errors = new ArrayList<>();
        if (rule instanceof TriggerRule.Invalid invalid) {
            errors.addAll(invalid.errors());
        }
        for (RuleState other : rules.values()) {
            // an invalid rule never fires, so it does not take the name from a valid one
            if (!rule.name().isEmpty() && other.errors.isEmpty() && other.rule.name().equals(rule.name())) {
                errors.add("name: '" + rule.name() + "' is already used by another rule");
                break;
            }
        }
        RuleState state = new RuleState(key, rule, List.copyOf(errors));
        rules.put(key, state);
        if (!errors.isEmpty()) {
            LOG.warn("trigger rule '{}' ({}) is invalid and will not fire: {}", rule.name(), key, errors);
            return;
        }
        recall(state);
    }

    /** Takes back what the journal kept about this rule; a changed rule starts armed. */
    private void recall(RuleState s) {
        Optional<TriggerMemory> kept;
        try {
            kept = admin.triggerMemory(s.rule.name());
        } catch (RuntimeException e) {
            LOG.warn("trigger rule '{}': the journal cannot say whether it fired: {}", s.rule.name(), e.toString());
            return;
        }
        if (kept.isEmpty()) {
            return;
        }
        TriggerMemory m = kept.get();
        s.fired = m.fired();
        if (!m.fingerprint().equals(s.fingerprint)) {
            s.note = "armed (the rule changed)";
            remember(s);
            return;
        }
        if (!m.armed()) {
            s.hasFired = true;
            s.lastFiredEpochMicros = m.lastFiredEpochMicros();
            s.lastFiredNanos = nanoClock.getAsLong() - Math.max(0, epochMicros() - m.lastFiredEpochMicros()) * 1000;
            s.lastMigrationId = m.lastMigrationId().isEmpty() ? null : m.lastMigrationId();
            s.note = "fired at " + Instant.ofEpochSecond(0, m.lastFiredEpochMicros() * 1000) + ", migration "
                    + m.lastMigrationId() + " (kept in the journal)";
        }
    }

    /** Keeps the rule's memory in the journal; a journal that cannot take it is logged, not thrown at the receiver. */
    private void remember(RuleState s) {
        try {
            admin.rememberTrigger(s.memory());
        } catch (RuntimeException e) {
            LOG.error("trigger rule '{}': the journal did not keep its memory: {}", s.rule.name(), e.toString());
        }
    }

    public synchronized void removeRule(String key) {
        rules.remove(key);
    }

    /** Load rules that poll, valid ones only. */
    public synchronized List<LoadRule> pollRules() {
        return rules.values().stream().filter(s -> s.errors.isEmpty()).map(s -> s.rule)
                .filter(r -> r instanceof LoadRule l && l.source() instanceof LoadRule.PollSource)
                .map(LoadRule.class::cast).toList();
    }

    /** Handles one dequeued trap: counts it once as matched, duplicates or ignored. */
    public synchronized TrapOutcome onTrap(ReceivedTrap trap) {
        TrapOutcome outcome = TrapOutcome.IGNORED;
        for (RuleState s : rules.values()) {
            if (!s.errors.isEmpty()) {
                continue;
            }
            TrapOutcome o = null;
            if (s.rule instanceof DisasterRule d && d.matches(trap)) {
                o = onDisaster(s, d, trap);
            } else if (s.rule instanceof LoadRule l && l.source() instanceof LoadRule.TrapSource ts) {
                Optional<Double> count = ts.count(trap);
                if (count.isPresent()) {
                    o = onLoad(s, l, count.get(), "trap from " + trap.source());
                } else if (trap.hasTrapOid(ts.trapOid())) {
                    s.note = "last trap from " + trap.source() + " had no numeric " + ts.countOid();
                }
            }
            outcome = stronger(outcome, o);
        }
        counters.increment(trap.version(), outcome);
        return outcome;
    }

    /** A count from a poll of the plan's agent. */
    public synchronized TrapOutcome onLoadSample(String ruleName, double count) {
        for (RuleState s : rules.values()) {
            if (s.errors.isEmpty() && s.rule instanceof LoadRule l && l.name().equals(ruleName)) {
                return onLoad(s, l, count, "poll");
            }
        }
        return TrapOutcome.IGNORED;
    }

    /** Records why a poll did not give a count (shown in the rule's state). */
    public synchronized void onPollError(String ruleName, String why) {
        for (RuleState s : rules.values()) {
            if (s.rule.name().equals(ruleName)) {
                s.note = "poll failed: " + why;
            }
        }
    }

    /** Forgets that a rule fired: a disaster rule may start its plan again at the next alarm. */
    public synchronized boolean rearm(String ruleName) {
        for (RuleState s : rules.values()) {
            if (s.rule.name().equals(ruleName)) {
                s.hasFired = false;
                s.lastMigrationId = null;
                s.note = "armed (re-armed by operator)";
                if (s.errors.isEmpty()) {
                    remember(s);
                }
                return true;
            }
        }
        return false;
    }

    private static TrapOutcome stronger(TrapOutcome a, TrapOutcome b) {
        if (b == null) {
            return a;
        }
        if (a == TrapOutcome.MATCHED || b == TrapOutcome.MATCHED) {
            return TrapOutcome.MATCHED;
        }
        if (a == TrapOutcome.DUPLICATES || b == TrapOutcome.DUPLICATES) {
            return TrapOutcome.DUPLICATES;
        }
        return TrapOutcome.IGNORED;
    }

    /**
     * Alone: always. In a cluster every coordinator receives the traps (the NMS sends to all), and
     * only the leader acts: first it takes the rule's memory from the shared journal again, so that
     * a rule an earlier leader fired stays fired (one migration per alarm, across a failover).
     */
    private boolean actsHere(RuleState s) {
        ClusterStatus c = migrations.cluster();
        if (!c.clustered()) {
            return true;
        }
        if (!c.leading()) {
            s.note = "not acted on by this coordinator: " + c.whyNotLeading().orElse("it does not lead");
            return false;
        }
        recall(s);
        return true;
    }

    private TrapOutcome onDisaster(RuleState s, DisasterRule d, ReceivedTrap trap) {
        if (!actsHere(s)) {
            return TrapOutcome.IGNORED;
        }
        long now = nanoClock.getAsLong();
        if (s.hasFired && now - s.lastFiredNanos < d.holddown().toNanos()) {
            return TrapOutcome.DUPLICATES;
        }
        if (planRunning(d.plan())) {
            s.note = "alarm while plan '" + d.plan() + "' runs: dropped";
            return TrapOutcome.DUPLICATES;
        }
        if (s.hasFired && succeededSince(d.plan(), s.lastFiredEpochMicros)) {
            s.note = "plan '" + d.plan() + "' already done since the rule fired: alarms ignored until re-armed";
            return TrapOutcome.IGNORED;
        }
        if (migrations.plan(d.plan()).isEmpty()) {
            s.note = "plan '" + d.plan() + "' is unknown: alarm ignored";
            LOG.warn("trigger rule '{}': plan '{}' is unknown; trap {} from {} ignored", d.name(), d.plan(),
                    trap.trapOid(), trap.source());
            return TrapOutcome.IGNORED;
        }
        String why = "trap " + trap.trapOid() + " (" + trap.version().label() + ") from " + trap.source();
        return start(s, StartRequest.of(d.plan(), "trap:" + d.name()), why, now);
    }

    private TrapOutcome onLoad(RuleState s, LoadRule l, double count, String from) {
        s.lastCount = count;
        if (!actsHere(s)) {
            return TrapOutcome.IGNORED;
        }
        if (!(count > l.threshold())) {
            s.note = (s.hasFired ? "fired; " : "armed; ") + "count " + fmt(count) + " <= threshold " + fmt(l.threshold());
            return TrapOutcome.IGNORED;
        }
        Optional<PlanStatus> plan = migrations.plan(l.plan());
        if (plan.isEmpty()) {
            s.note = "plan '" + l.plan() + "' is unknown";
            return TrapOutcome.IGNORED;
        }
        if (plan.get().backupActive()) {
            s.note = "backup active, waits for reset (count " + fmt(count) + ")";
            return TrapOutcome.DUPLICATES;
        }
        long now = nanoClock.getAsLong();
        if (s.hasFired) {
            Optional<MigrationRecord> rec = s.lastMigrationId == null ? Optional.empty()
                    : migrations.migration(s.lastMigrationId);
            boolean running = rec.map(r -> !r.state().finished()).orElse(false) || planRunning(l.plan());
            if (running) {
                s.note = "fired, REPLICATE running (" + s.lastMigrationId + ")";
                return TrapOutcome.DUPLICATES;
            }
            boolean succeeded = rec.map(r -> r.state() == MigrationState.SUCCEEDED).orElse(true);
            if (!succeeded && now - s.lastFiredNanos < l.holddown().toNanos()) {
                // the REPLICATE failed and was rolled back: retry, but not faster than the hold-down
                s.note = "last REPLICATE ended " + rec.get().state() + "; retry after hold-down";
                return TrapOutcome.DUPLICATES;
            }
            // succeeded and the flag is clear again: the operator reset it, so the rule is re-armed
        }
        String why = "count " + fmt(count) + " > threshold " + fmt(l.threshold()) + " (" + from + ")";
        return start(s, StartRequest.of(l.plan(), "load:" + l.name()).withMode(MigrationMode.REPLICATE), why, now);
    }

    private TrapOutcome start(RuleState s, StartRequest request, String why, long now) {
        long startedEpochMicros = epochMicros(); // before start(): the coordinator stamps its record inside it
        TriggerMemory before = s.memory();
        // journalled before the start it announces: a crash in between leaves the rule fired, never armed twice
        try {
            admin.rememberTrigger(new TriggerMemory(s.rule.name(), s.fingerprint, s.fired + 1, false, startedEpochMicros,
                    ""));
        } catch (RuntimeException e) {
            s.note = "not started at " + Instant.now() + ": the journal cannot keep that the rule fired (" + e + ")";
            LOG.error("trigger rule '{}': {} but plan '{}' was not started: the journal cannot keep that the rule"
                    + " fired: {}", s.rule.name(), why, request.plan(), e.toString());
            return TrapOutcome.MATCHED;
        }
        Result<String> result;
        try {
            result = admin.start(request, event -> { });
        } catch (RuntimeException e) {
            result = Result.failed("coordinator", String.valueOf(e));
        }
        if (result.isOk()) {
            String id = result.orElseThrow();
            s.fired++;
            s.hasFired = true;
            s.lastFiredNanos = now;
            s.lastFiredEpochMicros = startedEpochMicros;
            s.lastMigrationId = id;
            remember(s);
            s.note = "fired at " + Instant.now() + " (" + why + "), migration " + id
                    + (s.rule instanceof DisasterRule d ? ", holding down " + d.holddown().toSeconds() + " s" : "");
            LOG.info("S701 trigger rule '{}' ({}): {} -> start plan '{}'{} as migration {}", s.rule.name(), s.rule.kind(),
                    why, request.plan(), request.mode().map(m -> " in " + m).orElse(""), id);
            return TrapOutcome.MATCHED;
        }
        try {
            admin.rememberTrigger(before);
        } catch (RuntimeException e) {
            LOG.error("trigger rule '{}': the journal did not take back its memory: {}", s.rule.name(), e.toString());
        }
        String problem = result.failure().map(Object::toString).orElse("?");
        s.note = "start refused at " + Instant.now() + ": " + problem;
        LOG.warn("trigger rule '{}': {} but the coordinator refused to start plan '{}': {}", s.rule.name(), why,
                request.plan(), problem);
        return TrapOutcome.MATCHED;
    }

    private boolean planRunning(String plan) {
        return migrations.running().stream().anyMatch(r -> r.plan().equals(plan) && !r.state().finished());
    }

    private boolean succeededSince(String plan, long epochMicros) {
        return migrations.history(HISTORY_LOOKBACK).stream()
                .anyMatch(r -> r.plan().equals(plan) && r.state() == MigrationState.SUCCEEDED
                        && r.startMicros() >= epochMicros);
    }

    private long epochMicros() {
        return epochMicros.getAsLong();
    }

    private static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    public synchronized List<TriggerRuleStatus> statuses() {
        List<TriggerRuleStatus> out = new ArrayList<>();
        for (RuleState s : rules.values()) {
            List<String> errors = new ArrayList<>(s.errors);
            if (errors.isEmpty() && migrations.plan(s.rule.plan()).isEmpty()) {
                errors.add("plan: '" + s.rule.plan() + "' is not a known plan");
            }
            String state = s.note;
            if (s.rule instanceof LoadRule && s.lastCount != null && !state.contains("count")) {
                state = state + "; last count " + fmt(s.lastCount);
            }
            out.add(new TriggerRuleStatus(s.rule.name(), s.rule.kind(), s.rule.plan(), errors,
                    errors.isEmpty() ? state : "invalid: does not fire", s.fired));
        }
        return out;
    }
}

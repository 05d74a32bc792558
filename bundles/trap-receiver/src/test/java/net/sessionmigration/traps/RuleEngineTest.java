package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.service.ClusterStatus;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.TriggerMemory;
import net.sessionmigration.api.service.TriggerRuleStatus;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RuleEngineTest {
    static final String UPS_ON_BATTERY = "1.3.6.1.2.1.33.2.1";
    static final String LOAD_TRAP = "1.3.6.1.4.1.99999.0.1";
    static final String LOAD_COUNT = "1.3.6.1.4.1.99999.1.1.0";

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    FakeCoordinator coordinator;
    TrapCounters counters;
    RuleEngine engine;

    @BeforeEach
    void setUp() {
        coordinator = new FakeCoordinator().plan("evacuate-main", "10.0.0.10").plan("load-main", "10.0.0.20");
        counters = new TrapCounters();
        engine = new RuleEngine(coordinator, coordinator, counters, clock::get, this::epochMicros);
    }

    static ReceivedTrap trap(SnmpVersion v, String source, String oid, Map<String, String> varbinds) {
        return new ReceivedTrap(v, source, 40000, oid, Optional.empty(), varbinds, false, System.nanoTime());
    }

    static ReceivedTrap ups(String source) {
        return trap(SnmpVersion.V2C, source, UPS_ON_BATTERY, Map.of("1.3.6.1.2.1.33.1.2.1.0", "3"));
    }

    void disasterRule(Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>(RuleValidationTest.disaster());
        m.putAll(extra);
        engine.putRule("pid.disaster", TriggerRule.disaster(m));
    }

    void loadRule(Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>(RuleValidationTest.load());
        m.putAll(extra);
        engine.putRule("pid.load", TriggerRule.load(m));
    }

    /** The wall clock moves with the test's clock. */
    long epochMicros() {
        return 1_700_000_000_000_000L + clock.get() / 1000;
    }

    void advanceSeconds(long s) {
        clock.addAndGet(s * 1_000_000_000L);
    }

    @Test
    void matchingTrapStartsThePlanWithTrapTrigger() {
        disasterRule(Map.of());
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")));
        assertEquals(1, coordinator.starts.size());
        assertEquals("evacuate-main", coordinator.starts.get(0).request().plan());
        assertEquals("trap:ups-on-battery", coordinator.starts.get(0).request().trigger());
        assertTrue(coordinator.starts.get(0).request().mode().isEmpty(), "disaster uses the plan's own mode");
        assertEquals(1, counters.get(SnmpVersion.V2C, TrapOutcome.MATCHED));
    }

    @Test
    void varbindAndSourceConditions() {
        disasterRule(Map.of("varbind.matches", "1.3.6.1.2.1.33.1.2.1.0=3", "source.address", "192.0.2.10"));
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(ups("192.0.2.99")), "other source");
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(trap(SnmpVersion.V2C, "192.0.2.10", UPS_ON_BATTERY,
                Map.of("1.3.6.1.2.1.33.1.2.1.0", "2"))), "other value");
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(trap(SnmpVersion.V2C, "192.0.2.10", UPS_ON_BATTERY, Map.of())),
                "varbind missing");
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(trap(SnmpVersion.V2C, "192.0.2.10", "1.3.6.1.2.1.33.2.2",
                Map.of("1.3.6.1.2.1.33.1.2.1.0", "3"))), "other trap");
        assertEquals(0, coordinator.starts.size());
        assertEquals(4, counters.get(SnmpVersion.V2C, TrapOutcome.IGNORED));
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")));
    }

    @Test
    void v1EnterpriseSpecificTrapMatchesTheSmiV1Numbering() {
        disasterRule(Map.of());
        // snmptrap -v1 ... 1.3.6.1.2.1.33.2 <agent> 6 1: RFC 3584 gives enterprise.0.specific
        ReceivedTrap v1 = new ReceivedTrap(SnmpVersion.V1, "192.0.2.10", 162, "1.3.6.1.2.1.33.2.0.1",
                Optional.of("1.3.6.1.2.1.33.2.1"), Map.of(), false, 0);
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(v1));
    }

    @Test
    void burstWithinHoldDownStartsOneMigration() {
        disasterRule(Map.of("holddown.seconds", "60"));
        for (int i = 0; i < 50; i++) {
            engine.onTrap(ups("192.0.2.10"));
        }
        assertEquals(1, coordinator.starts.size());
        assertEquals(1, counters.get(SnmpVersion.V2C, TrapOutcome.MATCHED));
        assertEquals(49, counters.get(SnmpVersion.V2C, TrapOutcome.DUPLICATES));
        assertTrue(engine.statuses().get(0).state().startsWith("fired at"), engine.statuses()::toString);
        assertEquals(1, engine.statuses().get(0).fired());
    }

    static ClusterStatus member(String name, boolean leading) {
        return new ClusterStatus(name, true, leading, Optional.of(leading ? name : "site-a"), 3, "CONNECTED",
                List.of("site-a", "site-b"), "zk:2181", leading ? Optional.empty()
                        : Optional.of("this coordinator (" + name + ") follows; the leader is site-a: start migrations there"));
    }

    @Test
    void inAClusterAFollowerDoesNotActAndSaysWhoDoes() {
        coordinator.cluster = member("site-b", false);
        disasterRule(Map.of());
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(ups("192.0.2.10")));
        assertEquals(0, coordinator.starts.size());
        assertTrue(coordinator.triggers.isEmpty(), "a follower writes nothing");
        assertTrue(engine.statuses().get(0).state().contains("the leader is site-a"), engine.statuses()::toString);
    }

    @Test
    void aNewLeaderTakesTheRulesMemoryFromTheSharedJournal() {
        // site-b's engine has had the rule since start, armed; then site-a, the leader, fired it and died
        coordinator.cluster = member("site-b", false);
        Map<String, Object> m = new HashMap<>(RuleValidationTest.disaster());
        m.put("holddown.seconds", "60");
        TriggerRule rule = TriggerRule.disaster(m);
        engine.putRule("pid.disaster", rule);
        coordinator.triggers.put(rule.name(), new TriggerMemory(rule.name(), RuleEngine.fingerprint(rule), 1, false,
                epochMicros(), "m-site-a"));
        advanceSeconds(10);
        coordinator.cluster = member("site-b", true);
        assertEquals(TrapOutcome.DUPLICATES, engine.onTrap(ups("192.0.2.10")), "the alarm site-a acted on, held down");
        assertEquals(0, coordinator.starts.size(), "one alarm, one migration across the failover");
        advanceSeconds(60);
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")), "after the hold-down the new leader acts");
    }

    /** The receiver reconfigured, its bundle or Karaf restarted: a new engine over the same journal. */
    RuleEngine restarted(Map<String, Object> disaster) {
        engine = new RuleEngine(coordinator, coordinator, counters, clock::get, this::epochMicros);
        disasterRule(disaster);
        return engine;
    }

    @Test
    void aNewEngineRemembersThatTheRuleFiredAndItsHoldDown() {
        disasterRule(Map.of("holddown.seconds", "60"));
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")));

        restarted(Map.of("holddown.seconds", "60"));
        assertEquals(TrapOutcome.DUPLICATES, engine.onTrap(ups("192.0.2.10")), "the same alarm, still held down");
        assertEquals(1, coordinator.starts.size(), "one alarm, one start");
        TriggerRuleStatus st = engine.statuses().get(0);
        assertEquals(1, st.fired());
        assertTrue(st.state().contains("kept in the journal") || st.state().startsWith("fired"), st::toString);

        coordinator.finish(coordinator.starts.get(0).id(), MigrationState.SUCCEEDED);
        advanceSeconds(61);
        restarted(Map.of("holddown.seconds", "60"));
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(ups("192.0.2.10")), "done, and not re-armed by a restart");
        assertEquals(1, coordinator.starts.size());
    }

    @Test
    void theMemoryIsJournalledBeforeTheStartItAnnounces() {
        disasterRule(Map.of());
        coordinator.onStart = request -> {
            var m = coordinator.triggerMemory("ups-on-battery").orElseThrow(() -> new AssertionError("nothing kept"));
            assertFalse(m.armed(), "kept as fired before the coordinator is asked");
            assertEquals(1, m.fired());
        };
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")));
        var kept = coordinator.triggerMemory("ups-on-battery").orElseThrow();
        assertEquals(coordinator.starts.get(0).id(), kept.lastMigrationId());
    }

    @Test
    void noStartWhenTheJournalCannotKeepThatTheRuleFired() {
        disasterRule(Map.of());
        coordinator.journalClosed = true;
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")));
        assertEquals(0, coordinator.starts.size(), "a start the journal cannot record could repeat after a restart");
        assertTrue(engine.statuses().get(0).state().startsWith("not started"), engine.statuses()::toString);
    }

    @Test
    void aRefusedStartLeavesTheRuleArmedInTheJournal() {
        disasterRule(Map.of());
        coordinator.refuseStarts = true;
        engine.onTrap(ups("192.0.2.10"));
        assertTrue(coordinator.triggerMemory("ups-on-battery").map(m -> m.armed() && m.fired() == 0).orElse(true));
    }

    @Test
    void rearmAndAChangedRuleAreKeptToo() {
        disasterRule(Map.of("holddown.seconds", "1"));
        engine.onTrap(ups("192.0.2.10"));
        coordinator.finish(coordinator.starts.get(0).id(), MigrationState.SUCCEEDED);
        advanceSeconds(5);
        assertTrue(engine.rearm("ups-on-battery"));
        restarted(Map.of("holddown.seconds", "1"));
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")), "re-armed by the operator, also after a restart");
        assertEquals(2, coordinator.starts.size());

        coordinator.finish(coordinator.starts.get(1).id(), MigrationState.SUCCEEDED);
        advanceSeconds(5);
        restarted(Map.of("holddown.seconds", "2"));
        assertEquals("armed (the rule changed)", engine.statuses().get(0).state());
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")), "a changed rule starts armed");
        assertEquals(3, engine.statuses().get(0).fired());
    }

    @Test
    void alarmWhilePlanRunsIsADuplicateEvenAfterHoldDown() {
        disasterRule(Map.of("holddown.seconds", "1"));
        engine.onTrap(ups("192.0.2.10"));
        advanceSeconds(5);
        assertEquals(TrapOutcome.DUPLICATES, engine.onTrap(ups("192.0.2.10")));
        assertEquals(1, coordinator.starts.size());
    }

    @Test
    void alarmForAPlanAlreadyDoneIsIgnoredUntilRearmed() {
        disasterRule(Map.of("holddown.seconds", "1"));
        engine.onTrap(ups("192.0.2.10"));
        coordinator.finish(coordinator.starts.get(0).id(), MigrationState.SUCCEEDED);
        advanceSeconds(5);
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(ups("192.0.2.10")));
        assertTrue(engine.statuses().get(0).state().contains("already done"));
        assertTrue(engine.rearm("ups-on-battery"));
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")));
        assertEquals(2, coordinator.starts.size());
    }

    @Test
    void rolledBackMigrationLetsTheNextAlarmRetryAfterHoldDown() {
        disasterRule(Map.of("holddown.seconds", "10"));
        engine.onTrap(ups("192.0.2.10"));
        coordinator.finish(coordinator.starts.get(0).id(), MigrationState.ROLLED_BACK);
        assertEquals(TrapOutcome.DUPLICATES, engine.onTrap(ups("192.0.2.10")));
        advanceSeconds(11);
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(ups("192.0.2.10")));
    }

    @Test
    void unknownPlanIsIgnoredAndReported() {
        disasterRule(Map.of("plan", "no-such-plan"));
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(ups("192.0.2.10")));
        assertEquals(0, coordinator.starts.size());
        TriggerRuleStatus s = engine.statuses().get(0);
        assertFalse(s.valid());
        assertEquals(List.of("plan: 'no-such-plan' is not a known plan"), s.errors());
    }

    @Test
    void invalidAndDuplicateNamedRulesNeverFire() {
        disasterRule(Map.of("trap.oid", "not-an-oid"));
        engine.putRule("pid.other", TriggerRule.disaster(RuleValidationTest.disaster()));
        engine.putRule("pid.third", TriggerRule.disaster(RuleValidationTest.disaster()));
        List<TriggerRuleStatus> st = engine.statuses();
        assertFalse(st.get(0).valid());
        assertTrue(st.get(1).valid());
        assertTrue(st.get(2).errors().contains("name: 'ups-on-battery' is already used by another rule"));
        engine.onTrap(ups("192.0.2.10"));
        assertEquals(1, coordinator.starts.size(), "only the valid one fires");
    }

    private static ReceivedTrap loadTrap(String count) {
        Map<String, String> vb = new LinkedHashMap<>();
        vb.put(LOAD_COUNT, count);
        return trap(SnmpVersion.V3, "192.0.2.20", LOAD_TRAP, vb);
    }

    @Test
    void loadRuleFiresReplicateOnceUntilResetThenRearms() {
        loadRule(Map.of("holddown.seconds", "0"));
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(loadTrap("2")), "2 <= 2.5");
        assertEquals(TrapOutcome.MATCHED, engine.onTrap(loadTrap("3")), "3 > 2.5: the seed's example");
        FakeCoordinator.Start s = coordinator.starts.get(0);
        assertEquals(MigrationMode.REPLICATE, s.request().mode().orElseThrow());
        assertEquals("load:main-load", s.request().trigger());
        assertEquals(TrapOutcome.DUPLICATES, engine.onTrap(loadTrap("4")), "REPLICATE still running");

        coordinator.finish(s.id(), MigrationState.SUCCEEDED); // sets backup-active
        for (int i = 0; i < 5; i++) {
            assertEquals(TrapOutcome.DUPLICATES, engine.onLoadSample("main-load", 10));
        }
        assertTrue(engine.statuses().get(0).state().startsWith("backup active, waits for reset"),
                engine.statuses()::toString);
        assertEquals(1, coordinator.starts.size());

        coordinator.resetBackupActive("load-main");
        assertEquals(TrapOutcome.IGNORED, engine.onLoadSample("main-load", 1), "below threshold: nothing");
        assertEquals(TrapOutcome.MATCHED, engine.onLoadSample("main-load", 3), "re-armed after the reset");
        assertEquals(2, coordinator.starts.size());
    }

    @Test
    void loadRuleDoesNotFireWhileBackupActive() {
        loadRule(Map.of());
        coordinator.setBackupActive("load-main", true);
        assertEquals(TrapOutcome.DUPLICATES, engine.onTrap(loadTrap("100")));
        assertEquals(0, coordinator.starts.size());
    }

    @Test
    void failedReplicateRetriesOnlyAfterHoldDown() {
        loadRule(Map.of("holddown.seconds", "30"));
        engine.onLoadSample("main-load", 5);
        coordinator.finish(coordinator.starts.get(0).id(), MigrationState.ROLLED_BACK);
        assertEquals(TrapOutcome.DUPLICATES, engine.onLoadSample("main-load", 5));
        advanceSeconds(31);
        assertEquals(TrapOutcome.MATCHED, engine.onLoadSample("main-load", 5));
    }

    @Test
    void loadTrapWithoutNumericCountIsIgnored() {
        loadRule(Map.of());
        assertEquals(TrapOutcome.IGNORED, engine.onTrap(loadTrap("many")));
        assertTrue(engine.statuses().get(0).state().contains("no numeric"));
    }

    @Test
    void eachTrapIsCountedOnceUnderItsVersion() {
        disasterRule(Map.of());
        loadRule(Map.of());
        engine.onTrap(ups("192.0.2.10"));                                  // matched v2c
        engine.onTrap(ups("192.0.2.10"));                                  // duplicate v2c
        engine.onTrap(trap(SnmpVersion.V1, "192.0.2.1", "1.3.6.1.6.3.1.1.5.1", Map.of())); // coldStart: ignored v1
        engine.onTrap(loadTrap("7"));                                      // matched v3
        Map<String, Map<String, Long>> snap = counters.snapshot();
        assertEquals(1L, snap.get("v2c").get("matched"));
        assertEquals(1L, snap.get("v2c").get("duplicates"));
        assertEquals(1L, snap.get("v1").get("ignored"));
        assertEquals(1L, snap.get("v3").get("matched"));
        assertEquals(0L, snap.get("unknown").get("received"));
        assertEquals(List.of("received", "matched", "duplicates", "ignored", "malformed", "authFailures", "queueDrops",
                "informsAcked"), List.copyOf(snap.get("v1").keySet()));
        assertEquals(2, counters.total(TrapOutcome.MATCHED));
        assertEquals(32, counters.flat().size());
    }
}

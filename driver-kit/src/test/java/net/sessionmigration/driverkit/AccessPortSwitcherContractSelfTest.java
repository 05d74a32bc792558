package net.sessionmigration.driverkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/** The kit itself: a correct switcher passes, a broken one fails the right test, a missing hook skips. */
class AccessPortSwitcherContractSelfTest {

    @Test
    void aCorrectSwitcherPassesEveryTest() {
        TestExecutionSummary s = run(Correct.class);
        assertEquals(List.of(), failed(s), "failures");
        assertEquals(0, s.getTestsSkippedCount() + s.getTestsAbortedCount(), "skipped");
        assertEquals(15, s.getTestsSucceededCount(), "passed");
    }

    @Test
    void withoutHooksTheTestsThatNeedThemAreSkippedNotPassed() {
        TestExecutionSummary s = run(NoHooks.class);
        assertEquals(List.of(), failed(s), "failures");
        assertEquals(5, s.getTestsAbortedCount(), "tests skipped by an assumption");
        assertEquals(10, s.getTestsSucceededCount(), "passed");
    }

    @Test
    void aSwitcherWhoseRestoreDoesNotPutBackFailsTheRestoreTests() {
        assertEquals(List.of("aFailedMoveNamesThePortAndTheRestorePutsBackWhatMoved()",
                "restoreLeavesAPortOnAThirdVlanAloneAndNamesIt()", "restoreLeavesAlonePortsAlreadyOnTheirFromVlan()",
                "restorePutsEveryPortBackAndIsIdempotent()"), failed(run(RestoreDoesNothing.class)));
    }

    @Test
    void aSwitcherWhoseRestoreMovesAPortOnAThirdVlanFailsTheThirdVlanTests() {
        assertEquals(List.of("moveRefusesAPortOnAThirdVlanAndWritesNothingForIt()",
                "restoreLeavesAPortOnAThirdVlanAloneAndNamesIt()"), failed(run(RestoreTakesEveryPort.class)));
    }

    @Test
    void aSwitcherThatDoesNotReadBeforeItWritesFailsTheThirdVlanMoveTest() {
        assertEquals(List.of("moveRefusesAPortOnAThirdVlanAndWritesNothingForIt()"), failed(run(NoReadBeforeWrite.class)));
    }

    @Test
    void aSwitcherWhoseMoveRefusesPortsAlreadyMovedFailsTheIdempotenceTest() {
        assertEquals(List.of("moveIsIdempotent()"), failed(run(NotIdempotent.class)));
    }

    @Test
    void aSwitcherThatMovesTheWholeVlanFailsTheBystanderTest() {
        assertEquals(List.of("moveLeavesOtherPortsAlone()"), failed(run(WholeVlan.class)));
    }

    @Test
    void aSwitcherThatIgnoresTheFenceFailsTheFenceTest() {
        assertEquals(List.of("aFencedMoveChangesNothingAndSaysWhy()"), failed(run(IgnoresFence.class)));
    }

    private static TestExecutionSummary run(Class<?> contract) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(contract))
                .build(), listener);
        return listener.getSummary();
    }

    private static List<String> failed(TestExecutionSummary s) {
        return s.getFailures().stream().map(f -> f.getTestIdentifier().getDisplayName()).sorted().toList();
    }

    // ---- the contract against switchers in memory

    static class Correct extends AccessPortSwitcherContract {
        final MemorySwitcher sw = newSwitcher();

        MemorySwitcher newSwitcher() {
            return new MemorySwitcher();
        }

        @Override
        protected AccessPortSwitcher switcher() {
            return sw;
        }

        @Override
        protected List<AccessPort> ports() {
            return List.of(new AccessPort("sw1", "1"), new AccessPort("sw1", "2"), new AccessPort("sw2", "7"));
        }

        @Override
        protected VlanId homeVlan() {
            return VlanId.of(10);
        }

        @Override
        protected VlanId otherVlan() {
            return VlanId.of(20);
        }

        @Override
        protected void putOn(AccessPort port, VlanId vlan) {
            synchronized (sw) {
                sw.vlans.put(port, vlan);
            }
        }

        @Override
        protected Optional<Runnable> failNextMoveOf(AccessPort port) {
            return Optional.of(() -> sw.refused.add(port));
        }

        @Override
        protected Optional<VlanId> vlanMissingOnDevice() {
            return Optional.of(VlanId.of(4000));
        }

        @Override
        protected Optional<VlanId> thirdVlan() {
            return Optional.of(VlanId.of(30));
        }
    }

    static class NoHooks extends Correct {
        @Override
        protected Optional<Runnable> failNextMoveOf(AccessPort port) {
            return Optional.empty();
        }

        @Override
        protected Optional<VlanId> vlanMissingOnDevice() {
            return Optional.empty();
        }

        @Override
        protected Optional<VlanId> thirdVlan() {
            return Optional.empty();
        }
    }

    static class RestoreDoesNothing extends Correct {
        @Override
        MemorySwitcher newSwitcher() {
            MemorySwitcher s = new MemorySwitcher();
            s.restorePutsBack = false;
            return s;
        }
    }

    static class RestoreTakesEveryPort extends Correct {
        @Override
        MemorySwitcher newSwitcher() {
            MemorySwitcher s = new MemorySwitcher();
            s.restoreEveryPort = true;
            return s;
        }
    }

    static class NoReadBeforeWrite extends Correct {
        @Override
        MemorySwitcher newSwitcher() {
            MemorySwitcher s = new MemorySwitcher();
            s.readBeforeWrite = false;
            return s;
        }
    }

    static class NotIdempotent extends Correct {
        @Override
        MemorySwitcher newSwitcher() {
            MemorySwitcher s = new MemorySwitcher();
            s.idempotent = false;
            return s;
        }
    }

    static class WholeVlan extends Correct {
        @Override
        MemorySwitcher newSwitcher() {
            MemorySwitcher s = new MemorySwitcher();
            s.wholeVlan = true;
            return s;
        }
    }

    static class IgnoresFence extends Correct {
        @Override
        MemorySwitcher newSwitcher() {
            MemorySwitcher s = new MemorySwitcher();
            s.honoursFence = false;
            return s;
        }
    }

    /** A switcher in memory, correct unless told otherwise. */
    static class MemorySwitcher implements AccessPortSwitcher {
        final Map<AccessPort, VlanId> vlans = new LinkedHashMap<>();
        final Set<AccessPort> refused = new HashSet<>();
        final Set<VlanId> existing = new TreeSet<>(List.of(VlanId.of(10), VlanId.of(20), VlanId.of(30)));
        /** Restore sets the ports on their to VLAN back (false: it does nothing and says it did). */
        boolean restorePutsBack = true;
        /** Restore puts every port on its from VLAN, wherever it is (someone else's too). */
        boolean restoreEveryPort;
        /** Move refuses a port on a third VLAN before writing anything (false: it writes regardless). */
        boolean readBeforeWrite = true;
        /** Move takes a port already on its to VLAN as moved (false: it refuses it, as if elsewhere). */
        boolean idempotent = true;
        /** Moves every port of the device that is on the from VLAN, not just the one asked for. */
        boolean wholeVlan;
        /** Asks the context whether it is fenced before it writes (false: writes regardless). */
        boolean honoursFence = true;

        @Override
        public synchronized Result<Preflight> preflight(List<PortMove> moves) {
            List<Problem> problems = new ArrayList<>();
            for (PortMove m : moves) {
                if (!m.from().equals(vlans.get(m.port()))) {
                    problems.add(new Problem(m.port().device(), "port " + m.port().port() + " is on VLAN "
                            + vlans.get(m.port()) + ", expected " + m.from()));
                }
                if (!existing.contains(m.to())) {
                    problems.add(new Problem(m.port().device(), "VLAN " + m.to() + " does not exist"));
                }
            }
            return Result.ok(new Preflight(problems, List.of(), Duration.ZERO));
        }

        @Override
        public synchronized Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
            Map<AccessPort, VlanId> out = new LinkedHashMap<>();
            ports.forEach(p -> out.put(p, vlans.get(p)));
            return Result.ok(out);
        }

        @Override
        public synchronized Result<OpReport> move(List<PortMove> moves, DriverContext context) {
            for (PortMove m : moves) {
                VlanId now = vlans.get(m.port());
                boolean ours = m.from().equals(now) || idempotent && m.to().equals(now);
                if (readBeforeWrite && !ours) {
                    return Result.failed(m.port().device(), "port " + m.port().port() + " is on VLAN " + now
                            + ", the plan expects " + m.from() + "; nothing was set");
                }
            }
            if (honoursFence && context.fenced().isPresent()) {
                return Result.failed(moves.get(0).port().device(), "nothing set: " + context.fenced().get());
            }
            List<String> moved = new ArrayList<>();
            for (PortMove m : moves) {
                if (refused.remove(m.port())) {
                    return Result.failed(m.port().device(), "port " + m.port().port() + " refused VLAN " + m.to()
                            + "; moved before the failure: " + moved);
                }
                List<AccessPort> hit = wholeVlan
                        ? vlans.keySet().stream().filter(p -> p.device().equals(m.port().device())
                                && m.from().equals(vlans.get(p))).toList()
                        : List.of(m.port());
                hit.forEach(p -> vlans.put(p, m.to()));
                vlans.put(m.port(), m.to());
                moved.add(m.port().toString());
            }
            return Result.ok(OpReport.of("moved " + moves.size()));
        }

        @Override
        public synchronized Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
            List<String> left = new ArrayList<>();
            for (PortMove m : moves) {
                VlanId now = vlans.get(m.port());
                if (restoreEveryPort || restorePutsBack && m.to().equals(now)) {
                    vlans.put(m.port(), m.from());
                } else if (!m.from().equals(now) && !m.to().equals(now)) {
                    left.add("port " + m.port().port() + " of " + m.port().device() + " on VLAN " + now);
                }
            }
            return Result.ok(OpReport.of("restored" + (left.isEmpty() ? "" : "; left alone " + left)));
        }
    }
}

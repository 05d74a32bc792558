package net.sessionmigration.driverkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * {@link ContractRunner} on the kit's own switchers in memory ({@link AccessPortSwitcherContractSelfTest}):
 * a line per test with the right verdict, the counts, and an exit status that is 0 only when
 * nothing failed and nothing was skipped (or skips were allowed). The counts are checked against
 * what the JUnit launcher itself counts for the same classes, so the test holds as the kit grows.
 */
class ContractRunnerTest {
    private static final String CORRECT = AccessPortSwitcherContractSelfTest.Correct.class.getName();
    private static final String NO_HOOKS = AccessPortSwitcherContractSelfTest.NoHooks.class.getName();
    private static final String RESTORE_DOES_NOTHING = AccessPortSwitcherContractSelfTest.RestoreDoesNothing.class.getName();

    /** What one run printed and answered. */
    record Run(int status, List<String> out, String err) {
        String summary() {
            return out.get(out.size() - 1);
        }

        List<String> starting(String verdict) {
            return out.stream().filter(l -> l.startsWith(verdict + " ")).toList();
        }
    }

    /** What the launcher itself counts for these classes, in the runner's words. */
    private static TestExecutionSummary launcher(Class<?>... classes) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toList()).build(), listener);
        return listener.getSummary();
    }

    private static String summary(TestExecutionSummary s) {
        return s.getTestsSucceededCount() + " passed, " + s.getTestsFailedCount() + " failed, "
                + (s.getTestsSkippedCount() + s.getTestsAbortedCount()) + " skipped";
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ContractRunner.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8).lines().toList(), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCorrectDriverGetsAPassLinePerTestAndExitsZero() {
        TestExecutionSummary expected = launcher(AccessPortSwitcherContractSelfTest.Correct.class);
        assertTrue(expected.getTestsSucceededCount() > 0 && expected.getTestsSucceededCount() == expected.getTestsFoundCount(),
                "the kit's correct switcher passes every test: " + summary(expected));
        Run r = run(CORRECT);
        assertEquals(summary(expected), r.summary());
        assertEquals(expected.getTestsSucceededCount(), r.starting("PASS").size(), r.out().toString());
        assertEquals(expected.getTestsSucceededCount() + 1, r.out().size(), "one line per test and the summary: " + r.out());
        assertTrue(r.out().contains("PASS AccessPortSwitcherContractSelfTest$Correct.movePutsEveryPortOnItsToVlan"), r.out().toString());
        assertEquals(0, r.status());
    }

    @Test
    void skippedTestsFailTheRunUnlessSkipsAreAllowed() {
        TestExecutionSummary expected = launcher(AccessPortSwitcherContractSelfTest.NoHooks.class);
        assertTrue(expected.getTestsAbortedCount() > 0 && expected.getTestsFailedCount() == 0,
                "without hooks some tests are skipped, none fails: " + summary(expected));
        Run strict = run(NO_HOOKS);
        assertEquals(summary(expected), strict.summary());
        assertEquals(expected.getTestsAbortedCount(), strict.starting("SKIP").size(), strict.out().toString());
        assertEquals(1, strict.status(), "a skipped test is not a pass");
        assertTrue(strict.starting("SKIP").stream().anyMatch(l -> l.startsWith(
                "SKIP AccessPortSwitcherContractSelfTest$NoHooks.moveRefusesAPortOnAThirdVlanAndWritesNothingForIt: ")
                && l.contains("thirdVlan() is empty")), "the SKIP line gives the assumption's reason: " + strict.out());

        Run lenient = run(ContractRunner.ALLOW_SKIPS, NO_HOOKS);
        assertEquals(summary(expected), lenient.summary());
        assertEquals(0, lenient.status());
    }

    @Test
    void aBrokenDriverFailsNamingEachTestWithTheFirstLineOfItsFailure() {
        TestExecutionSummary expected = launcher(AccessPortSwitcherContractSelfTest.RestoreDoesNothing.class);
        Run r = run(ContractRunner.ALLOW_SKIPS, RESTORE_DOES_NOTHING);
        assertEquals(summary(expected), r.summary());
        String prefix = "FAIL AccessPortSwitcherContractSelfTest$RestoreDoesNothing.";
        List<String> failing = expected.getFailures().stream()
                .map(f -> ((MethodSource) f.getTestIdentifier().getSource().orElseThrow()).getMethodName()).sorted().toList();
        assertTrue(failing.contains("restorePutsEveryPortBackAndIsIdempotent"), "the kit catches it: " + failing);
        assertEquals(failing, r.starting("FAIL").stream().map(l -> l.substring(prefix.length(), l.indexOf(':'))).sorted()
                .toList(), "a FAIL line for each failing test, and only for those");
        String port = new AccessPortSwitcherContractSelfTest.Correct().ports().get(0).toString();
        assertTrue(r.out().contains(prefix + "restorePutsEveryPortBackAndIsIdempotent: after restore: " + port
                        + " should be on VLAN 10, readVlans says 20 ==> expected: <10> but was: <20>"),
                "the assertion's message, on one line: " + r.starting("FAIL"));
        assertEquals(1, r.status(), "--allow-skips does not allow failures");
    }

    @Test
    void theCountsOfSeveralClassesAddUp() {
        Run r = run(ContractRunner.ALLOW_SKIPS, CORRECT, NO_HOOKS);
        assertEquals(summary(launcher(AccessPortSwitcherContractSelfTest.Correct.class,
                AccessPortSwitcherContractSelfTest.NoHooks.class)), r.summary());
        assertEquals(0, r.status());
    }

    @Test
    void aClassInWhichNoTestRanFailsTheRun() {
        Run r = run(NoTests.class.getName());
        assertEquals(List.of("FAIL ContractRunnerTest$NoTests: no test ran (not a contract subclass with tests, an abstract"
                + " class, or no JUnit Jupiter engine on the class path)", "0 passed, 1 failed, 0 skipped"), r.out());
        assertEquals(1, r.status());
    }

    @Test
    void aClassWhoseSetUpFailsIsAFailureOfItsOwn() {
        Run r = run(SetUpFails.class.getName());
        assertEquals(List.of("FAIL ContractRunnerTest$SetUpFails: IllegalStateException: the lab is down",
                "0 passed, 1 failed, 0 skipped"), r.out());
        assertEquals(1, r.status());
    }

    @Test
    void usageErrorsExitTwoWithTheUsage() {
        for (String[] args : List.of(new String[0], new String[] {"--skip"}, new String[] {"no.such.ContractLab"})) {
            Run r = run(args);
            assertEquals(2, r.status(), List.of(args).toString());
            assertTrue(r.err().contains("usage: java -cp") && r.err().contains("--allow-skips"), r.err());
            assertEquals(List.of(), r.out(), "nothing ran");
        }
        assertTrue(run("no.such.ContractLab").err().contains("no class no.such.ContractLab on the class path"));
        Run help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().get(0).startsWith("usage: "), help.out().toString());
    }

    /** Not a test class at all. */
    static class NoTests {
    }

    /** A class whose set-up fails before any of its tests runs (as when the lab is down). */
    static class SetUpFails {
        @BeforeAll
        static void reachTheLab() {
            throw new IllegalStateException("the lab is down\nsecond line of the message");
        }

        @Test
        void neverRuns() {
        }
    }
}

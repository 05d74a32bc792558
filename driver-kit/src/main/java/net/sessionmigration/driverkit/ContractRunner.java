package net.sessionmigration.driverkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs contract test classes (a driver's subclasses of {@link AccessPortSwitcherContract},
 * {@link WorkloadMoverContract}, {@link ReachabilityProbeContract}) outside a build, with the JUnit
 * Platform launcher: to check a driver against a live lab, or the devices it will drive, before
 * deploying it.
 *
 * <pre>
 * java -cp KIT.jar:YOUR-DRIVER.jar:YOUR-TEST-CLASSES:JUNIT-JARS net.sessionmigration.driverkit.ContractRunner \
 *      [--allow-skips] com.example.MyMoverContractLab [...]
 * </pre>
 *
 * It prints one line per test, {@code PASS Class.test}, {@code FAIL Class.test: first line of the
 * failure} or {@code SKIP Class.test: reason} (a hook the driver left empty), then
 * {@code N passed, M failed, K skipped}. A class that fails as a whole (a {@code @BeforeAll}, say)
 * is one {@code FAIL Class: ...}, and a class in which no test ran is a failure too: a run that
 * tested nothing does not pass.
 *
 * <p>Exit status: 0 when no test failed and none was skipped (skips are allowed with
 * {@code --allow-skips}); 1 otherwise; 2 for a usage error (an unknown option, no class, a class
 * that is not on the class path).
 */
public final class ContractRunner {
    static final String ALLOW_SKIPS = "--allow-skips";

    static final String USAGE = String.join("\n",
            "usage: java -cp KIT:DRIVER:TESTS:JUNIT net.sessionmigration.driverkit.ContractRunner [--allow-skips] CLASS...",
            "",
            "Runs the driver contract tests of each CLASS (a subclass of AccessPortSwitcherContract,",
            "WorkloadMoverContract or ReachabilityProbeContract, fully qualified; a nested class as Outer$Inner)",
            "against the devices it configures, and prints one line per test:",
            "  PASS Class.test | FAIL Class.test: first line of the failure | SKIP Class.test: reason",
            "then 'N passed, M failed, K skipped'.",
            "",
            "  --allow-skips  a skipped test (the driver cannot do what a hook asks, e.g. no way to make",
            "                 the device refuse) does not fail the run",
            "",
            "The class path needs this kit, junit-jupiter-engine and junit-platform-launcher (the kit's",
            "dependencies), the driver, and the compiled contract classes with what they need.",
            "Exit status: 0 all passed (skips only with --allow-skips), 1 a test failed, was skipped",
            "or no test ran, 2 usage error.");

    private ContractRunner() {
    }

    public static void main(String... args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs as {@link #main} does and answers its exit status instead of exiting. */
    static int run(PrintStream out, PrintStream err, String... args) {
        boolean allowSkips = false;
        List<String> names = new ArrayList<>();
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            } else if (a.equals(ALLOW_SKIPS)) {
                allowSkips = true;
            } else if (a.startsWith("-")) {
                err.println("contract runner: unknown option " + a);
                err.println(USAGE);
                return 2;
            } else {
                names.add(a);
            }
        }
        if (names.isEmpty()) {
            err.println("contract runner: no test class given");
            err.println(USAGE);
            return 2;
        }
        ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(ContractRunner.class.getClassLoader());
        List<Class<?>> classes = new ArrayList<>();
        for (String name : names) {
            try {
                classes.add(Class.forName(name, false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                err.println("contract runner: no class " + name + " on the class path (" + e + ")");
                err.println(USAGE);
                return 2;
            }
        }
        Report report = new Report(out);
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(classes.stream().map(c -> selectClass(c)).toList()).build();
        LauncherFactory.create().execute(request, report);
        for (Class<?> c : classes) {
            if (!report.classesSeen.contains(c.getName())) {
                report.fail(shortName(c.getName()), "no test ran (not a contract subclass with tests, an abstract"
                        + " class, or no JUnit Jupiter engine on the class path)");
            }
        }
        out.println(report.passed + " passed, " + report.failed + " failed, " + report.skipped + " skipped");
        out.flush();
        return report.failed == 0 && (report.skipped == 0 || allowSkips) ? 0 : 1;
    }

    /** Counts and prints what the launcher reports. */
    private static final class Report implements TestExecutionListener {
        private final PrintStream out;
        /** The classes of which a test or the class itself was reported, by name. */
        final Set<String> classesSeen = new HashSet<>();
        int passed;
        int failed;
        int skipped;

        Report(PrintStream out) {
            this.out = out;
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            // a disabled test, or a disabled class (its tests are then not reported one by one)
            seen(id);
            skip(name(id), reason);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            seen(id);
            Optional<Throwable> why = result.getThrowable();
            switch (result.getStatus()) {
                case SUCCESSFUL -> {
                    if (id.isTest()) {
                        passed++;
                        line("PASS " + name(id));
                    }
                }
                case ABORTED -> skip(name(id), why.map(ContractRunner::firstLine).orElse("aborted"));
                case FAILED -> fail(name(id), why.map(ContractRunner::describe).orElse("failed"));
            }
        }

        void skip(String name, String reason) {
            skipped++;
            line("SKIP " + name + ": " + reason);
        }

        void fail(String name, String why) {
            failed++;
            line("FAIL " + name + ": " + why);
        }

        private void line(String text) {
            out.println(text);
            out.flush();
        }

        private void seen(TestIdentifier id) {
            id.getSource().flatMap(ContractRunner::className).ifPresent(classesSeen::add);
        }
    }

    private static Optional<String> className(TestSource source) {
        if (source instanceof MethodSource m) {
            return Optional.of(m.getClassName());
        }
        if (source instanceof ClassSource c) {
            return Optional.of(c.getClassName());
        }
        return Optional.empty();
    }

    /** {@code Class.test} for a test, {@code Class} for a class, the display name for anything else. */
    static String name(TestIdentifier id) {
        Optional<TestSource> source = id.getSource();
        if (source.isPresent() && source.get() instanceof MethodSource m) {
            String test = m.getMethodName();
            // an invocation of a parameterized or repeated test: its display name tells which
            String display = id.getDisplayName();
            return shortName(m.getClassName()) + "." + test + (display.startsWith(test + "(") ? "" : "[" + display + "]");
        }
        if (source.isPresent() && source.get() instanceof ClassSource c) {
            return shortName(c.getClassName());
        }
        return id.getDisplayName();
    }

    /** The class name without its package: {@code Outer$Inner} for a nested class. */
    static String shortName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** The failure's first line; the exception's type too when it is not an assertion. */
    static String describe(Throwable t) {
        String first = firstLine(t);
        return t instanceof AssertionError || first.equals(t.getClass().getName()) ? first
                : t.getClass().getSimpleName() + ": " + first;
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getName();
        }
        return m.strip().lines().findFirst().orElse(m);
    }
}

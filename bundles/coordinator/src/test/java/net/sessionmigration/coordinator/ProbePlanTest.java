package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.model.UserSideProbe;
import net.sessionmigration.api.service.PlanError;
import net.sessionmigration.coordinator.plan.ParsedPlan;
import net.sessionmigration.coordinator.plan.PlanParser;

/** The plan's optional {@code probe} section. */
class ProbePlanTest {
    private final PlanParser parser = new PlanParser();

    private ParsedPlan parseWithProbe(Consumer<ObjectNode> bend) {
        ObjectNode plan = Plans.base();
        ObjectNode probe = plan.putObject("probe");
        probe.put("driver", "daemon-probe").put("host", "probe1").put("port", 7001);
        bend.accept(probe);
        return parser.parse("evacuate-main.json", Plans.text(plan));
    }

    @Test
    void aPlanWithoutProbeHasNone() {
        ParsedPlan p = parser.parse("evacuate-main.json", Plans.text(Plans.base()));
        assertTrue(p.plan().orElseThrow().probe().isEmpty());
    }

    @Test
    void aNamedProbeHostIsOnWithADefaultTimeout() {
        ParsedPlan p = parseWithProbe(probe -> { });
        assertTrue(p.valid(), () -> p.errors().toString());
        assertEquals(new UserSideProbe("daemon-probe", "probe1", 7001, Duration.ofSeconds(1), true),
                p.plan().orElseThrow().probe().orElseThrow());
    }

    @Test
    void timeoutAndEnabledAreRead() {
        ParsedPlan p = parseWithProbe(probe -> probe.put("timeoutMs", 250).put("enabled", false));
        UserSideProbe probe = p.plan().orElseThrow().probe().orElseThrow();
        assertEquals(Duration.ofMillis(250), probe.timeout());
        assertFalse(probe.enabled());
    }

    static Stream<Arguments> badProbes() {
        return Stream.of(
                Arguments.of((Consumer<ObjectNode>) p -> p.remove("host"), "probe.host", "missing required field"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("host", "-x"), "probe.host", "not a valid name"),
                Arguments.of((Consumer<ObjectNode>) p -> p.remove("driver"), "probe.driver", "missing required field"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("port", 0), "probe.port", "out of range 1-65535"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("port", 70000), "probe.port", "out of range 1-65535"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("port", "7001"), "probe.port", "expected an integer"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("timeoutMs", 0), "probe.timeoutMs", "out of range"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("timeoutMs", 600_000), "probe.timeoutMs", "out of range"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("enabled", "no"), "probe.enabled", "expected true or false"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("adress", "10.0.0.1"), "probe.adress", "unknown field"),
                Arguments.of((Consumer<ObjectNode>) p -> p.put("secret", "x"), "probe.secret", "credentials never"));
    }

    @ParameterizedTest
    @MethodSource("badProbes")
    void aBadProbeSectionNamesTheField(Consumer<ObjectNode> bend, String field, String message) {
        ParsedPlan p = parseWithProbe(bend);
        assertFalse(p.valid());
        List<PlanError> errors = p.errors();
        assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.message().contains(message)),
                errors::toString);
    }

    @Test
    void aProbeThatIsNotAnObjectIsAnError() {
        ObjectNode plan = Plans.base();
        plan.put("probe", "probe1");
        ParsedPlan p = parser.parse("evacuate-main.json", Plans.text(plan));
        assertEquals(List.of("probe"), p.errors().stream().map(PlanError::field).toList());
    }
}

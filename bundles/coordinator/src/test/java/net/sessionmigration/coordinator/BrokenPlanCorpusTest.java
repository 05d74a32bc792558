package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import net.sessionmigration.coordinator.plan.ParsedPlan;
import net.sessionmigration.coordinator.plan.PlanParser;

/**
 * A corpus of broken plan files on disk ({@code src/test/resources/broken-plans}), each with one
 * mistake; {@code expected.tsv} says which field path the error must name (empty for the whole
 * file: empty, not JSON, …) and a text its message contains. Read through {@link PlanParser#parse(Path)},
 * as the plan folder reads them.
 */
class BrokenPlanCorpusTest {
    record Expected(String file, String field, String message) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Path corpus() throws URISyntaxException {
        return Path.of(BrokenPlanCorpusTest.class.getResource("/broken-plans/expected.tsv").toURI()).getParent();
    }

    static List<Expected> expected() throws IOException, URISyntaxException {
        return Files.readAllLines(corpus().resolve("expected.tsv"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("\t", -1))
                .map(f -> new Expected(f[0], f[1], f[2]))
                .toList();
    }

    static Stream<Arguments> brokenPlans() throws IOException, URISyntaxException {
        return expected().stream().map(e -> Arguments.of(e));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenPlans")
    void eachBrokenPlanIsRejectedNamingTheField(Expected e) throws Exception {
        ParsedPlan p = new PlanParser().parse(corpus().resolve(e.file()));
        assertFalse(p.valid(), e.file() + " must be rejected");
        assertTrue(p.plan().isEmpty(), "an invalid plan is never half-loaded");
        assertTrue(p.errors().stream().anyMatch(err -> err.file().equals(e.file()) && err.field().equals(e.field())
                        && err.message().contains(e.message())),
                () -> e.file() + ": expected an error on '" + e.field() + "' containing '" + e.message() + "', got "
                        + p.errors());
    }

    @Test
    void theCorpusHasAtLeastThirtyFilesAndEveryFileIsListed() throws Exception {
        Set<String> listed = expected().stream().map(Expected::file).collect(Collectors.toSet());
        Set<String> onDisk;
        try (Stream<Path> files = Files.list(corpus())) {
            onDisk = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).collect(Collectors.toSet());
        }
        assertTrue(listed.size() >= 30, "only " + listed.size() + " broken plans");
        assertTrue(listed.equals(onDisk), () -> "expected.tsv and the files differ: listed " + listed + ", on disk " + onDisk);
    }
}

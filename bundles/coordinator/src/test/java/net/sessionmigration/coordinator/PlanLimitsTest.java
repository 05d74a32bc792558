package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.service.PlanError;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.coordinator.plan.ParsedPlan;
import net.sessionmigration.coordinator.plan.PlanParser;

/** Plans have bounded sizes with errors in our words, and plan-validate reads only the plans folder. */
class PlanLimitsTest {
    private final PlanParser parser = new PlanParser();

    @TempDir
    Path dir;

    private static ObjectNode withUsers(int n) {
        ObjectNode plan = Plans.base();
        ArrayNode users = plan.putArray("users");
        for (int i = 0; i < n; i++) {
            users.addObject().put("name", "u" + i).put("device", "sw1").put("port", Integer.toString(i + 1))
                    .put("fromVlan", 1).put("toVlan", 2);
        }
        return plan;
    }

    @Test
    void tooManyUsersIsOneErrorAndTheUsersAreNotWalked() {
        ParsedPlan p = parser.parse("evacuate-main.json", Plans.text(withUsers(PlanParser.MAX_USERS + 1)));
        assertFalse(p.valid());
        assertEquals(1, p.errors().size(), p.errors()::toString);
        PlanError e = p.errors().get(0);
        assertEquals("users", e.field());
        assertEquals((PlanParser.MAX_USERS + 1) + " users", e.value());
        assertEquals("a plan may have at most 10000 users: split it into several plans", e.message());
        assertTrue(parser.parse("evacuate-main.json", Plans.text(withUsers(PlanParser.MAX_USERS))).valid(),
                "the limit itself is allowed");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsParsed() throws Exception {
        ObjectNode plan = Plans.base();
        plan.put("description", "x".repeat(PlanParser.MAX_FILE_BYTES));
        Path file = Files.writeString(dir.resolve("evacuate-main.json"), Plans.text(plan));
        ParsedPlan p = parser.parse(file);
        assertEquals(1, p.errors().size(), p.errors()::toString);
        assertTrue(p.errors().get(0).message().startsWith("the file is larger than a plan may be (4194304 bytes)"),
                p.errors()::toString);
        assertEquals(Files.size(file) + " bytes", p.errors().get(0).value());
    }

    @Test
    void aLongDescriptionIsNamed() {
        ObjectNode plan = Plans.base();
        plan.put("description", "x".repeat(PlanParser.MAX_DESCRIPTION_CHARS + 1));
        ParsedPlan p = parser.parse("evacuate-main.json", Plans.text(plan));
        assertEquals("description", p.errors().get(0).field(), p.errors()::toString);
        assertEquals("longer than 4096 characters", p.errors().get(0).message());
    }

    @Test
    void atMostFiftyErrorsAreListedThenHowManyMore() {
        ObjectNode plan = withUsers(200);
        plan.withArray("users").forEach(u -> ((ObjectNode) u).put("toVlan", 5000));
        ParsedPlan p = parser.parse("evacuate-main.json", Plans.text(plan));
        assertEquals(PlanParser.MAX_ERRORS + 1, p.errors().size());
        assertEquals("and 150 more error(s) not listed (at most 50 per file)",
                p.errors().get(PlanParser.MAX_ERRORS).message());
    }

    @Test
    void planValidateReadsOnlyTheFolder() throws Exception {
        try (Lab lab = new Lab(dir.resolve("lab")).withAllDrivers().plan(Plans.base())) {
            lab.open();
            Path outside = Files.writeString(dir.resolve("secret.json"), "{\"token-like\": \"hunter2\"}");
            Path link = lab.plansDir.resolve("link.json");
            Files.createSymbolicLink(link, outside);
            for (Path p : new Path[] {outside, Path.of("../secret.json"), Path.of("link.json"), Path.of("/etc/passwd")}) {
                PlanStatus s = lab.coordinator.validate(p);
                assertFalse(s.valid(), p::toString);
                assertEquals(1, s.errors().size(), s.errors()::toString);
                assertTrue(s.errors().get(0).message().startsWith("no plan file '" + p + "' in the plans folder "),
                        s.errors()::toString);
                assertFalse(s.errors().toString().contains("hunter2") || s.errors().toString().contains("root:"),
                        "nothing of the file is echoed");
            }
            assertTrue(lab.coordinator.validate(Path.of("evacuate-main.json")).valid(), "a file in the folder is read");
        }
    }
}

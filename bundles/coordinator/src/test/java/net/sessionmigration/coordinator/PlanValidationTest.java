package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.service.PlanError;
import net.sessionmigration.coordinator.plan.ParsedPlan;
import net.sessionmigration.coordinator.plan.PlanParser;

class PlanValidationTest {
    private final PlanParser parser = new PlanParser();

    private ParsedPlan parse(ObjectNode plan) {
        return parser.parse(plan.get("name").asText("x") + ".json", Plans.text(plan));
    }

    private ParsedPlan parseBent(Consumer<ObjectNode> bend) {
        ObjectNode plan = Plans.base();
        bend.accept(plan);
        return parser.parse("evacuate-main.json", Plans.text(plan));
    }

    private static ObjectNode user(ObjectNode plan, int i) {
        return (ObjectNode) plan.withArray("users").get(i);
    }

    @Test
    void theBasePlanIsValidAndCarriesEveryField() {
        ParsedPlan p = parse(Plans.base());
        assertTrue(p.valid(), () -> p.errors().toString());
        MigrationPlan plan = p.plan().orElseThrow();
        assertEquals("evacuate-main", plan.name());
        assertEquals(MigrationMode.MOVE, plan.mode());
        assertEquals("10.0.0.10", plan.virtualIp().address());
        assertEquals("main", plan.sourceServer().site());
        assertEquals("backup", plan.targetServer().site());
        assertEquals("criu-daemon", plan.workload().driverType());
        assertEquals("50", plan.workload().options().get("downtime-ms"));
        assertEquals(3, plan.users().size());
        assertEquals(new AccessPort("sw1", "2"), plan.users().get(1).port(), "a numeric port is read as text");
        assertEquals(VlanId.of(20), plan.users().get(2).to());
        assertEquals(List.of("u1"), plan.usersToSwitch(MigrationMode.REPLICATE).stream().map(u -> u.name()).toList());
    }

    @Test
    void freezeAndVirtualIpDefaultToTrueAndNearBackupToFalse() {
        ParsedPlan p = parseBent(plan -> {
            plan.with("workload").remove(List.of("freeze", "moveVirtualIp", "options"));
            user(plan, 0).remove("nearBackup");
        });
        assertTrue(p.valid(), () -> p.errors().toString());
        assertTrue(p.plan().orElseThrow().workload().freeze());
        assertTrue(p.plan().orElseThrow().workload().moveVirtualIp());
        assertFalse(p.plan().orElseThrow().users().get(0).nearBackup());
    }

    @Test
    void portsComeOnlyFromTheirFromVlanUnlessThePlanSaysAny() {
        assertFalse(parse(Plans.base()).plan().orElseThrow().portsFromAnyVlan());
        assertTrue(parseBent(plan -> plan.put("portsFromAnyVlan", true)).plan().orElseThrow().portsFromAnyVlan());
    }

    @Test
    void aFreezeBudgetIsOptionalAndKeptInMilliseconds() {
        assertTrue(parse(Plans.base()).plan().orElseThrow().workload().maxFreeze().isEmpty());
        ParsedPlan p = parseBent(plan -> plan.with("workload").put("maxFreezeMs", 750));
        assertTrue(p.valid(), () -> p.errors().toString());
        assertEquals(java.time.Duration.ofMillis(750), p.plan().orElseThrow().workload().maxFreeze().orElseThrow());
    }

    @Test
    void anIpv6VirtualIpAndAReplicatePlanAreValid() {
        ParsedPlan p = parseBent(plan -> {
            plan.put("virtualIp", "2001:db8::10");
            plan.put("mode", "REPLICATE");
        });
        assertTrue(p.valid(), () -> p.errors().toString());
    }

    static Stream<Arguments> badPlans() {
        return Stream.of(
                Arguments.of("unknown field", (Consumer<ObjectNode>) p -> p.put("colour", "red"),
                        "colour", "unknown field"),
                Arguments.of("freeze budget of 0", (Consumer<ObjectNode>) p -> p.with("workload").put("maxFreezeMs", 0),
                        "workload.maxFreezeMs", "out of range 1-3600000 ms"),
                Arguments.of("freeze budget not a number", (Consumer<ObjectNode>) p -> p.with("workload")
                        .put("maxFreezeMs", "500ms"), "workload.maxFreezeMs", "expected an integer"),
                Arguments.of("freeze budget without a freeze", (Consumer<ObjectNode>) p -> p.with("workload")
                        .put("freeze", false).put("maxFreezeMs", 500), "workload.maxFreezeMs", "needs a frozen workload"),
                Arguments.of("unknown nested field", (Consumer<ObjectNode>) p -> user(p, 1).put("vlan", 3),
                        "users[1].vlan", "unknown field"),
                Arguments.of("missing field", (Consumer<ObjectNode>) p -> p.remove("virtualIp"),
                        "virtualIp", "missing required field"),
                Arguments.of("missing user field", (Consumer<ObjectNode>) p -> user(p, 2).remove("toVlan"),
                        "users[2].toVlan", "missing required field"),
                Arguments.of("wrong type", (Consumer<ObjectNode>) p -> p.put("schemaVersion", "1"),
                        "schemaVersion", "expected an integer"),
                Arguments.of("wrong type of boolean", (Consumer<ObjectNode>) p -> p.with("workload").put("freeze", "yes"),
                        "workload.freeze", "expected true or false"),
                Arguments.of("portsFromAnyVlan not a boolean", (Consumer<ObjectNode>) p -> p.put("portsFromAnyVlan", 1),
                        "portsFromAnyVlan", "expected true or false"),
                Arguments.of("wrong type of vlan", (Consumer<ObjectNode>) p -> user(p, 1).put("toVlan", "2"),
                        "users[1].toVlan", "expected an integer"),
                Arguments.of("VLAN above range", (Consumer<ObjectNode>) p -> user(p, 1).put("toVlan", 4095),
                        "users[1].toVlan", "out of range 1-4094"),
                Arguments.of("VLAN zero", (Consumer<ObjectNode>) p -> user(p, 0).put("fromVlan", 0),
                        "users[0].fromVlan", "out of range 1-4094"),
                Arguments.of("malformed IP", (Consumer<ObjectNode>) p -> p.put("virtualIp", "10.0.0.300"),
                        "virtualIp", "not an IPv4 or IPv6 address literal"),
                Arguments.of("host name as IP", (Consumer<ObjectNode>) p -> p.put("virtualIp", "stream.example"),
                        "virtualIp", "not an IPv4 or IPv6 address literal"),
                Arguments.of("bad user name", (Consumer<ObjectNode>) p -> user(p, 0).put("name", "-rf"),
                        "users[0].name", "not a valid name"),
                Arguments.of("bad workload name", (Consumer<ObjectNode>) p -> p.with("workload").put("name", "a b"),
                        "workload.name", "not a valid name"),
                Arguments.of("bad port name", (Consumer<ObjectNode>) p -> user(p, 2).put("port", "../eth1"),
                        "users[2].port", "not a valid name"),
                Arguments.of("bad server name", (Consumer<ObjectNode>) p -> p.with("servers").set("..",
                        Plans.JSON.createObjectNode().put("site", "x")), "servers...", "not a valid name"),
                Arguments.of("duplicate user", (Consumer<ObjectNode>) p -> user(p, 2).put("name", "u1"),
                        "users[2].name", "duplicate user name"),
                Arguments.of("duplicate access port", (Consumer<ObjectNode>) p -> user(p, 1).put("port", "1"),
                        "users[1].port", "already used by user `u1`"),
                Arguments.of("unknown server", (Consumer<ObjectNode>) p -> p.with("workload").put("target", "nowhere"),
                        "workload.target", "unknown server"),
                Arguments.of("unknown device", (Consumer<ObjectNode>) p -> user(p, 0).put("device", "sw9"),
                        "users[0].device", "unknown device"),
                Arguments.of("source is target", (Consumer<ObjectNode>) p -> p.with("workload").put("target", "main-srv"),
                        "workload.target", "must differ from the source"),
                Arguments.of("same site", (Consumer<ObjectNode>) p -> p.with("servers").with("backup-srv").put("site", "main"),
                        "workload.target", "both at site `main`"),
                Arguments.of("from equals to", (Consumer<ObjectNode>) p -> user(p, 2).put("toVlan", 10),
                        "users[2].toVlan", "must differ from fromVlan"),
                Arguments.of("REPLICATE without near user", (Consumer<ObjectNode>) p -> {
                    p.put("mode", "REPLICATE");
                    user(p, 0).put("nearBackup", false);
                }, "users", "no user has it"),
                Arguments.of("unsupported schema", (Consumer<ObjectNode>) p -> p.put("schemaVersion", 2),
                        "schemaVersion", "unsupported schema version"),
                Arguments.of("name differs from file", (Consumer<ObjectNode>) p -> p.put("name", "other"),
                        "name", "must equal the file name"),
                Arguments.of("no users", (Consumer<ObjectNode>) p -> p.putArray("users"),
                        "users", "at least one user"),
                Arguments.of("users not an array", (Consumer<ObjectNode>) p -> p.put("users", "u1"),
                        "users", "expected an array"),
                Arguments.of("bad mode", (Consumer<ObjectNode>) p -> p.put("mode", "COPY"),
                        "mode", "must be MOVE or REPLICATE"),
                Arguments.of("nested option", (Consumer<ObjectNode>) p -> p.with("workload").with("options")
                        .putObject("deep"), "workload.options.deep", "an option value is"),
                Arguments.of("community in a device", (Consumer<ObjectNode>) p -> p.with("devices").with("sw1")
                        .put("community", "public"), "devices.sw1.community", "reference them by name"),
                Arguments.of("password in options", (Consumer<ObjectNode>) p -> p.with("workload").with("options")
                        .put("password", "hunter2"), "workload.options.password", "reference them by name"),
                Arguments.of("authKey at the top", (Consumer<ObjectNode>) p -> p.put("auth_key", "k"),
                        "auth_key", "credentials never go into a plan"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPlans")
    void eachKindOfErrorNamesTheFieldAndIsNeverHalfLoaded(String kind, Consumer<ObjectNode> bend, String field,
                                                           String message) {
        ParsedPlan p = parseBent(bend);
        assertFalse(p.valid(), kind + " must make the plan invalid");
        assertTrue(p.plan().isEmpty(), "an invalid plan is never half-loaded");
        assertTrue(p.errors().stream().anyMatch(e -> e.field().equals(field) && e.message().contains(message)),
                () -> kind + ": expected an error on " + field + " containing '" + message + "' but got "
                        + p.errors());
        p.errors().forEach(e -> assertEquals("evacuate-main.json", e.file()));
    }

    @Test
    void everyErrorIsCollectedWithItsValue() {
        ParsedPlan p = parseBent(plan -> {
            plan.put("virtualIp", "10.0.0.256");
            user(plan, 0).put("toVlan", 5000);
            user(plan, 2).put("name", "u1");
            plan.with("workload").put("source", "ghost");
        });
        assertEquals(4, p.errors().size(), p.errors()::toString);
        PlanError vlan = p.errors().stream().filter(e -> e.field().equals("users[0].toVlan")).findFirst().orElseThrow();
        assertEquals("5000", vlan.value());
        assertTrue(vlan.toString().startsWith("evacuate-main.json: users[0].toVlan = '5000': "), vlan::toString);
    }

    @Test
    void credentialValuesAreNeverEchoed() {
        ParsedPlan p = parseBent(plan -> plan.with("devices").with("sw1").put("password", "s3cret"));
        assertFalse(p.valid());
        assertTrue(p.errors().stream().noneMatch(e -> e.toString().contains("s3cret")), p.errors()::toString);
    }

    @Test
    void malformedJsonNamesTheLine() {
        ParsedPlan p = parser.parse("evacuate-main.json", "{\n \"schemaVersion\": 1,\n \"name\": }");
        assertFalse(p.valid());
        assertTrue(p.errors().get(0).message().startsWith("not valid JSON: line 3"), p.errors()::toString);
    }

    @Test
    void duplicateJsonKeysAreRefused() {
        String text = Plans.BASE.replace("\"main-srv\": {\"site\": \"main\"},",
                "\"main-srv\": {\"site\": \"main\"}, \"main-srv\": {\"site\": \"backup\"},");
        ParsedPlan p = parser.parse("evacuate-main.json", text);
        assertFalse(p.valid());
        assertTrue(p.errors().get(0).message().contains("Duplicate field 'main-srv'"), p.errors()::toString);
    }

    @Test
    void emptyAndNonObjectFilesAreInvalid() {
        assertFalse(parser.parse("a.json", "").valid());
        assertFalse(parser.parse("a.json", "[1,2]").valid());
    }

    @Test
    void usersListIsTheOnlyArrayAndEveryUserNeedsAnObject() {
        ParsedPlan p = parseBent(plan -> ((ArrayNode) plan.withArray("users")).add("u4"));
        assertTrue(p.errors().stream().anyMatch(e -> e.field().equals("users[3]")), p.errors()::toString);
    }
}

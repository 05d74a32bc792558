package net.sessionmigration.coordinator.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.Device;
import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.MigrationPlan;
import net.sessionmigration.api.model.Names;
import net.sessionmigration.api.model.Server;
import net.sessionmigration.api.model.UserAttachment;
import net.sessionmigration.api.model.UserSideProbe;
import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.model.Workload;
import net.sessionmigration.api.service.PlanError;

/**
 * Reads a plan file into a tree and validates it by hand, so that one pass reports every
 * error with its JSON path instead of stopping at the first one as data binding would.
 */
public final class PlanParser {
    public static final int SCHEMA_VERSION = 1;
    public static final String EXTENSION = ".json";

    static final String CREDENTIAL_MESSAGE = "credentials never go into a plan; reference them by name"
            + " in the driver's configuration (Config Admin)";

    // compared after lower-casing and dropping '-' and '_', so auth_key, auth-key and authKey all match
    private static final Set<String> CREDENTIAL_FIELDS = Set.of("password", "passwd", "passphrase", "secret",
            "community", "authkey", "authpassword", "authpassphrase", "privkey", "privpassword", "privpassphrase",
            "privacykey", "privatekey", "token", "apikey", "credentials");

    private static final Set<String> TOP = Set.of("schemaVersion", "name", "description", "mode", "virtualIp",
            "servers", "workload", "devices", "users", "probe", "portsFromAnyVlan");
    private static final Set<String> SERVER = Set.of("site");
    private static final Set<String> WORKLOAD = Set.of("name", "driver", "source", "target", "freeze",
            "moveVirtualIp", "options", "maxFreezeMs");
    private static final Set<String> DEVICE = Set.of("driver");
    private static final Set<String> USER = Set.of("name", "device", "port", "fromVlan", "toVlan", "nearBackup");
    private static final Set<String> PROBE = Set.of("driver", "host", "port", "timeoutMs", "enabled");
    static final int PROBE_DEFAULT_TIMEOUT_MS = 1000;
    static final int MAX_FREEZE_BUDGET_MS = 3_600_000;
    static final int PROBE_MAX_TIMEOUT_MS = 60_000;
    /** Limits: a plan is an operator's document, not a database; past these it is refused in our words. */
    public static final int MAX_FILE_BYTES = 4 << 20;
    public static final int MAX_USERS = 10_000;
    public static final int MAX_DEVICES = 1_000;
    public static final int MAX_SERVERS = 64;
    public static final int MAX_DESCRIPTION_CHARS = 4_096;
    /** Errors listed per file; past it one more line says how many were left out. */
    public static final int MAX_ERRORS = 50;

    private static final Pattern START_MARKER = Pattern.compile("\\s*\\(start marker at .*$", Pattern.DOTALL);

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The plan name a file must declare: its file name without {@code .json}. */
    public static String planName(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(EXTENSION) ? n.substring(0, n.length() - EXTENSION.length()) : n;
    }

    public ParsedPlan parse(Path file) {
        String fileName = file.getFileName().toString();
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                return new ParsedPlan(planName(file), fileName, Optional.empty(),
                        List.of(tooLarge(fileName, size)), "");
            }
            return parse(fileName, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new ParsedPlan(planName(file), fileName, Optional.empty(),
                    List.of(new PlanError(fileName, "", "", "cannot read the file: " + why)), "");
        }
    }

    /** Parses the text of the file named {@code fileName} (a bare name such as {@code evacuate-main.json}). */
    public ParsedPlan parse(String fileName, String json) {
        String expectedName = planName(Path.of(fileName));
        Check check = new Check(fileName);
        long bytes = json.length() > MAX_FILE_BYTES / 4 ? json.getBytes(StandardCharsets.UTF_8).length : json.length();
        if (bytes > MAX_FILE_BYTES) {
            return new ParsedPlan(expectedName, fileName, Optional.empty(), List.of(tooLarge(fileName, bytes)), "");
        }
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : "line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr() + ": ";
            // Jackson appends where an unclosed object started, with a redacted source; the line above says enough
            String why = START_MARKER.matcher(e.getOriginalMessage()).replaceAll("");
            check.error("", "", "not valid JSON: " + where + why);
            return check.result(expectedName, Optional.empty(), json);
        }
        if (root == null || root.isMissingNode()) {
            check.error("", "", "the file is empty");
            return check.result(expectedName, Optional.empty(), json);
        }
        if (!root.isObject()) {
            check.error("", root, "a plan is a JSON object { ... }");
            return check.result(expectedName, Optional.empty(), json);
        }
        check.credentials(root, "");
        Optional<MigrationPlan> plan = check.plan(root, expectedName);
        return check.result(expectedName, plan, json);
    }

    private static PlanError tooLarge(String fileName, long bytes) {
        return new PlanError(fileName, "", bytes + " bytes", "the file is larger than a plan may be ("
                + MAX_FILE_BYTES + " bytes); a plan lists at most " + MAX_USERS + " users and " + MAX_DEVICES
                + " devices: split it into several plans");
    }

    static boolean isCredentialField(String field) {
        return CREDENTIAL_FIELDS.contains(field.toLowerCase(Locale.ROOT).replace("-", "").replace("_", ""));
    }

    /** One validation pass over one file; collects errors and never throws. */
    private static final class Check {
        private final String file;
        private final List<PlanError> errors = new ArrayList<>();
        private int leftOut;

        Check(String file) {
            this.file = file;
        }

        ParsedPlan result(String name, Optional<MigrationPlan> plan, String source) {
            List<PlanError> all = new ArrayList<>(errors);
            if (leftOut > 0) {
                all.add(new PlanError(file, "", "", "and " + leftOut + " more error(s) not listed (at most "
                        + MAX_ERRORS + " per file)"));
            }
            return new ParsedPlan(name, file, plan, all, source);
        }

        void error(String path, JsonNode value, String message) {
            error(path, show(value), message);
        }

        void error(String path, String value, String message) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(new PlanError(file, path, value, message));
            } else {
                leftOut++;
            }
        }

        /** Refuses an array or object with more entries than a plan may have, before walking it. */
        boolean tooMany(String path, JsonNode node, int max, String what) {
            if (node != null && node.size() > max) {
                error(path, node.size() + " " + what, "a plan may have at most " + max + " " + what
                        + ": split it into several plans");
                return true;
            }
            return false;
        }

        private static String show(JsonNode v) {
            if (v == null || v.isMissingNode()) {
                return "";
            }
            String s = v.isTextual() ? v.asText() : v.toString();
            return s.length() > 80 ? s.substring(0, 77) + "..." : s;
        }

        private static String at(String path, String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        /** Walks the whole tree; the value is never echoed, it may be a real secret. */
        void credentials(JsonNode node, String path) {
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (isCredentialField(e.getKey())) {
                        error(at(path, e.getKey()), "", CREDENTIAL_MESSAGE);
                    } else {
                        credentials(e.getValue(), at(path, e.getKey()));
                    }
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    credentials(node.get(i), path + "[" + i + "]");
                }
            }
        }

        void onlyKnownFields(JsonNode obj, String path, Set<String> allowed) {
            for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!allowed.contains(f) && !isCredentialField(f)) {
                    error(at(path, f), obj.get(f), "unknown field; expected one of " + new TreeSet<>(allowed));
                }
            }
        }

        Optional<JsonNode> field(JsonNode obj, String path, String field, boolean required) {
            JsonNode v = obj.get(field);
            if (v == null || v.isNull()) {
                if (required) {
                    error(at(path, field), "", "missing required field");
                }
                return Optional.empty();
            }
            return Optional.of(v);
        }

        Optional<JsonNode> object(JsonNode obj, String path, String field) {
            Optional<JsonNode> v = field(obj, path, field, true);
            if (v.isPresent() && !v.get().isObject()) {
                error(at(path, field), v.get(), "expected an object { ... }");
                return Optional.empty();
            }
            return v;
        }

        Optional<String> text(JsonNode obj, String path, String field, boolean required) {
            Optional<JsonNode> v = field(obj, path, field, required);
            if (v.isPresent() && !v.get().isTextual()) {
                error(at(path, field), v.get(), "expected a string");
                return Optional.empty();
            }
            return v.map(JsonNode::asText);
        }

        Optional<String> name(JsonNode obj, String path, String field) {
            Optional<String> v = text(obj, path, field, true);
            if (v.isPresent() && !Names.isValid(v.get())) {
                error(at(path, field), v.get(), nameRule());
                return Optional.empty();
            }
            return v;
        }

        boolean bool(JsonNode obj, String path, String field, boolean dflt) {
            Optional<JsonNode> v = field(obj, path, field, false);
            if (v.isPresent() && !v.get().isBoolean()) {
                error(at(path, field), v.get(), "expected true or false");
                return dflt;
            }
            return v.map(JsonNode::asBoolean).orElse(dflt);
        }

        Optional<Integer> integer(JsonNode obj, String path, String field) {
            Optional<JsonNode> v = field(obj, path, field, true);
            if (v.isPresent() && !(v.get().isIntegralNumber() && v.get().canConvertToInt())) {
                error(at(path, field), v.get(), "expected an integer");
                return Optional.empty();
            }
            return v.map(JsonNode::asInt);
        }

        Optional<VlanId> vlan(JsonNode obj, String path, String field) {
            Optional<Integer> v = integer(obj, path, field);
            if (v.isPresent() && (v.get() < VlanId.MIN || v.get() > VlanId.MAX)) {
                error(at(path, field), v.get().toString(),
                        "VLAN id out of range " + VlanId.MIN + "-" + VlanId.MAX);
                return Optional.empty();
            }
            return v.map(VlanId::of);
        }

        static String nameRule() {
            return "not a valid name (letters, digits, . _ - : /; 1-64 characters; not starting with - or .; no '..')";
        }

        Optional<MigrationPlan> plan(JsonNode root, String expectedName) {
            onlyKnownFields(root, "", TOP);

            integer(root, "", "schemaVersion").ifPresent(v -> {
                if (v != SCHEMA_VERSION) {
                    error("schemaVersion", v.toString(),
                            "unsupported schema version; this coordinator reads schemaVersion " + SCHEMA_VERSION);
                }
            });
            Optional<String> name = name(root, "", "name");
            name.ifPresent(n -> {
                if (!n.equals(expectedName)) {
                    error("name", n, "must equal the file name without .json (`" + expectedName + "`)");
                }
            });
            String description = text(root, "", "description", false).orElse("");
            if (description.length() > MAX_DESCRIPTION_CHARS) {
                error("description", description.length() + " characters", "longer than "
                        + MAX_DESCRIPTION_CHARS + " characters");
            }
            Optional<MigrationMode> mode = text(root, "", "mode", true).flatMap(m -> {
                try {
                    return Optional.of(MigrationMode.valueOf(m));
                } catch (IllegalArgumentException e) {
                    error("mode", m, "must be MOVE or REPLICATE");
                    return Optional.empty();
                }
            });
            Optional<VirtualIp> vip = text(root, "", "virtualIp", true).flatMap(a -> {
                try {
                    return Optional.of(new VirtualIp(a));
                } catch (IllegalArgumentException e) {
                    error("virtualIp", a, "not an IPv4 or IPv6 address literal");
                    return Optional.empty();
                }
            });
            Map<String, Server> servers = servers(root);
            Map<String, Device> devices = devices(root);
            Optional<Workload> workload = workload(root, servers);
            List<UserAttachment> users = users(root, devices);
            Optional<UserSideProbe> probe = probe(root);
            boolean anyVlan = bool(root, "", "portsFromAnyVlan", false);

            if (mode.orElse(null) == MigrationMode.REPLICATE && !users.isEmpty()
                    && users.stream().noneMatch(UserAttachment::nearBackup)) {
                error("users", "", "REPLICATE switches only users with \"nearBackup\": true, and no user has it");
            }
            if (!errors.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new MigrationPlan(SCHEMA_VERSION, name.orElseThrow(), description,
                        mode.orElseThrow(), vip.orElseThrow(), servers, workload.orElseThrow(), devices, users, probe,
                        anyVlan));
            } catch (RuntimeException e) {
                // every rule the records enforce is checked above; this is a safety net, not a path
                error("", "", "plan rejected: " + e.getMessage());
                return Optional.empty();
            }
        }

        private Map<String, Server> servers(JsonNode root) {
            Map<String, Server> servers = new LinkedHashMap<>();
            object(root, "", "servers").filter(obj -> !tooMany("servers", obj, MAX_SERVERS, "servers"))
                    .ifPresent(obj -> obj.fields().forEachRemaining(e -> {
                String path = "servers." + e.getKey();
                if (!Names.isValid(e.getKey())) {
                    error(path, e.getKey(), "server " + nameRule());
                }
                if (!e.getValue().isObject()) {
                    error(path, e.getValue(), "expected an object such as {\"site\": \"main\"}");
                    return;
                }
                onlyKnownFields(e.getValue(), path, SERVER);
                Optional<String> site = name(e.getValue(), path, "site");
                if (site.isPresent() && Names.isValid(e.getKey())) {
                    servers.put(e.getKey(), new Server(e.getKey(), site.get()));
                }
            }));
            return servers;
        }

        private Map<String, Device> devices(JsonNode root) {
            Map<String, Device> devices = new LinkedHashMap<>();
            object(root, "", "devices").filter(obj -> !tooMany("devices", obj, MAX_DEVICES, "devices"))
                    .ifPresent(obj -> obj.fields().forEachRemaining(e -> {
                String path = "devices." + e.getKey();
                if (!Names.isValid(e.getKey())) {
                    error(path, e.getKey(), "device " + nameRule());
                }
                if (!e.getValue().isObject()) {
                    error(path, e.getValue(), "expected an object such as {\"driver\": \"snmp-qbridge\"}");
                    return;
                }
                onlyKnownFields(e.getValue(), path, DEVICE);
                Optional<String> driver = name(e.getValue(), path, "driver");
                if (driver.isPresent() && Names.isValid(e.getKey())) {
                    devices.put(e.getKey(), new Device(e.getKey(), driver.get()));
                }
            }));
            return devices;
        }

        private Optional<Workload> workload(JsonNode root, Map<String, Server> servers) {
            Optional<JsonNode> node = object(root, "", "workload");
            if (node.isEmpty()) {
                return Optional.empty();
            }
            JsonNode w = node.get();
            String p = "workload";
            onlyKnownFields(w, p, WORKLOAD);
            Optional<String> name = name(w, p, "name");
            Optional<String> driver = name(w, p, "driver");
            Optional<String> source = serverRef(w, p, "source", servers);
            Optional<String> target = serverRef(w, p, "target", servers);
            boolean freeze = bool(w, p, "freeze", true);
            boolean moveVip = bool(w, p, "moveVirtualIp", true);
            Map<String, String> options = options(w, p);
            Optional<Duration> maxFreeze = maxFreeze(w, p, freeze);
            if (source.isPresent() && target.isPresent()) {
                if (source.get().equals(target.get())) {
                    error("workload.target", target.get(), "the target must differ from the source");
                } else if (servers.get(source.get()).site().equals(servers.get(target.get()).site())) {
                    error("workload.target", target.get(), "source and target are both at site `"
                            + servers.get(source.get()).site() + "`; the target must be at the other site");
                }
            }
            if (name.isEmpty() || driver.isEmpty() || source.isEmpty() || target.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Workload(name.get(), driver.get(), source.get(), target.get(), freeze, moveVip,
                    options, maxFreeze));
        }

        /** {@code workload.maxFreezeMs}: the freeze budget dry-run and S702 hold the drivers' estimate to. */
        private Optional<Duration> maxFreeze(JsonNode w, String p, boolean freeze) {
            Optional<Integer> ms = field(w, p, "maxFreezeMs", false).isPresent()
                    ? integer(w, p, "maxFreezeMs") : Optional.empty();
            if (ms.isEmpty()) {
                return Optional.empty();
            }
            if (ms.get() < 1 || ms.get() > MAX_FREEZE_BUDGET_MS) {
                error("workload.maxFreezeMs", ms.get().toString(), "out of range 1-" + MAX_FREEZE_BUDGET_MS + " ms");
                return Optional.empty();
            }
            if (!freeze) {
                error("workload.maxFreezeMs", ms.get().toString(),
                        "a freeze budget needs a frozen workload; this plan sets workload.freeze to false");
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis(ms.get()));
        }

        private Optional<String> serverRef(JsonNode w, String p, String field, Map<String, Server> servers) {
            Optional<String> ref = name(w, p, field);
            if (ref.isPresent() && !servers.containsKey(ref.get())) {
                error(at(p, field), ref.get(), "unknown server; servers are " + servers.keySet());
                return Optional.empty();
            }
            return ref;
        }

        private Map<String, String> options(JsonNode w, String p) {
            Map<String, String> options = new HashMap<>();
            Optional<JsonNode> node = field(w, p, "options", false);
            if (node.isEmpty()) {
                return options;
            }
            if (!node.get().isObject()) {
                error(p + ".options", node.get(), "expected an object of driver settings");
                return options;
            }
            node.get().fields().forEachRemaining(e -> {
                if (isCredentialField(e.getKey())) {
                    return; // already reported by the credential scan
                }
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    error(p + ".options." + e.getKey(), e.getValue(),
                            "an option value is a string, a number or true/false");
                } else {
                    options.put(e.getKey(), e.getValue().asText());
                }
            });
            return options;
        }

        private List<UserAttachment> users(JsonNode root, Map<String, Device> devices) {
            List<UserAttachment> users = new ArrayList<>();
            Optional<JsonNode> node = field(root, "", "users", true);
            if (node.isEmpty()) {
                return users;
            }
            if (!node.get().isArray()) {
                error("users", node.get(), "expected an array [ ... ] of users");
                return users;
            }
            if (node.get().isEmpty()) {
                error("users", "[]", "a plan needs at least one user to switch");
                return users;
            }
            if (tooMany("users", node.get(), MAX_USERS, "users")) {
                return users;
            }
            Set<String> names = new HashSet<>();
            Map<AccessPort, String> ports = new HashMap<>();
            for (int i = 0; i < node.get().size(); i++) {
                JsonNode u = node.get().get(i);
                String p = "users[" + i + "]";
                if (!u.isObject()) {
                    error(p, u, "expected an object for a user");
                    continue;
                }
                onlyKnownFields(u, p, USER);
                Optional<String> name = name(u, p, "name");
                Optional<String> device = name(u, p, "device");
                Optional<String> port = port(u, p);
                Optional<VlanId> from = vlan(u, p, "fromVlan");
                Optional<VlanId> to = vlan(u, p, "toVlan");
                boolean near = bool(u, p, "nearBackup", false);
                if (name.isPresent() && !names.add(name.get())) {
                    error(p + ".name", name.get(), "duplicate user name");
                }
                if (device.isPresent() && !devices.containsKey(device.get())) {
                    error(p + ".device", device.get(), "unknown device; devices are " + devices.keySet());
                    device = Optional.empty();
                }
                if (from.isPresent() && to.isPresent() && from.get().equals(to.get())) {
                    error(p + ".toVlan", to.get().toString(), "toVlan must differ from fromVlan");
                }
                if (device.isPresent() && port.isPresent()) {
                    AccessPort ap = new AccessPort(device.get(), port.get());
                    String owner = ports.putIfAbsent(ap, name.orElse(p));
                    if (owner != null) {
                        error(p + ".port", ap.toString(), "access port already used by user `" + owner + "`");
                    }
                    if (name.isPresent() && from.isPresent() && to.isPresent()) {
                        users.add(new UserAttachment(name.get(), ap, from.get(), to.get(), near));
                    }
                }
            }
            return users;
        }

        /** The optional user-side probe; present and enabled unless {@code "enabled": false}. */
        private Optional<UserSideProbe> probe(JsonNode root) {
            if (field(root, "", "probe", false).isEmpty()) {
                return Optional.empty();
            }
            Optional<JsonNode> node = object(root, "", "probe");
            if (node.isEmpty()) {
                return Optional.empty();
            }
            JsonNode n = node.get();
            String p = "probe";
            onlyKnownFields(n, p, PROBE);
            Optional<String> driver = name(n, p, "driver");
            Optional<String> host = name(n, p, "host");
            Optional<Integer> port = integer(n, p, "port");
            if (port.isPresent() && (port.get() < 1 || port.get() > 65535)) {
                error("probe.port", port.get().toString(), "TCP port out of range 1-65535");
                port = Optional.empty();
            }
            int timeoutMs = PROBE_DEFAULT_TIMEOUT_MS;
            if (field(n, p, "timeoutMs", false).isPresent()) {
                Optional<Integer> t = integer(n, p, "timeoutMs");
                if (t.isPresent() && (t.get() < 1 || t.get() > PROBE_MAX_TIMEOUT_MS)) {
                    error("probe.timeoutMs", t.get().toString(), "out of range 1-" + PROBE_MAX_TIMEOUT_MS
                            + " ms; it is part of the users' blackout, keep it short");
                    return Optional.empty();
                }
                if (t.isEmpty()) {
                    return Optional.empty();
                }
                timeoutMs = t.get();
            }
            boolean enabled = bool(n, p, "enabled", true);
            if (driver.isEmpty() || host.isEmpty() || port.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new UserSideProbe(driver.get(), host.get(), port.get(), Duration.ofMillis(timeoutMs),
                    enabled));
        }

        /** A port is often a number on a switch; both "1" and 1 are accepted. */
        private Optional<String> port(JsonNode u, String p) {
            Optional<JsonNode> v = field(u, p, "port", true);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            if (!(v.get().isTextual() || v.get().isIntegralNumber())) {
                error(p + ".port", v.get(), "expected a port name or number");
                return Optional.empty();
            }
            String port = v.get().asText();
            if (!Names.isValid(port)) {
                error(p + ".port", port, "port " + nameRule());
                return Optional.empty();
            }
            return Optional.of(port);
        }
    }
}

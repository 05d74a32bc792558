package net.sessionmigration.traps;

import java.util.List;
import java.util.Map;

/** A trigger rule read from one factory configuration: valid (disaster or load) or invalid with every error. */
public sealed interface TriggerRule permits DisasterRule, LoadRule, TriggerRule.Invalid {

    String DISASTER_PID = "net.sessionmigration.trigger.disaster";
    String LOAD_PID = "net.sessionmigration.trigger.load";

    String name();

    String kind();

    String plan();

    /** A rule whose configuration has errors; it never fires but is listed with them. */
    record Invalid(String name, String kind, String plan, List<String> errors) implements TriggerRule {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }

    /** Parses a disaster rule's properties; never throws. */
    static TriggerRule disaster(Map<String, ?> props) {
        ConfigReader r = new ConfigReader(props);
        String name = r.string("name");
        checkName(r, "name", name);
        String plan = r.string("plan");
        checkName(r, "plan", plan);
        String oid = r.oid("trap.oid", true);
        List<DisasterRule.VarbindMatch> matches = new java.util.ArrayList<>();
        for (String m : r.list("varbind.matches")) {
            int eq = m.indexOf('=');
            if (eq <= 0) {
                r.error("varbind.matches", "'" + m + "' is not OID=value");
                continue;
            }
            String o = r.checkOid("varbind.matches", m.substring(0, eq).trim());
            matches.add(new DisasterRule.VarbindMatch(o, m.substring(eq + 1).trim()));
        }
        var source = r.ipLiteral("source.address");
        long hold = r.integer("holddown.seconds", 60, 0, 86_400);
        if (!r.errors().isEmpty()) {
            return new Invalid(name, "disaster", plan, r.errors());
        }
        return new DisasterRule(name, oid, matches, source, plan, java.time.Duration.ofSeconds(hold));
    }

    /** Parses a load rule's properties; never throws. */
    static TriggerRule load(Map<String, ?> props) {
        ConfigReader r = new ConfigReader(props);
        String name = r.string("name");
        checkName(r, "name", name);
        String plan = r.string("plan");
        checkName(r, "plan", plan);
        double threshold = r.number("threshold");
        long hold = r.integer("holddown.seconds", 60, 0, 86_400);
        String sourceName = r.string("source", "trap");
        LoadRule.Source source = null;
        if (sourceName.equals("trap")) {
            source = new LoadRule.TrapSource(r.oid("trap.oid", true), r.oid("count.oid", true));
        } else if (sourceName.equals("poll")) {
            source = LoadRule.PollSource.read(r);
        } else {
            r.error("source", "'" + sourceName + "' is not 'trap' or 'poll'");
        }
        if (!r.errors().isEmpty()) {
            return new Invalid(name, "load", plan, r.errors());
        }
        return new LoadRule(name, plan, threshold, source, java.time.Duration.ofSeconds(hold));
    }

    private static void checkName(ConfigReader r, String field, String value) {
        if (!value.isEmpty() && !net.sessionmigration.api.model.Names.isValid(value)) {
            r.error(field, "'" + value + "' is not a valid name (letters, digits, . _ - : /; 1-64 characters)");
        }
    }
}

package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RuleValidationTest {

    static Map<String, Object> disaster() {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "ups-on-battery");
        m.put("trap.oid", "1.3.6.1.2.1.33.2.1");
        m.put("plan", "evacuate-main");
        return m;
    }

    static Map<String, Object> load() {
        Map<String, Object> m = new HashMap<>();
        m.put("name", "main-load");
        m.put("plan", "load-main");
        m.put("threshold", "2.5");
        m.put("source", "trap");
        m.put("trap.oid", "1.3.6.1.4.1.99999.0.1");
        m.put("count.oid", "1.3.6.1.4.1.99999.1.1.0");
        return m;
    }

    private static List<String> errors(TriggerRule r) {
        return r instanceof TriggerRule.Invalid i ? i.errors() : List.of();
    }

    @Test
    void validDisasterRuleWithDefaults() {
        Map<String, Object> m = disaster();
        m.put("varbind.matches", "1.3.6.1.2.1.33.1.2.1.0=3, .1.3.6.1.2.1.1.5.0=ups-main");
        m.put("source.address", "192.0.2.10");
        DisasterRule r = assertInstanceOf(DisasterRule.class, TriggerRule.disaster(m));
        assertEquals(60, r.holddown().toSeconds());
        assertEquals(2, r.matches().size());
        assertEquals("1.3.6.1.2.1.1.5.0", r.matches().get(1).oid(), "leading dot dropped");
        assertEquals("192.0.2.10", r.sourceAddress().orElseThrow());
    }

    @Test
    void disasterErrorsNameTheirFields() {
        Map<String, Object> m = disaster();
        m.put("trap.oid", "upsTrapOnBattery");
        m.remove("plan");
        m.put("varbind.matches", new String[]{"nonsense", "1.3.x=4"});
        m.put("source.address", "ups.example.org");
        m.put("holddown.seconds", "soon");
        List<String> e = errors(TriggerRule.disaster(m));
        assertTrue(e.stream().anyMatch(s -> s.startsWith("trap.oid: 'upsTrapOnBattery' is not a numeric OID")), e::toString);
        assertTrue(e.contains("plan: missing"), e::toString);
        assertTrue(e.stream().anyMatch(s -> s.startsWith("varbind.matches: 'nonsense' is not OID=value")), e::toString);
        assertTrue(e.stream().anyMatch(s -> s.startsWith("varbind.matches: '1.3.x'")), e::toString);
        assertTrue(e.stream().anyMatch(s -> s.startsWith("source.address: 'ups.example.org' is not an IPv4 or IPv6")), e::toString);
        assertTrue(e.stream().anyMatch(s -> s.startsWith("holddown.seconds: 'soon' is not an integer")), e::toString);
    }

    @Test
    void badNameAndPlanAreRejected() {
        Map<String, Object> m = disaster();
        m.put("name", "x; rm -rf /");
        m.put("plan", "../etc");
        List<String> e = errors(TriggerRule.disaster(m));
        assertTrue(e.stream().anyMatch(s -> s.startsWith("name: ")), e::toString);
        assertTrue(e.stream().anyMatch(s -> s.startsWith("plan: ")), e::toString);
    }

    @Test
    void validLoadRules() {
        LoadRule r = assertInstanceOf(LoadRule.class, TriggerRule.load(load()));
        assertEquals(2.5, r.threshold());
        assertInstanceOf(LoadRule.TrapSource.class, r.source());

        Map<String, Object> p = load();
        p.put("source", "poll");
        p.put("agent.address", "127.0.0.1");
        p.put("service.port", "8080");
        p.put("user", "poller");
        p.put("auth.protocol", "SHA-256");
        p.put("auth.passphrase", "lab-only-auth-pass");
        p.put("priv.protocol", "AES-256");
        p.put("priv.passphrase", "lab-only-priv-pass");
        LoadRule poll = assertInstanceOf(LoadRule.class, TriggerRule.load(p));
        LoadRule.PollSource src = assertInstanceOf(LoadRule.PollSource.class, poll.source());
        assertEquals(30, src.interval().toSeconds());
        assertEquals(161, src.agentPort());
        assertFalse(poll.toString().contains("lab-only"), "secrets never in toString: " + poll);
    }

    @Test
    void loadErrorsNameTheirFields() {
        Map<String, Object> m = load();
        m.put("threshold", "lots");
        m.remove("count.oid");
        List<String> e = errors(TriggerRule.load(m));
        assertTrue(e.contains("threshold: 'lots' is not a number"), e::toString);
        assertTrue(e.contains("count.oid: missing"), e::toString);

        Map<String, Object> p = load();
        p.put("source", "poll");
        p.put("snmp.version", "v2c");
        p.put("agent.port", "70000");
        List<String> pe = errors(TriggerRule.load(p));
        assertTrue(pe.contains("agent.address: missing"), pe::toString);
        assertTrue(pe.contains("service.port: missing"), pe::toString);
        assertTrue(pe.stream().anyMatch(s -> s.startsWith("community: missing")), pe::toString);
        assertTrue(pe.stream().anyMatch(s -> s.startsWith("agent.port: '70000' is out of range")), pe::toString);

        Map<String, Object> q = load();
        q.put("source", "carrier-pigeon");
        assertTrue(errors(TriggerRule.load(q)).stream().anyMatch(s -> s.startsWith("source: ")));
        Map<String, Object> t = load();
        t.remove("threshold");
        assertTrue(errors(TriggerRule.load(t)).contains("threshold: missing"));
    }

    @Test
    void usmUserValidationNeverEchoesSecrets() {
        Map<String, Object> m = new HashMap<>();
        m.put("user", "ups");
        m.put("auth.protocol", "SHA-3");
        m.put("auth.passphrase", "short");
        m.put("priv.protocol", "ROT13");
        m.put("priv.passphrase", "tiny");
        ConfigReader r = new ConfigReader(m);
        UsmUserSpec.read(r, "");
        List<String> e = r.errors();
        assertTrue(e.stream().anyMatch(s -> s.startsWith("auth.protocol: 'SHA-3'")), e::toString);
        assertTrue(e.stream().anyMatch(s -> s.startsWith("auth.passphrase: shorter than 8")), e::toString);
        assertTrue(e.stream().anyMatch(s -> s.startsWith("priv.protocol: 'ROT13'")), e::toString);
        assertFalse(e.toString().contains("short") && e.toString().contains("'short'"));
        assertFalse(e.toString().contains("tiny"), e::toString);

        UsmUserSpec ok = UsmUserSpec.of("ups", "SHA", "lab-only-auth", "AES", "lab-only-priv");
        assertEquals("authPriv", ok.securityLevelName());
        assertFalse(ok.toString().contains("lab-only"), ok::toString);
        assertEquals("noAuthNoPriv", UsmUserSpec.of("n", null, null, null, null).securityLevelName());
    }

    @Test
    void privacyWithoutAuthIsRejected() {
        Map<String, Object> m = new HashMap<>();
        m.put("user", "u");
        m.put("priv.protocol", "AES");
        m.put("priv.passphrase", "12345678");
        ConfigReader r = new ConfigReader(m);
        UsmUserSpec.read(r, "");
        assertTrue(r.errors().stream().anyMatch(s -> s.startsWith("priv.protocol: privacy needs an auth.protocol")));
    }
}

package net.sessionmigration.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;

import net.sessionmigration.api.service.TrapStatistics;
import net.sessionmigration.api.service.TriggerRuleStatus;
import net.sessionmigration.api.service.TriggerService;

class TrapsCommandTest {
    private final Fixtures.Capture capture = new Fixtures.Capture();

    private TrapsCommand command(TriggerService triggers, boolean json) {
        TrapsCommand c = new TrapsCommand();
        c.triggers = triggers;
        c.json = json;
        c.noFormat = true;
        c.output = capture.output;
        return c;
    }

    private static TriggerService service() {
        return new TriggerService() {
            @Override
            public TrapStatistics statistics() {
                return new TrapStatistics("udp:127.0.0.1/10162",
                        Map.of("v3", Map.of("received", 12L, "matched", 1L, "duplicates", 11L),
                               "v2c", Map.of("received", 2L, "authFailures", 2L)), 0, 10000, 2992);
            }

            @Override
            public List<TriggerRuleStatus> rules() {
                return List.of(new TriggerRuleStatus("ups-on-battery", "disaster", "evacuate-main", List.of(), "armed", 1),
                        new TriggerRuleStatus("bad", "load", "load-main", List.of("threshold: 'x' is not a number"), "", 0));
            }
        };
    }

    @Test
    void showsCountersPerVersionAndEveryRule() throws Exception {
        command(service(), false).execute();
        String text = capture.text();
        assertTrue(text.contains("Listening: udp:127.0.0.1/10162; queue 0 of 10000; dropped by the kernel (socket buffer"
                + " full): 2992"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("v3") && l.contains("12") && l.contains("11")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("v2c") && l.contains("2")), text);
        assertTrue(text.contains("ups-on-battery"), text);
        assertTrue(text.contains("INVALID: threshold: 'x' is not a number"), text);
    }

    @Test
    void jsonCarriesStatisticsAndRules() throws Exception {
        command(service(), true).execute();
        String text = capture.text();
        assertTrue(text.contains("\"statistics\""), text);
        assertTrue(text.contains("\"duplicates\" : 11"), text);
        assertTrue(text.contains("\"plan\" : \"evacuate-main\""), text);
    }

    @Test
    void saysHowToInstallTheReceiverWhenItIsAbsent() {
        CommandException e = assertThrows(CommandException.class, command(null, false)::execute);
        assertEquals("the trap receiver is not installed (feature:install sm-trap-receiver)", e.getMessage());
    }
}

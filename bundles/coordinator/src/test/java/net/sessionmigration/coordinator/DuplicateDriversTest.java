package net.sessionmigration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverProperties;

/** Two services of one driver type: OSGi's rule picks the one plans use, and nobody is left guessing. */
class DuplicateDriversTest {
    private final DriverRegistry registry = new DriverRegistry();
    private final List<String> log = new ArrayList<>();

    private static Map<String, Object> props(String vendor, int ranking, long serviceId) {
        return Map.of(DriverProperties.DRIVER_TYPE, "snmp-qbridge", DriverProperties.VENDOR, vendor,
                "service.ranking", ranking, "service.id", serviceId);
    }

    @Test
    void theHighestRankingIsUsedThenTheFirstRegisteredAndTheOthersAreListed() {
        AccessPortSwitcher first = new FakeSwitcher("snmp-qbridge", log);
        AccessPortSwitcher second = new FakeSwitcher("snmp-qbridge", log);
        AccessPortSwitcher ranked = new FakeSwitcher("snmp-qbridge", log);
        registry.addSwitcher(first, props("ours", 0, 10));
        registry.addSwitcher(second, props("acme", 0, 11));
        assertSame(first, registry.switcher("snmp-qbridge").orElseThrow(), "same ranking: the lowest service.id");

        registry.addSwitcher(ranked, props("acme-ranked", 5, 12));
        assertSame(ranked, registry.switcher("snmp-qbridge").orElseThrow(), "the highest service.ranking");
        assertEquals(List.of(12L, 10L, 11L), registry.switchers().stream().map(DriverRegistry.Installed::serviceId).toList(),
                "the used one first");

        registry.removeSwitcher(ranked, props("acme-ranked", 5, 12));
        assertSame(first, registry.switcher("snmp-qbridge").orElseThrow(), "the next one takes over");
    }

    @Test
    void driversShowsTheOnesNotUsed(@TempDir Path dir) {
        try (Lab lab = new Lab(dir)) {
            lab.registry.addSwitcher(new FakeSwitcher("snmp-qbridge", log), props("ours", 0, 10));
            lab.registry.addSwitcher(new FakeSwitcher("snmp-qbridge", log), props("acme", 0, 11));
            lab.open();
            var status = lab.coordinator.drivers().stream().filter(d -> d.driverType().equals("snmp-qbridge"))
                    .toList();
            assertEquals(1, status.size(), status::toString);
            assertEquals("ours", status.get(0).vendor());
            assertEquals(1, status.get(0).notUsed().size(), status::toString);
            assertTrue(status.get(0).notUsed().get(0).startsWith("vendor acme (service.ranking 0, service.id 11, "),
                    status.get(0).notUsed()::toString);
        }
    }
}

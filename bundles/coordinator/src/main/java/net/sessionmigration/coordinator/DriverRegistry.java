package net.sessionmigration.coordinator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverProperties;
import net.sessionmigration.api.driver.ReachabilityProbe;
import net.sessionmigration.api.driver.WorkloadMover;

/**
 * The installed drivers, by {@code driver.type}. Filled by the DS component's dynamic
 * references (or directly by tests); the coordinator looks drivers up here at every step, so
 * a driver installed later is used without a restart.
 */
public final class DriverRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DriverRegistry.class);

    public static final String MOVER = "workload-mover";
    public static final String SWITCHER = "access-port-switcher";
    public static final String PROBE = "reachability-probe";

    /** One installed driver service. */
    public record Installed<T>(String driverType, String vendor, T driver) {
    }

    private final Map<String, Deque<Installed<WorkloadMover>>> movers = new ConcurrentHashMap<>();
    private final Map<String, Deque<Installed<AccessPortSwitcher>>> switchers = new ConcurrentHashMap<>();
    private final Map<String, Deque<Installed<ReachabilityProbe>>> probes = new ConcurrentHashMap<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    public void addMover(WorkloadMover mover, Map<String, ?> properties) {
        add(movers, mover, properties, MOVER);
    }

    public void removeMover(WorkloadMover mover, Map<String, ?> properties) {
        remove(movers, mover, properties);
    }

    public void addSwitcher(AccessPortSwitcher switcher, Map<String, ?> properties) {
        add(switchers, switcher, properties, SWITCHER);
    }

    public void removeSwitcher(AccessPortSwitcher switcher, Map<String, ?> properties) {
        remove(switchers, switcher, properties);
    }

    public void addProbe(ReachabilityProbe probe, Map<String, ?> properties) {
        add(probes, probe, properties, PROBE);
    }

    public void removeProbe(ReachabilityProbe probe, Map<String, ?> properties) {
        remove(probes, probe, properties);
    }

    /** Convenience for plain-Java callers: registers with {@code driver.type} and {@code vendor}. */
    public static Map<String, Object> properties(String driverType, String vendor) {
        return Map.of(DriverProperties.DRIVER_TYPE, driverType, DriverProperties.VENDOR, vendor);
    }

    public Optional<WorkloadMover> mover(String driverType) {
        return latest(movers, driverType).map(Installed::driver);
    }

    public Optional<AccessPortSwitcher> switcher(String driverType) {
        return latest(switchers, driverType).map(Installed::driver);
    }

    public Optional<ReachabilityProbe> probe(String driverType) {
        return latest(probes, driverType).map(Installed::driver);
    }

    public List<Installed<ReachabilityProbe>> probes() {
        return all(probes);
    }

    public List<Installed<WorkloadMover>> movers() {
        return all(movers);
    }

    public List<Installed<AccessPortSwitcher>> switchers() {
        return all(switchers);
    }

    /** Called after every change; the coordinator uses it to resume recoveries that waited for a driver. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    public void removeOnChange(Runnable listener) {
        changeListeners.remove(listener);
    }

    private <T> void add(Map<String, Deque<Installed<T>>> map, T driver, Map<String, ?> props, String capability) {
        Optional<String> type = text(props, DriverProperties.DRIVER_TYPE);
        if (type.isEmpty()) {
            LOG.warn("ignoring a {} service without the {} property: {}", capability, DriverProperties.DRIVER_TYPE,
                    driver.getClass().getName());
            return;
        }
        String vendor = text(props, DriverProperties.VENDOR).orElse("");
        map.computeIfAbsent(type.get(), t -> new ConcurrentLinkedDeque<>())
                .addLast(new Installed<>(type.get(), vendor, driver));
        LOG.info("{} driver `{}` installed (vendor {})", capability, type.get(), vendor);
        fireChange();
    }

    private <T> void remove(Map<String, Deque<Installed<T>>> map, T driver, Map<String, ?> props) {
        text(props, DriverProperties.DRIVER_TYPE).ifPresent(type -> {
            Deque<Installed<T>> list = map.get(type);
            if (list != null && list.removeIf(i -> i.driver() == driver)) {
                LOG.info("driver `{}` removed", type);
            }
        });
        fireChange();
    }

    private static <T> Optional<Installed<T>> latest(Map<String, Deque<Installed<T>>> map, String type) {
        Deque<Installed<T>> list = map.get(type);
        return list == null ? Optional.empty() : Optional.ofNullable(list.peekLast());
    }

    private static <T> List<Installed<T>> all(Map<String, Deque<Installed<T>>> map) {
        List<Installed<T>> result = new ArrayList<>();
        map.values().forEach(list -> {
            Installed<T> last = list.peekLast();
            if (last != null) {
                result.add(last);
            }
        });
        result.sort(Comparator.comparing(Installed::driverType));
        return result;
    }

    private static Optional<String> text(Map<String, ?> props, String key) {
        Object v = props.get(key);
        if (v instanceof String[] arr && arr.length > 0) {
            v = arr[0];
        }
        return v == null || v.toString().isBlank() ? Optional.empty() : Optional.of(v.toString());
    }

    private void fireChange() {
        for (Runnable r : changeListeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("driver change listener failed: {}", e.toString());
            }
        }
    }
}

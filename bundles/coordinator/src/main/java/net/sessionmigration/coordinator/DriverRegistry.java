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
 *
 * <p>Two services of one capability and one {@code driver.type}: the one used is OSGi's choice
 * for a service, the highest {@code service.ranking}, then the lowest {@code service.id} (the
 * first registered). The others are kept (one takes over when the used one goes), logged, and
 * shown by {@code migration:drivers}.
 */
public final class DriverRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DriverRegistry.class);

    public static final String MOVER = "workload-mover";
    public static final String SWITCHER = "access-port-switcher";
    public static final String PROBE = "reachability-probe";

    /** One installed driver service, with what decides between two of one type. */
    public record Installed<T>(String driverType, String vendor, T driver, int ranking, long serviceId) {
        /** "vendor acme (service.ranking 0, service.id 42)". */
        public String describe() {
            return "vendor " + (vendor.isEmpty() ? "-" : vendor) + " (service.ranking " + ranking + ", service.id "
                    + serviceId + ", " + driver.getClass().getName() + ")";
        }
    }

    private static final Comparator<Installed<?>> PREFERRED = Comparator.<Installed<?>>comparingInt(Installed::ranking)
            .reversed().thenComparingLong(Installed::serviceId);

    private final Map<String, Deque<Installed<WorkloadMover>>> movers = new ConcurrentHashMap<>();
    private final Map<String, Deque<Installed<AccessPortSwitcher>>> switchers = new ConcurrentHashMap<>();
    private final Map<String, Deque<Installed<ReachabilityProbe>>> probes = new ConcurrentHashMap<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong localIds = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE / 2);

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
        Installed<T> added = new Installed<>(type.get(), vendor, driver, number(props, "service.ranking").orElse(0L).intValue(),
                number(props, "service.id").orElseGet(localIds::incrementAndGet));
        Deque<Installed<T>> list = map.computeIfAbsent(type.get(), t -> new ConcurrentLinkedDeque<>());
        list.addLast(added);
        LOG.info("{} driver `{}` installed ({})", capability, type.get(), added.describe());
        if (list.size() > 1) {
            Installed<T> used = preferred(list).orElseThrow();
            LOG.warn("{} {} drivers of type `{}` are installed; plans use {}, the highest service.ranking, then the"
                    + " lowest service.id; not used: {}", list.size(), capability, type.get(), used.describe(),
                    list.stream().filter(i -> i != used).map(Installed::describe).toList());
        }
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
        return list == null ? Optional.empty() : preferred(list);
    }

    private static <T> Optional<Installed<T>> preferred(Deque<Installed<T>> list) {
        return list.stream().min(PREFERRED);
    }

    /** Every installed driver, by type; within a type, the one plans use first. */
    private static <T> List<Installed<T>> all(Map<String, Deque<Installed<T>>> map) {
        List<Installed<T>> result = new ArrayList<>();
        map.values().forEach(result::addAll);
        result.sort(Comparator.<Installed<T>, String>comparing(Installed::driverType).thenComparing(PREFERRED));
        return result;
    }

    private static Optional<Long> number(Map<String, ?> props, String key) {
        return props.get(key) instanceof Number n ? Optional.of(n.longValue()) : Optional.empty();
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

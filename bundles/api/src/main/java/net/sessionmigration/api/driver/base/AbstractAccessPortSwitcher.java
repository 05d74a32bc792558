package net.sessionmigration.api.driver.base;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

import net.sessionmigration.api.driver.AccessPortSwitcher;
import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.OpReport;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Preflight;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * The part of a switch driver that is the same for every device: it groups a call's ports by
 * device, works on the devices through the executor given (in parallel with more than one
 * thread), and keeps the {@link AccessPortSwitcher} contract:
 * <ul>
 * <li>{@link #move}: reads the ports just before writing. A port on its {@code to} VLAN counts as
 * moved; a port on any other VLAN than {@code from} refuses its device (nothing is written there);
 * a target VLAN the device lacks ({@link #missingVlans}) likewise. Then one {@link #write} per
 * device, and a read back. On a failure it reports the device, the cause and the ports that did
 * move, and puts nothing back: undo is {@link #restore}, which the coordinator calls.</li>
 * <li>{@link #restore}: stateless and idempotent. Reads each port, sets back those on {@code to},
 * leaves those on {@code from}, leaves and names those on any other VLAN, reads back; best effort
 * per device.</li>
 * <li>{@link #preflight}: every port on its {@code from}, every target VLAN there, every device
 * readable; every problem found, not just the first.</li>
 * </ul>
 * A vendor driver implements {@link #read} and {@link #write} (and, where the device can say
 * which VLANs exist, {@link #missingVlans}); it keeps no per-migration state. Both may be called
 * for different ports of one device by two migrations at once: a device that needs a
 * read-modify-write must lock inside {@code write}.
 */
public abstract class AbstractAccessPortSwitcher implements AccessPortSwitcher {
    private final Executor devices;

    /** Devices one after the other, in the calling thread. */
    protected AbstractAccessPortSwitcher() {
        this(Runnable::run);
    }

    /** @param devices runs the work of each device of a call; with several threads, devices in parallel */
    protected AbstractAccessPortSwitcher(Executor devices) {
        this.devices = devices;
    }

    /**
     * The VLAN each of these ports of {@code device} is on now, read from the device. A port the
     * device does not have, or a device that does not answer, is a {@link DeviceException} that
     * says so.
     */
    protected abstract Map<String, VlanId> read(String device, List<String> ports) throws DeviceException;

    /**
     * Puts these ports of {@code device} on these VLANs, in one request where the device allows.
     * Record what you sent with {@link DriverContext#operation}. Verification is not needed here:
     * the caller reads back.
     */
    protected abstract void write(String device, Map<String, VlanId> vlans, DriverContext context)
            throws DeviceException;

    /** Of these VLANs, the ones {@code device} does not have. By default none is known to be missing. */
    protected Set<VlanId> missingVlans(String device, Set<VlanId> vlans) throws DeviceException {
        return Set.of();
    }

    /**
     * The time a move is expected to take on {@code device}, for the freeze estimate, from the
     * time a read of its ports just took. By default three reads: before, the write, after.
     */
    protected Duration expectedMoveTime(String device, Duration read) {
        return read.multipliedBy(3);
    }

    // ---------------------------------------------------------------- AccessPortSwitcher

    @Override
    public Result<Map<AccessPort, VlanId>> readVlans(List<AccessPort> ports) {
        Map<String, List<String>> byDevice = new LinkedHashMap<>();
        ports.forEach(p -> byDevice.computeIfAbsent(p.device(), d -> new ArrayList<>()).add(p.port()));
        Map<String, Object> read = eachDevice(byDevice.keySet(), d -> read(d, byDevice.get(d)));
        Map<AccessPort, VlanId> out = new LinkedHashMap<>();
        for (AccessPort p : ports) {
            Object r = read.get(p.device());
            if (r instanceof DeviceException e) {
                return Result.failed(p.device(), e.getMessage());
            }
            try {
                out.put(p, vlanOf(r, p.port()));
            } catch (IllegalStateException e) {
                return Result.failed(p.device(), e.getMessage());
            }
        }
        return Result.ok(out);
    }

    @Override
    public Result<Preflight> preflight(List<PortMove> moves) {
        Map<String, List<PortMove>> byDevice = byDevice(moves);
        Map<String, Object> checked = eachDevice(byDevice.keySet(), d -> {
            List<PortMove> ms = byDevice.get(d);
            long t0 = System.nanoTime();
            Map<String, VlanId> now = read(d, names(ms));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            List<Problem> problems = new ArrayList<>();
            for (PortMove m : ms) {
                VlanId v = vlanOf(now, m.port().port());
                if (!v.equals(m.from())) {
                    problems.add(new Problem(d, "port " + m.port().port() + " (user " + m.user() + ") is on VLAN " + v
                            + ", the plan expects VLAN " + m.from()));
                }
            }
            missing(d, ms).ifPresent(text -> problems.add(new Problem(d, text)));
            return new DevicePreflight(problems, expectedMoveTime(d, took));
        });
        List<Problem> problems = new ArrayList<>();
        Duration expected = Duration.ZERO;
        for (Map.Entry<String, Object> e : checked.entrySet()) {
            if (e.getValue() instanceof DeviceException x) {
                problems.add(new Problem(e.getKey(), x.getMessage()));
            } else {
                DevicePreflight p = (DevicePreflight) e.getValue();
                problems.addAll(p.problems());
                expected = p.expected().compareTo(expected) > 0 ? p.expected() : expected;
            }
        }
        return Result.ok(new Preflight(problems, List.of(), expected));
    }

    @Override
    public Result<OpReport> move(List<PortMove> moves, DriverContext context) {
        Map<String, List<PortMove>> byDevice = byDevice(moves);
        Map<String, Object> done = eachDevice(byDevice.keySet(), d -> moveOn(d, byDevice.get(d), context));
        List<String> moved = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        String first = null;
        int already = 0;
        for (Map.Entry<String, Object> e : done.entrySet()) {
            DeviceMove m = e.getValue() instanceof DeviceMove dm ? dm
                    : new DeviceMove(List.of(), 0, ((DeviceException) e.getValue()).getMessage());
            m.moved().forEach(p -> moved.add(e.getKey() + "/" + p));
            already += m.already();
            if (m.failure() != null) { // the first failing device is the problem's; the others are named
                failures.add(first == null ? m.failure() : e.getKey() + ": " + m.failure());
                first = first == null ? e.getKey() : first;
            }
        }
        if (failures.isEmpty()) {
            String summary = "moved " + moves.size() + " port(s) on " + byDevice.keySet() + ", verified"
                    + (already == 0 ? "" : " (" + already + " already on their target VLAN: not written again)");
            context.progress(summary);
            return Result.ok(OpReport.of(summary));
        }
        return Result.failed(first, String.join("; ", failures) + "; " + SwitchReports.movedBeforeFailure(moved));
    }

    @Override
    public Result<OpReport> restore(List<PortMove> moves, DriverContext context) {
        Map<String, List<PortMove>> byDevice = byDevice(moves);
        Map<String, Object> done = eachDevice(byDevice.keySet(), d -> restoreOn(d, byDevice.get(d), context));
        List<String> back = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int already = 0;
        for (Map.Entry<String, Object> e : done.entrySet()) {
            if (e.getValue() instanceof DeviceException x) {
                problems.add(new Problem(e.getKey(), x.getMessage()));
                continue;
            }
            DeviceRestore r = (DeviceRestore) e.getValue();
            r.back().forEach(p -> back.add(e.getKey() + "/" + p));
            already += r.already();
            elsewhere.addAll(r.elsewhere());
        }
        String summary = SwitchReports.restored(back, already, elsewhere);
        if (problems.isEmpty()) {
            return Result.ok(OpReport.of(summary));
        }
        return Result.failed(problems.get(0).device(), problems.stream().map(Problem::toString)
                .collect(Collectors.joining("; ")) + "; on the other devices: " + summary);
    }

    // ---------------------------------------------------------------- one device

    private record DevicePreflight(List<Problem> problems, Duration expected) {
    }

    /** What a move did on one device: the ports it moved, those already there, its failure. */
    private record DeviceMove(List<String> moved, int already, String failure) {
    }

    private record DeviceRestore(List<String> back, int already, List<String> elsewhere) {
    }

    private DeviceMove moveOn(String d, List<PortMove> ms, DriverContext context) throws DeviceException {
        Map<String, VlanId> now = read(d, names(ms));
        List<PortMove> pending = new ArrayList<>();
        List<String> taken = new ArrayList<>();
        int already = 0;
        for (PortMove m : ms) {
            VlanId v = vlanOf(now, m.port().port());
            if (v.equals(m.to())) {
                already++;
            } else if (v.equals(m.from())) {
                pending.add(m);
            } else {
                taken.add("port " + m.port().port() + " (user " + m.user() + ") is on VLAN " + v
                        + ", the plan expects VLAN " + m.from() + " (or its target VLAN " + m.to() + ")");
            }
        }
        if (!taken.isEmpty()) {
            return new DeviceMove(List.of(), already, String.join("; ", taken) + "; nothing was set on " + d);
        }
        var missing = missing(d, pending);
        if (missing.isPresent()) {
            return new DeviceMove(List.of(), already, missing.get() + "; nothing was set on " + d);
        }
        if (pending.isEmpty()) {
            return new DeviceMove(List.of(), already, null);
        }
        Map<String, VlanId> target = new LinkedHashMap<>();
        pending.forEach(m -> target.put(m.port().port(), m.to()));
        return writeAndVerify(d, target, context, already);
    }

    /** One write and its read back; what is on its target VLAN afterwards counts as moved. */
    private DeviceMove writeAndVerify(String d, Map<String, VlanId> target, DriverContext context, int already) {
        java.util.Optional<String> fenced = context.fenced();
        if (fenced.isPresent()) {
            return new DeviceMove(List.of(), already, "nothing written to " + d + ": " + fenced.get());
        }
        String failure = null;
        try {
            write(d, target, context);
        } catch (DeviceException e) {
            failure = e.getMessage();
        }
        Map<String, VlanId> after;
        try {
            after = read(d, List.copyOf(target.keySet()));
        } catch (DeviceException e) {
            return new DeviceMove(List.of(), already, (failure == null ? "" : failure + "; ")
                    + "cannot read back " + target.keySet() + " (" + e.getMessage() + "): they may have moved");
        }
        List<String> moved = new ArrayList<>();
        List<String> notApplied = new ArrayList<>();
        target.forEach((port, vlan) -> {
            VlanId v = after.get(port);
            if (vlan.equals(v)) {
                moved.add(port);
            } else {
                notApplied.add("port " + port + " read back on VLAN " + v + ", expected " + vlan);
            }
        });
        if (!notApplied.isEmpty()) {
            failure = (failure == null ? "" : failure + "; ") + String.join("; ", notApplied);
        }
        return new DeviceMove(moved, already, failure);
    }

    private DeviceRestore restoreOn(String d, List<PortMove> ms, DriverContext context) throws DeviceException {
        Map<String, VlanId> now = read(d, names(ms));
        Map<String, VlanId> back = new LinkedHashMap<>();
        List<String> elsewhere = new ArrayList<>();
        int already = 0;
        for (PortMove m : ms) {
            VlanId v = vlanOf(now, m.port().port());
            if (v.equals(m.from())) {
                already++; // never moved, or back already: left alone
            } else if (v.equals(m.to())) {
                back.put(m.port().port(), m.from());
            } else {
                elsewhere.add(m.port() + " (user " + m.user() + ") on VLAN " + v);
            }
        }
        if (!back.isEmpty()) {
            DeviceMove put = writeAndVerify(d, back, context, 0);
            if (put.failure() != null) {
                List<String> notBack = new ArrayList<>(back.keySet());
                notBack.removeAll(put.moved());
                throw new DeviceException(put.failure() + "; not put back: " + notBack);
            }
        }
        return new DeviceRestore(List.copyOf(back.keySet()), already, elsewhere);
    }

    // ---------------------------------------------------------------- helpers

    private java.util.Optional<String> missing(String d, List<PortMove> ms) throws DeviceException {
        Set<VlanId> wanted = ms.stream().map(PortMove::to).collect(Collectors.toCollection(TreeSet::new));
        Set<VlanId> missing = wanted.isEmpty() ? Set.of() : new TreeSet<>(missingVlans(d, wanted));
        return missing.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of("VLAN " + missing.stream().map(VlanId::toString).collect(Collectors.joining(", "))
                        + " does not exist on " + d);
    }

    /** A read's answer must hold every port asked for. */
    @SuppressWarnings("unchecked")
    private static VlanId vlanOf(Object read, String port) {
        VlanId v = ((Map<String, VlanId>) read).get(port);
        if (v == null) {
            throw new IllegalStateException("the driver's read() left out port " + port);
        }
        return v;
    }

    private static Map<String, List<PortMove>> byDevice(List<PortMove> moves) {
        Map<String, List<PortMove>> out = new LinkedHashMap<>();
        moves.forEach(m -> out.computeIfAbsent(m.port().device(), d -> new ArrayList<>()).add(m));
        return out;
    }

    private static List<String> names(List<PortMove> ms) {
        return ms.stream().map(m -> m.port().port()).toList();
    }

    /** A device's work that may throw {@link DeviceException}. */
    @FunctionalInterface
    private interface DeviceWork<T> {
        T on(String device) throws DeviceException;
    }

    /** Each device's result, or its {@link DeviceException}, in the devices' order. */
    private <T> Map<String, Object> eachDevice(Set<String> names, DeviceWork<T> work) {
        Map<String, CompletableFuture<Object>> running = new LinkedHashMap<>();
        for (String d : names) {
            running.put(d, CompletableFuture.supplyAsync(() -> {
                try {
                    return work.on(d);
                } catch (DeviceException e) {
                    return e;
                } catch (RuntimeException e) { // a bug in the driver: still a problem of that device
                    return new DeviceException("driver error: " + e, e);
                }
            }, devices));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        running.forEach((d, f) -> out.put(d, f.join()));
        return out;
    }
}

package net.sessionmigration.driverkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import net.sessionmigration.api.driver.DriverContext;
import net.sessionmigration.api.driver.base.AbstractAccessPortSwitcher;
import net.sessionmigration.api.driver.base.DeviceException;
import net.sessionmigration.api.model.AccessPort;
import net.sessionmigration.api.model.PortMove;
import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;
import net.sessionmigration.api.model.VlanId;

/**
 * What {@link AbstractAccessPortSwitcher} does with a driver's mistakes and with its executor; the
 * contract itself is checked by {@link AccessPortSwitcherContract} against the drivers built on it.
 */
class AbstractAccessPortSwitcherTest {
    static final VlanId V1 = VlanId.of(1);
    static final VlanId V2 = VlanId.of(2);

    /** Ports in memory, all on VLAN 1 at first; hooks for the faults under test. */
    static class Memory extends AbstractAccessPortSwitcher {
        final Map<AccessPort, VlanId> vlans = new ConcurrentHashMap<>();
        volatile boolean writeThrowsBug;
        volatile boolean readLeavesOutPorts;
        volatile CountDownLatch bothDevicesWriting;

        Memory() {
        }

        Memory(ExecutorService pool) {
            super(pool);
        }

        @Override
        protected Map<String, VlanId> read(String device, List<String> ports) {
            Map<String, VlanId> out = new LinkedHashMap<>();
            if (!readLeavesOutPorts) {
                ports.forEach(p -> out.put(p, vlans.getOrDefault(new AccessPort(device, p), V1)));
            }
            return out;
        }

        @Override
        protected void write(String device, Map<String, VlanId> ports, DriverContext context) throws DeviceException {
            if (writeThrowsBug) {
                throw new IllegalArgumentException("a bug in the driver");
            }
            CountDownLatch both = bothDevicesWriting;
            if (both != null) {
                both.countDown();
                try {
                    if (!both.await(5, TimeUnit.SECONDS)) {
                        throw new DeviceException("the other device was not written at the same time");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DeviceException("interrupted");
                }
            }
            ports.forEach((p, v) -> vlans.put(new AccessPort(device, p), v));
        }

        @Override
        protected Set<VlanId> missingVlans(String device, Set<VlanId> wanted) {
            return Set.of();
        }
    }

    static List<PortMove> moves(String... devices) {
        return java.util.Arrays.stream(devices).map(d -> new PortMove("u-" + d, new AccessPort(d, "1"), V1, V2)).toList();
    }

    @Test
    void aRuntimeExceptionInTheDriverIsAProblemOfItsDeviceNotACrash() {
        Memory m = new Memory();
        m.writeThrowsBug = true;
        Result<?> r = m.move(moves("sw1"), DriverContext.detached("t"));
        Problem p = r.failure().orElseThrow();
        assertEquals("sw1", p.device());
        assertTrue(p.cause().contains("driver error") && p.cause().contains("a bug in the driver"), p.cause());
        assertTrue(p.cause().endsWith("no port moved"), p.cause());
    }

    @Test
    void aReadThatLeavesOutAPortFailsEveryCallThatNeedsIt() {
        Memory m = new Memory();
        m.readLeavesOutPorts = true;
        assertFalse(m.readVlans(List.of(new AccessPort("sw1", "1"))).isOk());
        assertFalse(m.move(moves("sw1"), DriverContext.detached("t")).isOk());
        assertFalse(m.restore(moves("sw1"), DriverContext.detached("t")).isOk());
        assertFalse(m.preflight(moves("sw1")).orElseThrow().go(), "preflight names it as a problem");
        assertTrue(m.vlans.isEmpty(), "nothing was written");
    }

    @Test
    void withAnExecutorTheDevicesAreWrittenAtTheSameTime() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Memory m = new Memory(pool);
            m.bothDevicesWriting = new CountDownLatch(2);
            assertTrue(m.move(moves("sw1", "sw2"), DriverContext.detached("t")).isOk(),
                    "each device's write waits for the other's: only parallel devices get through");
            assertEquals(V2, m.vlans.get(new AccessPort("sw2", "1")));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutOneTheyAreWrittenOneAfterTheOther() {
        Memory m = new Memory();
        m.bothDevicesWriting = new CountDownLatch(2);
        Result<?> r = m.move(moves("sw1", "sw2"), DriverContext.detached("t"));
        assertTrue(r.failure().orElseThrow().cause().contains("not written at the same time"), r.toString());
    }
}

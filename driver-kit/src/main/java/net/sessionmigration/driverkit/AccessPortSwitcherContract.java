package net.sessionmigration.driverkit;

import static net.sessionmigration.driverkit.Failures.assertCarriesDeviceAndCause;
import static net.sessionmigration.driverkit.Failures.failed;
import static net.sessionmigration.driverkit.Failures.mentions;
import static net.sessionmigration.driverkit.Failures.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
 * What the coordinator relies on from every {@link AccessPortSwitcher}. Extend it in your driver's
 * tests and supply the driver, its ports and a way to arrange the device:
 *
 * <pre>{@code
 * class MySwitcherContractTest extends AccessPortSwitcherContract {
 *     protected AccessPortSwitcher switcher() { return new MySwitcher(LAB_CONFIG); }
 *     protected List<AccessPort> ports() { return List.of(new AccessPort("sw1", "1"), new AccessPort("sw2", "1")); }
 *     protected VlanId homeVlan() { return VlanId.of(10); }
 *     protected VlanId otherVlan() { return VlanId.of(20); }
 *     protected void putOn(AccessPort port, VlanId vlan) { lab.setPvid(port, vlan); }
 * }
 * }</pre>
 *
 * Before each test the kit calls {@link #switcher()} once (create the driver there, not in a
 * {@code @BeforeEach} of your own: that would run after the kit's), then puts every port of
 * {@link #ports()} on {@link #homeVlan()}. Moves go from the home VLAN to the other one.
 * Override {@link #failNextMoveOf}, {@link #vlanMissingOnDevice} and {@link #thirdVlan} when your
 * device can do what they ask; the tests that need them are skipped otherwise, never passed.
 *
 * <p>The contract tested: {@code move} reads before it writes (a port on its {@code to} VLAN counts
 * as moved, a port on a third VLAN is refused and not written), is idempotent, and on a failure
 * stops and reports, naming the device and the port, without putting anything back; {@code restore}
 * gets the same moves, puts back exactly the ports on their {@code to} VLAN, leaves ports on
 * {@code from} alone, leaves a port on a third VLAN alone and names it (not a failure), and is
 * idempotent. Undo is the coordinator's: it calls {@code restore} after a failed {@code move}. A move
 * whose context says the caller is fenced ({@link DriverContext#fenced()}: a cluster leader that was
 * deposed) changes nothing and fails with the context's reason.
 */
public abstract class AccessPortSwitcherContract {

    /** A fresh driver under test, configured to reach the devices of {@link #ports()}. */
    protected abstract AccessPortSwitcher switcher();

    /**
     * At least two ports that exist. The last one is the port {@link #failNextMoveOf} refuses: put it
     * on another device than the first, or make sure the refusal hits that port only, so that the
     * failed-move test sees ports moved before the failure, which the restore must put back.
     */
    protected abstract List<AccessPort> ports();

    /** A VLAN that exists on every device of {@link #ports()}; every test starts with every port on it. */
    protected abstract VlanId homeVlan();

    /** Another VLAN that exists on every device of {@link #ports()}. */
    protected abstract VlanId otherVlan();

    /** Puts a port on a VLAN on the device itself (or through the driver when the device has no other way in). */
    protected abstract void putOn(AccessPort port, VlanId vlan);

    /**
     * Something that makes the device refuse the next change of this port's VLAN (a SET the switch
     * rejects, a write that fails…), or empty when the device cannot be made to; the tests that
     * need a refusal are then skipped.
     */
    protected Optional<Runnable> failNextMoveOf(AccessPort port) {
        return Optional.empty();
    }

    /** A VLAN that does not exist on the devices of {@link #ports()}, or empty when the driver cannot tell. */
    protected Optional<VlanId> vlanMissingOnDevice() {
        return Optional.empty();
    }

    /**
     * A third VLAN that exists on every device of {@link #ports()}, neither {@link #homeVlan()} nor
     * {@link #otherVlan()}, on which {@link #putOn} can put a port: someone else's VLAN, as when
     * another tenant takes a port after the preflight. Empty when the devices have none; the tests
     * that need it are then skipped.
     */
    protected Optional<VlanId> thirdVlan() {
        return Optional.empty();
    }

    /** The context the kit hands to move and restore. */
    protected DriverContext context() {
        return DriverContext.detached("driver-kit");
    }

    private AccessPortSwitcher switcher;
    private List<AccessPort> ports;

    @BeforeEach
    final void putEveryPortOnItsHomeVlan() {
        switcher = switcher();
        assertNotNull(switcher, "switcher() returned null");
        ports = List.copyOf(ports());
        assertTrue(ports.size() >= 2, "ports() must list at least 2 ports, it lists " + ports);
        assertEquals(ports.size(), Set.copyOf(ports).size(), "ports() lists a port twice: " + ports);
        assertNotEquals(homeVlan(), otherVlan(), "homeVlan() and otherVlan() must differ");
        ports.forEach(p -> putOn(p, homeVlan()));
    }

    @Test
    void preflightIsGoWhenEveryPortIsOnItsFromVlan() {
        Preflight pf = ok(switcher.preflight(away(ports)), "preflight of " + ports);
        assertTrue(pf.go(), "every port is on its from VLAN " + homeVlan() + ", yet preflight found " + pf.problems());
    }

    @Test
    void preflightNamesDevicePortAndBothVlansWhenAPortIsElsewhere() {
        AccessPort elsewhere = ports.get(0);
        putOn(elsewhere, otherVlan());
        Result<Preflight> r = switcher.preflight(away(ports));
        List<Problem> problems = r.isOk() ? r.orElseThrow().problems() : List.of(r.failure().orElseThrow());
        assertFalse(problems.isEmpty(), elsewhere + " is on VLAN " + otherVlan() + ", not on its from VLAN "
                + homeVlan() + ", yet preflight says GO");
        String vlans = "VLAN " + otherVlan() + " (where it is) and " + homeVlan() + " (where the plan expects it)";
        assertTrue(problems.stream().map(Problem::toString).anyMatch(t -> mentions(t, elsewhere.device())
                        && mentions(t, elsewhere.port()) && mentions(t, otherVlan().toString())
                        && mentions(t, homeVlan().toString())),
                "a problem should name device " + elsewhere.device() + ", port " + elsewhere.port() + " and " + vlans
                        + "; preflight said " + problems);
    }

    @Test
    void readVlansReportsEveryPortAskedFor() {
        putOn(ports.get(0), otherVlan());
        Map<AccessPort, VlanId> now = ok(switcher.readVlans(ports), "readVlans " + ports);
        assertEquals(Set.copyOf(ports), now.keySet(), "readVlans should report exactly the ports asked for");
        assertEquals(otherVlan(), now.get(ports.get(0)), ports.get(0) + " was put on VLAN " + otherVlan());
        ports.subList(1, ports.size()).forEach(p -> assertEquals(homeVlan(), now.get(p), p + " was put on VLAN " + homeVlan()));
    }

    @Test
    void movePutsEveryPortOnItsToVlan() {
        ok(switcher.move(away(ports), context()), "move " + ports);
        assertAllOn(ports, otherVlan(), "after a move of every port to VLAN " + otherVlan());
    }

    @Test
    void aFailedMoveNamesThePortAndTheRestorePutsBackWhatMoved() {
        AccessPort refused = ports.get(ports.size() - 1);
        refuseNextMoveOf(refused);
        Problem p = failed(switcher.move(away(ports), context()), "move with " + refused + " refused by the device");
        assertTrue(mentions(p.toString(), refused.device()) && mentions(p.toString(), refused.port()),
                "the problem should name device " + refused.device() + " and port " + refused.port()
                        + " of the refused port " + refused + ": " + p);
        Map<AccessPort, VlanId> after = ok(switcher.readVlans(ports), "readVlans after the failed move");
        ports.forEach(port -> assertTrue(homeVlan().equals(after.get(port)) || otherVlan().equals(after.get(port)),
                "after a failed move " + port + " should be on VLAN " + homeVlan() + " or " + otherVlan()
                        + ", readVlans says " + after.get(port)));
        assertEquals(homeVlan(), after.get(refused), "the refused port " + refused + " did not move");
        // undo is the coordinator's: it calls restore with the same moves, and may call it again
        ok(switcher.restore(away(ports), context()), "restore after a move that failed on " + refused);
        assertAllOn(ports, homeVlan(), "after the restore that follows a failed move (the ports the move had"
                + " moved go back)");
        ok(switcher.restore(away(ports), context()), "a second restore after the failed move");
        assertAllOn(ports, homeVlan(), "after a second restore");
    }

    @Test
    void failedResultsCarryDeviceAndCause() {
        AccessPort refused = ports.get(ports.size() - 1);
        refuseNextMoveOf(refused);
        Problem p = failed(switcher.move(away(List.of(refused)), context()), "move of " + refused + " refused by the device");
        assertCarriesDeviceAndCause(p, "move of a refused port");
        assertAllOn(List.of(refused), homeVlan(), "after a failed move");
    }

    @Test
    void aFencedMoveChangesNothingAndSaysWhy() {
        String why = "fenced by the driver kit: epoch 1 is below the cluster's 2";
        DriverContext fenced = new RecordingContext(context().migrationId()).atEpoch(1).fencedBecause(why);
        Problem p = failed(switcher.move(away(ports), fenced), "move with a context that says the caller is fenced");
        assertTrue(p.toString().contains(why), "the failure should carry the context's reason '" + why + "': " + p);
        assertAllOn(ports, homeVlan(), "after a move whose context was fenced (ask DriverContext.fenced() before each"
                + " change on a device, and send nothing once it says why not)");
    }

    @Test
    void restorePutsEveryPortBackAndIsIdempotent() {
        ok(switcher.move(away(ports), context()), "move " + ports);
        ok(switcher.restore(away(ports), context()), "restore " + ports);
        assertAllOn(ports, homeVlan(), "after restore");
        ok(switcher.restore(away(ports), context()), "a second restore (nothing left to do)");
        assertAllOn(ports, homeVlan(), "after a second restore");
    }

    @Test
    void restoreLeavesAlonePortsAlreadyOnTheirFromVlan() {
        List<AccessPort> moved = ports.subList(1, ports.size());
        ok(switcher.move(away(moved), context()), "move " + moved);
        ok(switcher.restore(away(ports), context()), "restore of " + ports + " with " + ports.get(0)
                + " already on its from VLAN");
        assertAllOn(ports, homeVlan(), "after restore");
    }

    @Test
    void preflightNamesATargetVlanThatDoesNotExist() {
        Optional<VlanId> missing = vlanMissingOnDevice();
        assumeTrue(missing.isPresent(), "vlanMissingOnDevice() is empty: this driver's preflight is not checked"
                + " for a target VLAN that does not exist");
        List<PortMove> moves = ports.stream().map(p -> new PortMove("user-" + p.port(), p, homeVlan(), missing.get()))
                .toList();
        Result<Preflight> r = switcher.preflight(moves);
        List<Problem> problems = r.isOk() ? r.orElseThrow().problems() : List.of(r.failure().orElseThrow());
        assertTrue(problems.stream().anyMatch(p -> mentions(p.toString(), missing.get().toString())),
                "VLAN " + missing.get() + " does not exist, a problem should say so; preflight said " + problems);
    }

    @Test
    void twoMovesOnDisjointPortsFromTwoThreadsBothSucceed() throws Exception {
        List<AccessPort> even = IntStream.range(0, ports.size()).filter(i -> i % 2 == 0).mapToObj(ports::get).toList();
        List<AccessPort> odd = IntStream.range(0, ports.size()).filter(i -> i % 2 == 1).mapToObj(ports::get).toList();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 1; round <= 3; round++) {
                inParallel(pool, away(even), away(odd), "round " + round + ", away");
                assertAllOn(ports, otherVlan(), "round " + round + ", after two concurrent moves to VLAN " + otherVlan());
                inParallel(pool, back(even), back(odd), "round " + round + ", back");
                assertAllOn(ports, homeVlan(), "round " + round + ", after two concurrent moves to VLAN " + homeVlan());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void moveIsIdempotent() {
        ok(switcher.move(away(ports), context()), "move " + ports);
        ok(switcher.move(away(ports), context()), "the same move again (forward recovery after a coordinator crash:"
                + " every port already on its to VLAN counts as moved)");
        assertAllOn(ports, otherVlan(), "after the same move twice");
        putOn(ports.get(0), homeVlan()); // the crash came before this port was moved
        ok(switcher.move(away(ports), context()), "the same move again with " + ports.get(0) + " still on its from"
                + " VLAN and the others already moved");
        assertAllOn(ports, otherVlan(), "after a move repeated over a partly done one");
    }

    @Test
    void moveRefusesAPortOnAThirdVlanAndWritesNothingForIt() {
        VlanId third = thirdVlanOrSkip();
        AccessPort taken = ports.get(0);
        putOn(taken, third);
        Problem p = failed(switcher.move(away(ports), context()), "move with " + taken + " on VLAN " + third
                + " (neither its from VLAN " + homeVlan() + " nor its to VLAN " + otherVlan() + ")");
        assertTrue(mentions(p.toString(), taken.device()) && mentions(p.toString(), taken.port()),
                "the problem should name device " + taken.device() + " and port " + taken.port() + ": " + p);
        assertAllOn(List.of(taken), third, "after a move that found " + taken + " on someone else's VLAN " + third
                + " (read before you write: it must not be moved)");
        ok(switcher.restore(away(ports), context()), "restore after the refused move (a port on another VLAN is"
                + " not a failure of the restore)");
        assertAllOn(List.of(taken), third, "after the restore (it must leave someone else's port alone)");
        assertAllOn(ports.subList(1, ports.size()), homeVlan(), "after the restore");
    }

    @Test
    void restoreLeavesAPortOnAThirdVlanAloneAndNamesIt() {
        VlanId third = thirdVlanOrSkip();
        AccessPort taken = ports.get(0);
        ok(switcher.move(away(ports), context()), "move " + ports);
        putOn(taken, third); // someone else takes the port after our move
        for (int attempt = 1; attempt <= 2; attempt++) {
            OpReport r = ok(switcher.restore(away(ports), context()), "restore #" + attempt + " with " + taken
                    + " on someone else's VLAN " + third + " (not a failure: the coordinator would retry and end FAILED)");
            assertTrue(mentions(r.summary(), taken.device()) && mentions(r.summary(), taken.port())
                            && mentions(r.summary(), third.toString()),
                    "restore #" + attempt + " should name " + taken + " and VLAN " + third + " in its report, left alone: "
                            + r.summary());
            assertAllOn(List.of(taken), third, "after restore #" + attempt + " (someone else's port is left alone)");
            assertAllOn(ports.subList(1, ports.size()), homeVlan(), "after restore #" + attempt);
        }
    }

    @Test
    void moveLeavesOtherPortsAlone() {
        AccessPort moved = ports.get(0);
        List<AccessPort> others = ports.subList(1, ports.size());
        ok(switcher.move(away(List.of(moved)), context()), "move " + moved);
        assertAllOn(List.of(moved), otherVlan(), "after its move");
        assertAllOn(others, homeVlan(), "after a move of " + moved + " only (the other ports must stay)");
    }

    // ---- helpers

    private VlanId thirdVlanOrSkip() {
        Optional<VlanId> third = thirdVlan();
        assumeTrue(third != null && third.isPresent(), "thirdVlan() is empty: a port on someone else's VLAN cannot be"
                + " arranged, so this test cannot run");
        assertFalse(third.get().equals(homeVlan()) || third.get().equals(otherVlan()), "thirdVlan() must differ from"
                + " homeVlan() and otherVlan()");
        return third.get();
    }

    private void refuseNextMoveOf(AccessPort port) {
        Optional<Runnable> fault = failNextMoveOf(port);
        assumeTrue(fault != null && fault.isPresent(), "failNextMoveOf(" + port + ") is empty: the device cannot be"
                + " made to refuse a port, so this test cannot run");
        fault.get().run();
    }

    private List<PortMove> away(List<AccessPort> which) {
        return which.stream().map(p -> new PortMove("user-" + p.port(), p, homeVlan(), otherVlan())).toList();
    }

    private List<PortMove> back(List<AccessPort> which) {
        return away(which).stream().map(PortMove::reversed).toList();
    }

    private void inParallel(ExecutorService pool, List<PortMove> a, List<PortMove> b, String what) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<Result<OpReport>>> both = new ArrayList<>();
        for (List<PortMove> moves : List.of(a, b)) {
            both.add(pool.submit(() -> {
                start.await(10, TimeUnit.SECONDS);
                return switcher.move(moves, context());
            }));
        }
        ok(both.get(0).get(60, TimeUnit.SECONDS), what + ": move " + a + " (while another thread moves " + b + ")");
        ok(both.get(1).get(60, TimeUnit.SECONDS), what + ": move " + b + " (while another thread moves " + a + ")");
    }

    private void assertAllOn(List<AccessPort> which, VlanId vlan, String when) {
        Map<AccessPort, VlanId> now = ok(switcher.readVlans(which), "readVlans " + which + " " + when);
        which.forEach(p -> assertEquals(vlan, now.get(p), when + ": " + p + " should be on VLAN " + vlan
                + ", readVlans says " + now.get(p)));
    }
}

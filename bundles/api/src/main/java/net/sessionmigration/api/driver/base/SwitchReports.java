package net.sessionmigration.api.driver.base;

import java.util.List;

/**
 * The words every switch driver uses for what its {@code move} and {@code restore} did, so an
 * operator reads the same sentence whichever driver ran (and tests can look for it).
 */
public final class SwitchReports {
    private SwitchReports() {
    }

    /** The end of a failed move's cause: the ports that moved before the failure, or that none did. */
    public static String movedBeforeFailure(List<String> moved) {
        return moved.isEmpty() ? "no port moved"
                : moved.size() + " port(s) moved before the failure " + some(moved)
                        + ", the coordinator's restore puts them back";
    }

    /**
     * What a restore did: the ports put back (verified), how many were already on their from VLAN,
     * and the ports left alone on someone else's VLAN.
     */
    public static String restored(List<String> putBack, int already, List<String> elsewhere) {
        String done = putBack.isEmpty() ? "no port to put back"
                : "put back " + putBack.size() + " port(s) " + some(putBack) + ", verified";
        if (already > 0) {
            done += "; " + already + " port(s) already on their original VLAN";
        }
        if (!elsewhere.isEmpty()) {
            done += "; left alone, on another VLAN than the plan's two (taken by someone else since the preflight): "
                    + some(elsewhere);
        }
        return done;
    }

    /** A list in a message: the first ten, then how many more. */
    public static String some(List<String> items) {
        return items.size() <= 10 ? items.toString()
                : "[" + String.join(", ", items.subList(0, 10)) + ", and " + (items.size() - 10) + " more]";
    }
}

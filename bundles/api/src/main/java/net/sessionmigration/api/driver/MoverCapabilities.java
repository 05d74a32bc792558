package net.sessionmigration.api.driver;

/**
 * What a workload mover can do; plan validation refuses what the driver cannot.
 *
 * @param canFreeze                S703/S709/S710 are supported (the target copy waits for resume)
 * @param canReplicate             REPLICATE is supported (both copies run afterwards)
 * @param canMoveVirtualIp         S705 is supported; false when the address travels inside the workload
 * @param targetAnswersWhileFrozen the stopped target copy already accepts connections to the virtual IP
 *                                 before S710 (a restored process's listening socket does, its kernel
 *                                 completes the handshake; a paused VM does not), so the user-side
 *                                 probe can verify the switch before resume
 * @param checksSessions           {@link WorkloadMover#checkSessions} confirms, before resume, that the
 *                                 source accepted nothing after the checkpoint (the coordinator runs it in
 *                                 S708)
 */
public record MoverCapabilities(boolean canFreeze, boolean canReplicate, boolean canMoveVirtualIp,
                                boolean targetAnswersWhileFrozen, boolean checksSessions) {

    /** A mover whose target copy answers while frozen, as a restored process does. */
    public MoverCapabilities(boolean canFreeze, boolean canReplicate, boolean canMoveVirtualIp) {
        this(canFreeze, canReplicate, canMoveVirtualIp, true, false);
    }

    /** A mover that does not check sessions. */
    public MoverCapabilities(boolean canFreeze, boolean canReplicate, boolean canMoveVirtualIp,
                             boolean targetAnswersWhileFrozen) {
        this(canFreeze, canReplicate, canMoveVirtualIp, targetAnswersWhileFrozen, false);
    }
}

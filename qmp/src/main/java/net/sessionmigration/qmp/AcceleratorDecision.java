package net.sessionmigration.qmp;

/**
 * Which accelerator to use on this host, and why (for preflight reports).
 *
 * @param accelerator what to use
 * @param reason      one line an operator can read, e.g. "KVM guest did not boot: ... ; using TCG"
 */
public record AcceleratorDecision(Accelerator accelerator, String reason) {
}

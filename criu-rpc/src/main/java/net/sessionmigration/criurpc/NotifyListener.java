package net.sessionmigration.criurpc;

/**
 * CRIU's action-script hooks over RPC ({@code notify_scripts}): CRIU stops at each named point
 * (pre-dump, post-dump, network-lock, network-unlock, pre-restore, setup-namespaces,
 * post-setup-namespaces, post-restore, pre-resume, post-resume, ...) and waits for the answer.
 * Called in CRIU's order on the thread that made the request; returning answers success,
 * throwing answers failure, and CRIU then aborts where that script's failure aborts (see the
 * module README: a failing pre-resume or post-resume is only logged). {@code pid} is the
 * restored root's pid for setup-namespaces and post-restore, 0 otherwise. Blocking here holds
 * CRIU at that point, with the tasks frozen.
 */
@FunctionalInterface
public interface NotifyListener {
    void onNotify(String script, int pid) throws Exception;
}

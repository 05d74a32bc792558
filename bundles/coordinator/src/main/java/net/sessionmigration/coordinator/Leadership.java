package net.sessionmigration.coordinator;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import net.sessionmigration.api.service.ClusterStatus;

/**
 * Whether this coordinator may run migrations: always when it runs alone (the default), only while
 * it leads when it is one member of a cluster ({@code net.sessionmigration.coordinator.cluster}).
 * No Curator or ZooKeeper type appears here, so a coordinator alone never loads them.
 */
public interface Leadership {

    /** Empty when this coordinator may start and run migrations now; otherwise why not, for the operator. */
    Optional<String> whyNotLeading();

    /** The current leader's epoch (0 alone): it rises with every new leader. */
    long epoch();

    /** What this member knows about the cluster now, for {@code migration:cluster}. */
    ClusterStatus status();

    /**
     * Calls {@code leading} with the epoch whenever this coordinator becomes the leader, and
     * {@code lost} with the reason whenever it stops being it. Alone: {@code leading} at once, once.
     */
    void listen(LongConsumer leading, Consumer<String> lost);

    /** A coordinator that runs alone: it always leads. */
    static Leadership alone() {
        return new Leadership() {
            @Override
            public Optional<String> whyNotLeading() {
                return Optional.empty();
            }

            @Override
            public long epoch() {
                return 0;
            }

            @Override
            public ClusterStatus status() {
                return ClusterStatus.alone();
            }

            @Override
            public void listen(LongConsumer leading, Consumer<String> lost) {
                leading.accept(0);
            }
        };
    }
}

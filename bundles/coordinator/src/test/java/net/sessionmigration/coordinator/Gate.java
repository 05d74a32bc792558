package net.sessionmigration.coordinator;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Holds a driver call until the test opens it, and tells the test when the call arrived. */
final class Gate {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);

    void pass() {
        entered.countDown();
        try {
            open.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void awaitEntered() {
        try {
            if (!entered.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the driver call never arrived at the gate");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    void open() {
        open.countDown();
    }
}

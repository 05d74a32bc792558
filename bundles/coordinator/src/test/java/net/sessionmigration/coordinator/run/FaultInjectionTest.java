package net.sessionmigration.coordinator.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import net.sessionmigration.api.model.Step;

class FaultInjectionTest {

    @AfterEach
    void off() {
        System.clearProperty(FaultInjection.PAUSE_AFTER_JOURNAL);
    }

    @Test
    void offByDefaultAndForOtherSteps() {
        FaultInjection.pauseAfterJournal("m1", Step.S704, true); // returns at once: no property
        System.setProperty(FaultInjection.PAUSE_AFTER_JOURNAL, "S705");
        FaultInjection.pauseAfterJournal("m1", Step.S704, true);
        FaultInjection.pauseAfterActing("m1", Step.S705); // "S705" pauses after its record, not after it acted
    }

    @Test
    void pausesAfterTheNamedStepActedUntilInterrupted() throws Exception {
        System.setProperty(FaultInjection.PAUSE_AFTER_JOURNAL, "S708+acted");
        FaultInjection.pauseAfterJournal("m1", Step.S708, true); // not before it acts
        CountDownLatch returned = new CountDownLatch(1);
        Thread run = new Thread(() -> {
            FaultInjection.pauseAfterActing("m1", Step.S708);
            returned.countDown();
        });
        run.start();
        assertFalse(returned.await(300, TimeUnit.MILLISECONDS), "it pauses");
        run.interrupt();
        assertTrue(returned.await(10, TimeUnit.SECONDS), "an interrupt ends the pause");
        run.join();
    }

    @Test
    void pausesAtTheNamedStepUntilInterrupted() throws Exception {
        System.setProperty(FaultInjection.PAUSE_AFTER_JOURNAL, "s704");
        CountDownLatch returned = new CountDownLatch(1);
        Thread run = new Thread(() -> {
            FaultInjection.pauseAfterJournal("m1", Step.S704, true);
            returned.countDown();
        });
        run.start();
        assertFalse(returned.await(300, TimeUnit.MILLISECONDS), "it pauses");
        run.interrupt(); // what a stopping coordinator does
        assertTrue(returned.await(10, TimeUnit.SECONDS), "an interrupt ends the pause");
        run.join();
    }
}

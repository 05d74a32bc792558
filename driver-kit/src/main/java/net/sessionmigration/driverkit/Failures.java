package net.sessionmigration.driverkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.regex.Pattern;

import net.sessionmigration.api.model.Problem;
import net.sessionmigration.api.model.Result;

/** Assertions on results shared by the contracts. */
final class Failures {
    /** What {@link Problem} puts in place of a blank device or cause: a driver never means these. */
    private static final String DEFAULT_DEVICE = new Problem(null, "x").device();
    private static final String DEFAULT_CAUSE = new Problem("x", null).cause();

    private Failures() {
    }

    /** The value of an Ok result; a Failed one fails the test with its problem. */
    static <T> T ok(Result<T> result, String what) {
        if (result == null) {
            return fail(what + " returned null; a driver returns a Result, never null");
        }
        return result.toOptional().orElseGet(() -> fail(what + " failed: " + result.failure().orElseThrow()));
    }

    /** The problem of a Failed result; an Ok one fails the test. */
    static Problem failed(Result<?> result, String what) {
        if (result == null) {
            return fail(what + " returned null; a driver returns a Result, never null");
        }
        return result.failure().orElseGet(() -> fail(what + " should have failed, but it answered "
                + result.toOptional().orElseThrow()));
    }

    /** A problem names the device that failed and the cause, not the placeholders of a blank one. */
    static void assertCarriesDeviceAndCause(Problem p, String what) {
        assertFalse(p.device().isBlank() || p.device().equals(DEFAULT_DEVICE), what + ": the problem names no device"
                + " (device '" + p.device() + "' is what Problem puts for a blank one); name the device that failed: " + p);
        assertFalse(p.cause().isBlank() || p.cause().equals(DEFAULT_CAUSE), what + ": the problem gives no cause"
                + " ('" + p.cause() + "' is what Problem puts for a blank one); say why, in words: " + p);
    }

    /** Whether text names the token as a word of its own: "port 1" names 1, "sw1" and "10" do not. */
    static boolean mentions(String text, String token) {
        return Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(token) + "(?![A-Za-z0-9_])").matcher(text).find();
    }
}

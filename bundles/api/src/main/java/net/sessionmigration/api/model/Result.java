package net.sessionmigration.api.model;

import java.util.Optional;
import java.util.function.Function;

/**
 * The outcome of every driver and service operation: a value, or the {@link Problem} that
 * says which device failed and why. Never null, never a bare boolean.
 */
public sealed interface Result<T> permits Result.Ok, Result.Failed {

    record Ok<T>(T value) implements Result<T> {
        public Ok {
            if (value == null) {
                throw new IllegalArgumentException("an Ok result needs a value");
            }
        }
    }

    record Failed<T>(Problem problem) implements Result<T> {
        public Failed {
            if (problem == null) {
                throw new IllegalArgumentException("a Failed result needs a problem");
            }
        }
    }

    static <T> Result<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Result<T> failed(Problem problem) {
        return new Failed<>(problem);
    }

    static <T> Result<T> failed(String device, String cause) {
        return new Failed<>(new Problem(device, cause));
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    default Optional<T> toOptional() {
        return this instanceof Ok<T> ok ? Optional.of(ok.value()) : Optional.empty();
    }

    default Optional<Problem> failure() {
        return this instanceof Failed<T> failed ? Optional.of(failed.problem()) : Optional.empty();
    }

    default <U> Result<U> map(Function<? super T, ? extends U> f) {
        if (this instanceof Ok<T> ok) {
            return Result.ok(f.apply(ok.value()));
        }
        return Result.failed(((Failed<T>) this).problem());
    }

    /** The value, or an {@link IllegalStateException} carrying the problem's text. */
    default T orElseThrow() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw new IllegalStateException(((Failed<T>) this).problem().toString());
    }
}

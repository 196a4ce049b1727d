package dev.taskbridge.engine.slot;

import java.time.Duration;

/**
 * How a slot retries a step that failed for a reason that may pass (a database timeout):
 * up to {@code maxAttempts} tries, waiting {@code minBackoff} doubled each time, at most
 * {@code maxBackoff}.
 */
public record RetrySettings(int maxAttempts, Duration minBackoff, Duration maxBackoff) {

    /** With the default backoff, eight tries wait about a minute in all: a database restart fits in it. */
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

    public static final RetrySettings DEFAULTS =
            new RetrySettings(DEFAULT_MAX_ATTEMPTS, DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF);

    public RetrySettings {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= min <= max");
        }
    }

    /** The wait before try number {@code attempt + 1}, after {@code attempt} failed tries. */
    public Duration backoff(int attempt) {
        long factor = 1L << Math.min(attempt - 1, 20);
        Duration wait = minBackoff.multipliedBy(factor);
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }
}

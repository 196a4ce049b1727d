package dev.taskbridge.gateway;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * When a submission asks to run: {@value #RUN_AT}, a point in time with its offset
 * ({@code 2026-12-24T08:00:00+01:00}), or {@value #RUN_AFTER}, a delay from now ({@code PT10M},
 * {@code P1D}). Both are names a submission's options never take: the API reads them from the
 * query parameters (or a form's fields) before the rest go to the task type as its options.
 */
public final class RunAt {

    public static final String RUN_AT = "runAt";
    public static final String RUN_AFTER = "runAfter";
    /** The furthest ahead a task may be scheduled: a year and a day covers any yearly run. */
    public static final Duration MAX_AHEAD = Duration.ofDays(366);

    private RunAt() {
    }

    /**
     * Takes {@value #RUN_AT} and {@value #RUN_AFTER} out of {@code options} and says when to run.
     *
     * @param options a submission's options as sent; the two names are removed from it
     * @return null to run at once (neither was given)
     * @throws InvalidSubmissionException naming the field: not a time or a duration, both given, a
     *                                    delay not positive, or further ahead than {@link #MAX_AHEAD}
     */
    public static Instant take(Map<String, String> options, Instant now) {
        String at = options.remove(RUN_AT);
        String after = options.remove(RUN_AFTER);
        if (at != null && after != null) {
            throw new InvalidSubmissionException(RUN_AFTER, "cannot be given with " + RUN_AT + ": give one of them");
        }
        if (at != null) {
            Instant when = instant(at);
            if (when.isAfter(now.plus(MAX_AHEAD))) {
                throw new InvalidSubmissionException(RUN_AT, "is more than " + MAX_AHEAD.toDays() + " days ahead");
            }
            return when; // a time passed already runs the task at once
        }
        if (after != null) {
            Duration delay = duration(after);
            if (delay.isNegative() || delay.isZero()) {
                throw new InvalidSubmissionException(RUN_AFTER, "must be a positive duration, e.g. PT10M");
            }
            if (delay.compareTo(MAX_AHEAD) > 0) {
                throw new InvalidSubmissionException(RUN_AFTER, "is more than " + MAX_AHEAD.toDays() + " days");
            }
            return now.plus(delay);
        }
        return null;
    }

    private static Instant instant(String text) {
        try {
            // an offset's '+' sent unescaped in a query string arrives as a space, which ISO-8601 never has
            return OffsetDateTime.parse(text.strip().replace(' ', '+')).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidSubmissionException(RUN_AT, "must be a date and time with its offset, "
                    + "e.g. 2026-12-24T08:00:00+01:00 or 2026-12-24T07:00:00Z");
        }
    }

    private static Duration duration(String text) {
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new InvalidSubmissionException(RUN_AFTER, "must be an ISO-8601 duration, e.g. PT10M or P1D");
        }
    }
}

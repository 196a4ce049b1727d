package dev.taskbridge.gateway;

import java.util.Map;

/**
 * A submission's priority: {@value #PRIORITY}, a whole number from {@value #LOWEST} to
 * {@value #HIGHEST}; {@value #USUAL} when it is not given. Within a task's slot, a task of a higher
 * priority starts before every waiting task of a lower one (a task that runs is never stopped for
 * it), and tasks of one priority start in the order they were submitted. A name a submission's
 * options never take: the API reads it from the query parameters (or a form's fields) before the
 * rest go to the task type as its options, as it does {@link RunAt}'s.
 */
public final class Priority {

    public static final String PRIORITY = "priority";
    /** The engine's range ({@code TaskEngine.LOWEST_PRIORITY} to {@code HIGHEST_PRIORITY}). */
    public static final int LOWEST = -100;
    public static final int HIGHEST = 100;
    public static final int USUAL = 0;

    private Priority() {
    }

    /**
     * Takes {@value #PRIORITY} out of {@code options}.
     *
     * @param options a submission's options as sent; the name is removed from it
     * @return the priority asked for, or {@value #USUAL}
     * @throws InvalidSubmissionException naming the field: not a whole number in the range
     */
    public static int take(Map<String, String> options) {
        String given = options.remove(PRIORITY);
        if (given == null || given.isBlank()) {
            return USUAL;
        }
        try {
            return check(Integer.parseInt(given.strip()));
        } catch (NumberFormatException e) {
            throw outOfRange();
        }
    }

    /**
     * @return {@code priority}, if it is in the range
     * @throws InvalidSubmissionException naming the field, if it is not
     */
    public static int check(int priority) {
        if (priority < LOWEST || priority > HIGHEST) {
            throw outOfRange();
        }
        return priority;
    }

    private static InvalidSubmissionException outOfRange() {
        return new InvalidSubmissionException(PRIORITY, "must be a whole number from " + LOWEST + " to " + HIGHEST
                + "; higher starts first, " + USUAL + " is the usual");
    }
}

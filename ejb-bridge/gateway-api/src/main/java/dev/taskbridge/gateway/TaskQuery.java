package dev.taskbridge.gateway;

import java.time.Instant;

/**
 * A filter over tasks; null fields match everything.
 *
 * @param orderKey      the tasks of one order key ({@link OrderKey})
 * @param submittedFrom tasks submitted at or after this instant
 * @param submittedTo   tasks submitted before this instant
 * @param limit         at most this many tasks, 1 to {@link #MAX_LIMIT}
 */
public record TaskQuery(String type, TaskStatus status, String owner, String orderKey, Instant submittedFrom,
                        Instant submittedTo, int offset, int limit) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public TaskQuery {
        if (offset < 0) {
            throw new InvalidSubmissionException("offset", "must not be negative");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidSubmissionException("limit", "must be between 1 and " + MAX_LIMIT);
        }
        if (submittedFrom != null && submittedTo != null && !submittedFrom.isBefore(submittedTo)) {
            throw new InvalidSubmissionException("to", "must be after from");
        }
    }

    /** Any time of submission. */
    public TaskQuery(String type, TaskStatus status, String owner, int offset, int limit) {
        this(type, status, owner, null, null, null, offset, limit);
    }
}

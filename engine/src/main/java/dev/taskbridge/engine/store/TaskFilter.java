package dev.taskbridge.engine.store;

import java.time.Instant;

/**
 * Which tasks to list; null fields match all. Newest first.
 *
 * @param orderKey      the tasks of one order key (design note 032)
 * @param submittedFrom tasks submitted at or after this instant
 * @param submittedTo   tasks submitted before this instant
 */
public record TaskFilter(String taskType, TaskState state, String owner, String orderKey, Instant submittedFrom,
                         Instant submittedTo, int offset, int limit) {

    /** Any order key, any time of submission. */
    public TaskFilter(String taskType, TaskState state, String owner, int offset, int limit) {
        this(taskType, state, owner, null, null, null, offset, limit);
    }
}

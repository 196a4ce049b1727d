package dev.taskbridge.engine.store;

import java.time.Instant;

/**
 * What one firing of a schedule came to.
 *
 * @param taskId    the task it submitted; null unless SUBMITTED
 * @param taskState that task's state as read with the run; null when there is no task (or it was purged)
 * @param detail    a few words for people: why it was skipped or refused; null when it was submitted
 * @param until     for a stretch of firings skipped together, the last of them (the first is {@code fireAt}); else null
 */
public record ScheduleRun(String scheduleId, Instant fireAt, Outcome outcome, String taskId, TaskState taskState,
                          String detail, Instant recordedAt, Instant until) {

    public enum Outcome {
        /** It made its task (the task's own state says how that went). */
        SUBMITTED,
        /** Missed while no engine ran, and the schedule's policy made no task of it. */
        SKIPPED,
        /** The task type refused the task (its payload, or the type is gone): nothing will run for it. */
        REFUSED
    }
}

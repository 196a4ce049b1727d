package dev.taskbridge.gateway;

import java.time.Instant;

/**
 * What one firing of a schedule came to.
 *
 * @param outcome    SUBMITTED (its task), SKIPPED (missed while no server ran, and the schedule's policy
 *                   made no task of it) or REFUSED (the task type refused it: {@code detail} says why)
 * @param taskId     the task it submitted, or null
 * @param taskStatus that task's status now; null when there is none, or it was purged since
 * @param until      for a stretch of firings skipped together, the last of them ({@code fireAt} the first); else null
 */
public record ScheduleRunView(Instant fireAt, String outcome, String taskId, TaskStatus taskStatus, String detail,
                              Instant until) {
}

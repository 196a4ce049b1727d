package dev.taskbridge.gateway;

import java.time.Instant;

/**
 * A task as clients see it.
 *
 * @param result  JSON text from the task type's handler once it succeeded, else null
 * @param error   set when the task failed, else null
 * @param stalled running, but without progress for longer than the engine's stalled-after setting
 * @param traceId the trace of the task's life (OpenTelemetry, 32 hex digits), or null when it was not traced
 * @param runAt   when it was to run, if it was submitted to run later; else null
 * @param priority higher starts first within its slot ({@link Priority})
 * @param orderKey the key whose tasks of this type run one after another ({@link OrderKey}), or null
 * @param rollbackOf the task this one rolls back ({@link TaskGateway#rollBack}), or null for any other task
 */
public record TaskView(
        String id,
        String type,
        int typeVersion,
        String owner,
        TaskStatus status,
        Progress progress,
        int attempts,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        String result,
        TaskError error,
        boolean stalled,
        String traceId,
        Instant runAt,
        int priority,
        String orderKey,
        String rollbackOf) {

    /** The task as a list shows it, e.g. on a page that shows one task the way the list does. */
    public TaskSummaryView summary() {
        TaskError summaryError = error == null ? null : new TaskError(error.message(), null, error.reference());
        return new TaskSummaryView(id, type, typeVersion, owner, status, progress, attempts, submittedAt, startedAt,
                endedAt, summaryError, stalled, runAt, priority, orderKey);
    }
}

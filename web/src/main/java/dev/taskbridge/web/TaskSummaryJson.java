package dev.taskbridge.web;

import java.time.Instant;

import dev.taskbridge.gateway.TaskSummaryView;
import dev.taskbridge.web.TaskJson.ErrorJson;
import dev.taskbridge.web.TaskJson.ProgressJson;

/**
 * A task as the REST list shows it: the fields of {@link TaskJson} without the result and the
 * stack trace, so that a page of 500 tasks stays small whatever their reports weigh. The error
 * keeps its message and log reference; {@code GET /api/tasks/{id}} has the rest.
 */
public record TaskSummaryJson(
        String id,
        String type,
        int typeVersion,
        String owner,
        String status,
        ProgressJson progress,
        int attempts,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        ErrorJson error,
        boolean stalled,
        Instant runAt,
        int priority,
        String orderKey) {

    static TaskSummaryJson of(TaskSummaryView task) {
        ErrorJson error = task.error() == null ? null : new ErrorJson(task.error().message(), null, task.error().reference());
        return new TaskSummaryJson(task.id(), task.type(), task.typeVersion(), task.owner(), task.status().name(),
                ProgressJson.of(task.progress()), task.attempts(), task.submittedAt(), task.startedAt(),
                task.endedAt(), error, task.stalled(), task.runAt(), task.priority(), task.orderKey());
    }
}

package dev.taskbridge.web;

import java.time.Instant;

import dev.taskbridge.gateway.TaskEvent;

/**
 * A task's change as the event streams send it.
 *
 * @param detail a few words for people, or null
 */
public record TaskEventJson(String taskId, String type, String owner, String kind, String status,
                            TaskJson.ProgressJson progress, Instant at, String detail) {

    static TaskEventJson of(TaskEvent event) {
        return new TaskEventJson(event.taskId(), event.type(), event.owner(), event.kind().name(), event.status().name(),
                TaskJson.ProgressJson.of(event.progress()), event.at(), event.detail());
    }
}

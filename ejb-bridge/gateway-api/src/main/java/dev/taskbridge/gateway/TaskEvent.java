package dev.taskbridge.gateway;

import java.time.Instant;

/**
 * A task changed: what live views are told, as it happens, once the change is stored.
 *
 * @param detail a few words for people, or null
 */
public record TaskEvent(String taskId, String type, String owner, TaskEventKind kind, TaskStatus status,
                        Progress progress, Instant at, String detail) {
}

package dev.taskbridge.gateway;

import java.time.Instant;

/**
 * One entry of a task's timeline.
 *
 * @param chunk  the chunk it is about, 0-based, or null
 * @param detail a few words for people, or null
 */
public record TaskHistoryEntry(Instant at, TaskEventKind kind, Integer chunk, String detail) {
}

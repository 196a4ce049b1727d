package dev.taskbridge.engine.store;

import java.time.Instant;

/**
 * One entry of a task's history.
 *
 * @param chunk  the chunk it is about (0-based), or null
 * @param detail a few words for people, or null
 */
public record TaskHistoryEntry(Instant at, TaskEventKind kind, Integer chunk, String detail) {
}

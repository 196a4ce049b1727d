package dev.taskbridge.engine.store;

import java.time.Instant;

/**
 * One entry of a task's history.
 *
 * @param chunk     the chunk it is about (0-based), or null
 * @param detail    a few words for people, or null
 * @param reference a failure's log reference, from the task's own column, when the entry is the
 *                  failure of the task's current run; null otherwise (a failure of an earlier run,
 *                  stored as history, has it in its detail only)
 */
public record TaskHistoryEntry(Instant at, TaskEventKind kind, Integer chunk, String detail, String reference) {

    /** An entry with no log reference of its own. */
    public TaskHistoryEntry(Instant at, TaskEventKind kind, Integer chunk, String detail) {
        this(at, kind, chunk, detail, null);
    }
}

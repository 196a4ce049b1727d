package dev.taskbridge.engine;

import java.time.Instant;

import dev.taskbridge.engine.store.TaskEventKind;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;

/**
 * Something happened to a task, as the engine tells its listeners once it is stored: what the
 * live views (the REST event stream, the clerk's pages) show without asking the database.
 *
 * @param detail a few words for people, or null
 */
public record TaskChange(String taskId, String taskType, String owner, TaskEventKind kind, TaskState state,
                         int chunksDone, int chunksTotal, long itemsDone, long itemsFailed, Instant at,
                         String detail) {

    /** A change read back from the store: cancel, retry, failure. */
    static TaskChange of(TaskRecord task, TaskEventKind kind, Instant at, String detail) {
        return new TaskChange(task.id(), task.taskType(), task.owner(), kind, task.state(), task.chunksDone(),
                task.chunksTotal(), task.itemsDone(), task.itemsFailed(), at, detail);
    }
}

package dev.taskbridge.engine.slot;

import java.util.List;
import java.util.concurrent.CompletionStage;

import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.plugin.ChunkOutcome;

/**
 * The blocking side of running a task, done off the slot's thread. Every stage completes on a
 * thread meant for blocking work; the slot only reacts to the results.
 */
public interface TaskWork {

    /**
     * Loads and parses the task and marks it running, or reports that it is already final
     * (a resumed hand-over of a task that finished before the crash).
     */
    CompletionStage<PreparedTask> prepare(SlotId slot, String taskId);

    /**
     * Runs one chunk and records the progress it makes.
     *
     * @param committed the outcomes of the chunks before it, in order
     */
    CompletionStage<ChunkOutcome> runChunk(PreparedTask task, int chunk, int attempt, List<ChunkOutcome> committed,
                                           Progress before);

    /** Computes and stores the task's result. */
    CompletionStage<Void> succeed(PreparedTask task, List<ChunkOutcome> outcomes);

    /** Stores the task's failure and the reference under which it was logged. */
    CompletionStage<Void> fail(SlotId slot, String taskId, Throwable failure, String reference);

    /** Items done and failed before a chunk, so the stored progress is a running total. */
    record Progress(long itemsDone, long itemsFailed) {
    }
}

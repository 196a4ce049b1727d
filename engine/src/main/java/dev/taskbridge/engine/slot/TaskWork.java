package dev.taskbridge.engine.slot;

import java.util.concurrent.CompletionStage;

import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.plugin.ChunkOutcome;

/**
 * The blocking side of running a task, done off the slot's thread. Every stage completes on a
 * thread meant for blocking work; the slot only reacts to the results.
 */
public interface TaskWork {

    /**
     * Loads and parses the task in its current run generation, with the outcomes of the chunks
     * that committed before, and marks it running; or reports that it is already final (a resumed
     * hand-over of a task that finished before the crash, or one cancelled meanwhile).
     */
    CompletionStage<PreparedTask> prepare(SlotId slot, String taskId);

    /**
     * Runs one chunk and records, in one transaction, its outcome in its effect marker and the
     * progress it makes; for the task's last chunk, the task's success and result too. Fails with
     * {@link RunOverException} when the run was cancelled or retried while the chunk ran: the
     * chunk then rolled back.
     */
    CompletionStage<ChunkOutcome> runChunk(PreparedTask task, int chunk, int attempt, Progress before);

    /**
     * Computes and stores the result of a task whose chunks had all committed before its end was
     * stored (normally the last chunk's transaction stores it).
     *
     * @return false when the store refused it: the run was over already (cancelled, or retried)
     */
    CompletionStage<Boolean> succeed(PreparedTask task);

    /**
     * Stores the task's failure and the reference under which it was logged.
     *
     * @return false when the store refused it: the run was over already (cancelled, or retried)
     */
    CompletionStage<Boolean> fail(SlotId slot, String taskId, int generation, Throwable failure, String reference);

    /**
     * Whether an operator paused the task type: then no step of its tasks starts (a step under
     * way finishes), and the slot's runner looks again a little later.
     */
    default boolean paused(String taskType) {
        return false;
    }

    /**
     * Whether the engine stops: from then on a step asked for never starts and never answers (the
     * engine's drain), and those that were under way have ended, or run past the drain's time. A
     * slot that hands itself over then waits for no step of its own.
     */
    default boolean stopping() {
        return false;
    }

    /**
     * A task was cancelled: what this node kept of its submission, to start it without reading
     * it, must not start it. Called by its slot, on the node that kept it if any did.
     */
    default void forgetSubmission(String taskId) {
    }

    /** Items done and failed before a chunk, so the stored progress is a running total. */
    record Progress(long itemsDone, long itemsFailed) {
    }
}

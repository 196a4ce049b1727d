package dev.taskbridge.plugin;

import java.util.List;

/**
 * Undoes what a task's committed chunks did: a plugin that offers it ({@link TaskType#undo()})
 * lets a supervisor roll a task back (design note 030). The rollback is a task of its own, run by
 * the same engine as any other: chunk by chunk, the original's committed chunks in reverse order,
 * each undo in a transaction of its own with its own effect marker, so each happens exactly once
 * whichever crash or redeploy comes in between; with progress, history and live events.
 *
 * <p>An undo writes its effects as {@link TaskHandler#runChunk} does: through the datasource the
 * plugin was given, in the undo's transaction, never committing itself. It compensates rather than
 * deletes where the books must show what happened (the ledger writes reversing entries), and
 * reports what it could not undo (a document already reversed, a period closed since) in its
 * outcome's failed items rather than failing the rollback.
 *
 * @param <P> the payload type of the task type, as {@link TaskType#parse} made it from the
 *            original task's payload
 */
public interface ChunkUndo<P> {

    /**
     * Undoes one committed chunk of the original task.
     *
     * @param payload   the original task's payload, parsed as when it ran
     * @param committed which chunk of which task, and the outcome it committed with
     * @param context   the rollback task's own context (its id, its attempt at this undo)
     * @return what this undo did: items undone, items it could not undo, and data for {@link #result}
     * @throws Exception as {@link TaskHandler#runChunk}: a transient failure is retried, any other
     *                   fails the rollback task, which a supervisor may retry
     */
    ChunkOutcome undo(P payload, CommittedChunk committed, TaskContext context) throws Exception;

    /**
     * The rollback's result document (JSON text), from the undos' outcomes in the order they ran
     * (the original's last chunk first). By default the items undone and not undone in all.
     */
    default String result(P payload, List<ChunkOutcome> undone) throws Exception {
        long done = undone.stream().mapToLong(ChunkOutcome::itemsDone).sum();
        long failed = undone.stream().mapToLong(ChunkOutcome::itemsFailed).sum();
        return "{\"rolledBack\":true,\"chunks\":" + undone.size() + ",\"itemsUndone\":" + done + ",\"itemsNotUndone\":" + failed + "}";
    }

    /**
     * A chunk the original task committed.
     *
     * @param taskId  the original task's id: what its effects are recorded under
     * @param chunk   its chunk number in the original task (0-based)
     * @param outcome what it committed with: its items and data, as {@link TaskHandler#runChunk} returned
 *                them; for the original's last chunk, whose outcome went into the task's result,
 *                its items and empty data
     */
    record CommittedChunk(String taskId, int chunk, ChunkOutcome outcome) {
    }
}

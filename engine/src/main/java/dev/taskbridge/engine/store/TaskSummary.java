package dev.taskbridge.engine.store;

import java.time.Duration;
import java.time.Instant;

/**
 * A task as a listing shows it: what it is, where it stands, and why it failed in one line. It
 * holds none of the task's big columns (payload, result, stack trace), so that listing 500 tasks
 * costs a few kilobytes whatever their files and reports weigh; {@link TaskStore#find} has them.
 *
 * @param errorReference the reference under which a failure was logged
 * @param progressAt     when a running task last made progress: started, or committed a chunk
 * @param runAt          when the task was to run, if it was submitted to run later
 * @param priority       higher starts first within its slot
 */
public record TaskSummary(
        String id,
        String taskType,
        int typeVersion,
        String owner,
        TaskState state,
        int chunksDone,
        int chunksTotal,
        long itemsDone,
        long itemsFailed,
        int attempts,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        String errorMessage,
        String errorReference,
        Instant progressAt,
        Instant runAt,
        int priority,
        String orderKey) {

    /** As {@link TaskRecord#isStalled}. */
    public boolean isStalled(Instant now, Duration after) {
        return TaskRecord.isStalled(state, progressAt, now, after);
    }
}

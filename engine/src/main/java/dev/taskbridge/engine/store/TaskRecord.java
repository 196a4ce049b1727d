package dev.taskbridge.engine.store;

import java.time.Duration;
import java.time.Instant;

/**
 * A task as stored, without its payload.
 *
 * @param errorReference the reference under which a failure was logged, so that the log line can be found
 * @param progressAt     when a running task last made progress: started, or committed a chunk
 * @param runGeneration  counts the task's retries: a slot's writes name the generation they run, so a
 *                       late write of a run that a cancel and retry ended changes nothing
 * @param traceParent    the submission's span as a W3C traceparent, which the task's run continues; null
 *                       when it was not traced
 * @param runAt          when the task was to run, if it was submitted to run later; null when it ran at once
 * @param priority       higher starts first within its slot; 0 unless it was submitted with another
 * @param orderKey       the key whose tasks of this type run one after another (design note 032); null for none
 */
public record TaskRecord(
        String id,
        String taskType,
        int typeVersion,
        String owner,
        String idempotencyKey,
        TaskState state,
        int chunksDone,
        int chunksTotal,
        long itemsDone,
        long itemsFailed,
        int attempts,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        String result,
        String errorMessage,
        String errorStack,
        String errorReference,
        Instant progressAt,
        int runGeneration,
        String traceParent,
        Instant runAt,
        int priority,
        String orderKey) {

    /** This task in another state, all else as it is. */
    public TaskRecord withState(TaskState newState) {
        return new TaskRecord(id, taskType, typeVersion, owner, idempotencyKey, newState, chunksDone, chunksTotal,
                itemsDone, itemsFailed, attempts, submittedAt, startedAt, endedAt, result, errorMessage, errorStack,
                errorReference, progressAt, runGeneration, traceParent, runAt, priority, orderKey);
    }

    /**
     * What picks the task's slot: its order key, so that the tasks of one key share a slot and run
     * in turn; its id when it has none, which spreads tasks over every slot.
     */
    public String routingKey() {
        return orderKey != null ? orderKey : id;
    }

    /** The trace the task belongs to (32 hex digits), or null when it was not traced. */
    public String traceId() {
        return traceIdOf(traceParent);
    }

    /**
     * The trace id in a W3C traceparent as the engine stores it ({@code 00-<trace id>-<span id>-<flags>},
     * 55 characters); null for null or for anything else.
     */
    public static String traceIdOf(String traceParent) {
        return isTraceParent(traceParent) ? traceParent.substring(3, 35) : null;
    }

    /** Whether {@code value} has the shape of a version-00 W3C traceparent. */
    public static boolean isTraceParent(String value) {
        return value != null && value.length() == 55 && value.startsWith("00-") && value.charAt(35) == '-'
                && value.charAt(52) == '-';
    }

    /** Running, but without progress for longer than {@code after}: stuck, or far slower than it should be. */
    public boolean isStalled(Instant now, Duration after) {
        return isStalled(state, progressAt, now, after);
    }

    static boolean isStalled(TaskState state, Instant progressAt, Instant now, Duration after) {
        return state == TaskState.RUNNING && progressAt != null && progressAt.plus(after).isBefore(now);
    }
}

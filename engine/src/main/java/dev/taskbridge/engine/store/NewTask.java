package dev.taskbridge.engine.store;

import java.time.Instant;

import dev.taskbridge.plugin.Payload;

/**
 * A submission about to be stored.
 *
 * @param idempotencyKey null when the client sent none
 * @param traceParent    the submission's span as a W3C traceparent; null when it was not traced
 * @param runAt          when it is to run, stored SCHEDULED until then; null to run at once (QUEUED)
 * @param priority       higher starts first within its slot; 0 for the usual
 */
public record NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload,
                      String traceParent, Instant runAt, int priority) {

    /** A submission of the usual priority. */
    public NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload,
                   String traceParent, Instant runAt) {
        this(id, taskType, typeVersion, owner, idempotencyKey, payload, traceParent, runAt, 0);
    }

    /** A submission to run at once. */
    public NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload,
                   String traceParent) {
        this(id, taskType, typeVersion, owner, idempotencyKey, payload, traceParent, null);
    }

    /** The state the task is stored in. */
    TaskState state() {
        return runAt == null ? TaskState.QUEUED : TaskState.SCHEDULED;
    }

    /** A submission that was not traced. */
    public NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload) {
        this(id, taskType, typeVersion, owner, idempotencyKey, payload, null);
    }
}

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
 * @param orderKey       the tasks of one type with the same key run one after another, in the order they were
 *                       submitted; null for none (design note 032)
 */
public record NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload,
                      String traceParent, Instant runAt, int priority, String orderKey) {

    /** A submission without an order key. */
    public NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload,
                   String traceParent, Instant runAt, int priority) {
        this(id, taskType, typeVersion, owner, idempotencyKey, payload, traceParent, runAt, priority, null);
    }

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

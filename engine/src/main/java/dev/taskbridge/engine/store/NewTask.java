package dev.taskbridge.engine.store;

import dev.taskbridge.plugin.Payload;

/**
 * A submission about to be stored.
 *
 * @param idempotencyKey null when the client sent none
 * @param traceParent    the submission's span as a W3C traceparent; null when it was not traced
 */
public record NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload,
                      String traceParent) {

    /** A submission that was not traced. */
    public NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload) {
        this(id, taskType, typeVersion, owner, idempotencyKey, payload, null);
    }
}

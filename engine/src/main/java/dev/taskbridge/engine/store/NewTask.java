package dev.taskbridge.engine.store;

import dev.taskbridge.plugin.Payload;

/**
 * A submission about to be stored.
 *
 * @param idempotencyKey null when the client sent none
 */
public record NewTask(String id, String taskType, int typeVersion, String owner, String idempotencyKey, Payload payload) {
}

package dev.taskbridge.testkit;

import java.time.Instant;

/**
 * One step of a task's history, as the API and the pages show it.
 *
 * @param kind  SUBMITTED, STARTED, CHUNK_COMMITTED, SUCCEEDED, FAILED, CANCELLED, REQUEUED or ROLLBACK_REQUESTED
 * @param chunk the chunk of a CHUNK_COMMITTED, else null
 */
public record HistoryEntry(Instant at, String kind, Integer chunk, String detail) {
}

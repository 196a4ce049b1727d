package dev.taskbridge.plugin;

import java.util.Objects;

/**
 * What one chunk did: item counts for progress, and plugin-defined data that
 * {@link TaskHandler#result} combines. The data is stored with the task's history, so keep it
 * small (counts and totals, not copies of the input).
 *
 * @param itemsDone   items handled successfully in this chunk
 * @param itemsFailed items that were rejected in this chunk
 * @param data        plugin-defined text, typically JSON; empty when there is nothing to keep
 */
public record ChunkOutcome(int itemsDone, int itemsFailed, String data) {

    public ChunkOutcome {
        if (itemsDone < 0 || itemsFailed < 0) {
            throw new IllegalArgumentException("item counts cannot be negative");
        }
        Objects.requireNonNull(data, "data");
    }
}

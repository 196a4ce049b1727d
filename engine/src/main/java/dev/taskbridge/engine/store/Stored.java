package dev.taskbridge.engine.store;

/**
 * @param task    the stored task
 * @param created false when an earlier submission with the same owner and key created it
 */
public record Stored(TaskRecord task, boolean created) {
}

package dev.taskbridge.engine.store;

/** How many tasks of a type, submitted under one version of it, are not final yet (scheduled, queued or running). */
public record UnfinishedVersion(String taskType, int version, long tasks) {
}

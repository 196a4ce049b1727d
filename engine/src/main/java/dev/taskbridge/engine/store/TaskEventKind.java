package dev.taskbridge.engine.store;

/** What happened to a task, as its history records it. */
public enum TaskEventKind {
    SUBMITTED, STARTED, CHUNK_COMMITTED, SUCCEEDED, FAILED, CANCELLED, REQUEUED
}

package dev.taskbridge.engine.store;

/** What happened to a task, as its history records it. */
public enum TaskEventKind {
    SUBMITTED,
    /** A task submitted to run later is due and queued: a live change only, its history derives nothing from it. */
    DUE,
    STARTED, CHUNK_COMMITTED, SUCCEEDED, FAILED, CANCELLED, REQUEUED,
    /** Someone asked for the task's rollback: who, and the task that does it (note 030). Stored: it has no other home. */
    ROLLBACK_REQUESTED
}

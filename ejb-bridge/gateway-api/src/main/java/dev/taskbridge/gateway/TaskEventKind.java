package dev.taskbridge.gateway;

/** What happened to a task: the entries of its history and the events of its live stream. */
public enum TaskEventKind {
    SUBMITTED,
    /** A task submitted to run later is due and queued for its slot (live events only, not in histories). */
    DUE,
    STARTED, CHUNK_COMMITTED, SUCCEEDED, FAILED, CANCELLED, REQUEUED,
    /** Someone asked for the task's rollback (in histories only): who, and the task that rolls it back. */
    ROLLBACK_REQUESTED;

    /** Whether the task ends with it (until someone retries it). */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

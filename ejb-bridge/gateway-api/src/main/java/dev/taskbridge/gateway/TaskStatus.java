package dev.taskbridge.gateway;

/** Where a task is in its life. */
public enum TaskStatus {
    /** Stored to run at a later time ({@code runAt}): no slot holds it yet; it may be cancelled. */
    SCHEDULED,
    /** Stored and waiting for its slot. */
    QUEUED,
    /** Its slot is running it. */
    RUNNING,
    /** Done; the result is available. */
    SUCCEEDED,
    /** Stopped with an error; an operator may retry it. */
    FAILED,
    /** Cancelled before it finished. */
    CANCELLED;

    /** Whether nothing more will happen to the task unless someone acts on it. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

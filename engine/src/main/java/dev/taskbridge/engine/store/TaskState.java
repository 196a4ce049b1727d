package dev.taskbridge.engine.store;

/** A task's status as stored. */
public enum TaskState {
    /** Stored to run later: no slot holds it until it is due. */
    SCHEDULED,
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** Whether the engine will do nothing more with the task. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

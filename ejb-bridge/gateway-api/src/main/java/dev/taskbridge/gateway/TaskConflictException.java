package dev.taskbridge.gateway;

/** The task's status does not allow the operation, e.g. retrying a task that succeeded. */
public class TaskConflictException extends TaskbridgeException {

    public TaskConflictException(String message) {
        super(message);
    }
}

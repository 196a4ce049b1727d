package dev.taskbridge.gateway;

/**
 * The task's status, or its type's, does not allow the operation: retrying a task that succeeded,
 * submitting a task of a type whose plugin is being taken out.
 */
public class TaskConflictException extends TaskbridgeException {

    public TaskConflictException(String message) {
        super(message);
    }
}

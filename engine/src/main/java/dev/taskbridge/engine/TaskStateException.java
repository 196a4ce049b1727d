package dev.taskbridge.engine;

/** An operation does not fit the task's current status, e.g. retrying a task that succeeded. */
public class TaskStateException extends RuntimeException {

    private final String taskId;

    public TaskStateException(String taskId, String reason) {
        super("task " + taskId + ": " + reason);
        this.taskId = taskId;
    }

    public String taskId() {
        return taskId;
    }
}

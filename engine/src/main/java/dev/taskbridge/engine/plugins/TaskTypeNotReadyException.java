package dev.taskbridge.engine.plugins;

/**
 * A task type's {@link dev.taskbridge.plugin.TaskType#prepare} failed: its tasks wait (a
 * submission is answered "try again later", a resumed task is tried again) and the next one calls
 * it again.
 */
public class TaskTypeNotReadyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TaskTypeNotReadyException(String taskType, Throwable cause) {
        super("task type " + taskType + " is not ready: " + cause.getMessage(), cause);
    }
}

package dev.taskbridge.gateway;

/** No task with this id is visible to the caller. */
public class TaskNotFoundException extends TaskbridgeException {

    public TaskNotFoundException(String taskId) {
        super("no task " + taskId);
    }
}

package dev.taskbridge.engine;

/** A submission names a task type no plugin provides. */
public class NoSuchTaskTypeException extends RuntimeException {

    private final String taskType;

    public NoSuchTaskTypeException(String taskType) {
        super("no plugin provides task type '" + taskType + "'");
        this.taskType = taskType;
    }

    public String taskType() {
        return taskType;
    }
}

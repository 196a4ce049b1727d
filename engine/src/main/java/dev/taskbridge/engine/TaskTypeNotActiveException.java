package dev.taskbridge.engine;

/**
 * A task type's plugin is deployed but not active: it cannot run tasks of its type that an other
 * version of it left unfinished (note 028). Its message says so without naming those tasks, which
 * may be other users'; the log and the readiness probe name them.
 */
public class TaskTypeNotActiveException extends RuntimeException {

    private final String taskType;

    public TaskTypeNotActiveException(String taskType, String why) {
        super("task type " + taskType + " is not active on this server: " + why
                + "; an operator must deploy a version of its plugin that can run them");
        this.taskType = taskType;
    }

    public String taskType() {
        return taskType;
    }
}

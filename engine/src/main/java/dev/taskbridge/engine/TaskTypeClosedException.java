package dev.taskbridge.engine;

/**
 * A task type takes no new tasks: its plugin is being taken out and runs only the tasks it has
 * (note 043). Not "try again later": once those end the type is gone, unless an operator puts its
 * plugin back.
 */
public class TaskTypeClosedException extends RuntimeException {

    private final String taskType;

    public TaskTypeClosedException(String taskType, String why) {
        super("task type " + taskType + " takes no new tasks: " + why);
        this.taskType = taskType;
    }

    public String taskType() {
        return taskType;
    }
}

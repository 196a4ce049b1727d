package dev.taskbridge.engine.plugins;

import dev.taskbridge.engine.slot.Faults;

/**
 * A task type's {@link dev.taskbridge.plugin.TaskType#prepare} failed. When its cause passes by
 * itself (a database away: {@link #passing()}), the type's tasks wait: a submission is answered
 * "try again later", a resumed task is tried again; otherwise it is the plugin's fault, answered
 * as a server error. The message names the type only: the cause (a host name, a JNDI name) is for
 * the log, not for clients.
 */
public class TaskTypeNotReadyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean passing;

    public TaskTypeNotReadyException(String taskType, Throwable cause) {
        super("task type " + taskType + " is not ready yet", cause);
        // an interrupt is the host taking the thread away (an undeploy), not the plugin's fault
        this.passing = Faults.isTransient(cause) || cause instanceof InterruptedException;
    }

    /** Whether the cause is one that passes by itself, as a database that is away does. */
    public boolean passing() {
        return passing;
    }
}

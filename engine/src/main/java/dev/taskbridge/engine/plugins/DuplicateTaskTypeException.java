package dev.taskbridge.engine.plugins;

/**
 * Two plugins claim the same task type id. The deployment must fail: silently picking one would
 * run tasks with code nobody chose.
 */
public class DuplicateTaskTypeException extends RuntimeException {

    public DuplicateTaskTypeException(String typeId, String firstClass, String secondClass) {
        super("Task type '" + typeId + "' is provided by two plugins: " + firstClass + " and " + secondClass
                + "; remove one of them");
    }
}

package dev.taskbridge.plugin;

/**
 * A finished task's errors cannot be listed again as the task found them: what they were found
 * against has changed since. Thrown by {@link ResultErrors#forEach}; clients get a conflict (409)
 * with the message, which says in a clerk's words what to do.
 */
public class ErrorsUnavailableException extends Exception {

    public ErrorsUnavailableException(String message) {
        super(message);
    }
}

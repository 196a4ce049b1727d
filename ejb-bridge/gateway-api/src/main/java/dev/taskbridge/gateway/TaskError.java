package dev.taskbridge.gateway;

/**
 * Why a task failed.
 *
 * @param message    plain words for anyone who may see the task, with the reference: never a class
 *                   name nor an exception's own message, which the stack trace has
 * @param stackTrace the full stack trace, causes included, its first line the exception's class and
 *                   message: for supervisors and admins only
 * @param reference  the reference in the server log line that reported the failure, e.g. {@code TB-7KQ2M9XD}
 */
public record TaskError(String message, String stackTrace, String reference) {
}

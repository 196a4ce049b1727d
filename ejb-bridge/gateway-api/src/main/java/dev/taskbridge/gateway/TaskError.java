package dev.taskbridge.gateway;

/**
 * Why a task failed.
 *
 * @param message    the exception's class and message
 * @param stackTrace the full stack trace, causes included
 * @param reference  the reference in the server log line that reported the failure, e.g. {@code TB-7KQ2M9XD}
 */
public record TaskError(String message, String stackTrace, String reference) {
}

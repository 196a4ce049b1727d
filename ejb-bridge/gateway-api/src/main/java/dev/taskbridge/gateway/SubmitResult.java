package dev.taskbridge.gateway;

/**
 * @param task    the task the submission stands for
 * @param created false when an earlier submission with the same idempotency key created it
 */
public record SubmitResult(TaskView task, boolean created) {
}

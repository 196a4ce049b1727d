package dev.taskbridge.testkit;

/**
 * A task as the kit read it from the engine's store: its state, progress, result or error.
 *
 * @param state       QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED
 * @param attempts    runs of the task so far (a retry counts one more)
 * @param result      the result document ({@code TaskHandler.result}) once SUCCEEDED, else null
 * @param errorStack  the failure's stack trace once FAILED, else null
 */
public record TaskOutcome(String taskId, String state, int chunksDone, int chunksTotal, long itemsDone, long itemsFailed,
                          int attempts, String result, String errorMessage, String errorStack) {

    public boolean succeeded() {
        return "SUCCEEDED".equals(state);
    }

    /** Whether the task has ended: SUCCEEDED, FAILED or CANCELLED. */
    public boolean ended() {
        return "SUCCEEDED".equals(state) || "FAILED".equals(state) || "CANCELLED".equals(state);
    }
}

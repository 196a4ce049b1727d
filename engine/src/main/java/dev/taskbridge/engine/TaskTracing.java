package dev.taskbridge.engine;

import java.time.Instant;

import dev.taskbridge.engine.store.TaskState;

/**
 * How the engine tells a tracer (OpenTelemetry, where the host has one) about each task's life:
 * one trace per task, from its caller's span (the HTTP request's) through its submission, its wait
 * for a slot, each chunk and its end.
 *
 * <p>Only the submission's span is open while its work runs, on the caller's thread. Its context
 * is stored with the task (a W3C traceparent, {@code tb_task.trace_parent}), and every later span
 * is recorded when its step is over, with the step's own start and end, as a child of that stored
 * context: a trace continues across slot restarts, engine restarts and redeploys, and nothing of
 * it is held in memory between steps. A task whose submission was not sampled stores no context
 * and costs nothing after it. Tracing never fails a task: an implementation logs its own failures
 * and carries on.
 */
public interface TaskTracing {

    /** No tracer: nothing is recorded, no context is stored. */
    TaskTracing OFF = new TaskTracing() {
        @Override
        public Submission submission(String taskType) {
            return Submission.UNTRACED;
        }

        @Override
        public void queued(String traceParent, String taskId, String taskType, String slot, Instant submittedAt, Instant startedAt) {
        }

        @Override
        public void resumed(String traceParent, String taskId, String taskType, String slot, int chunksDone, Instant at) {
        }

        @Override
        public void chunk(String traceParent, String taskId, String taskType, int chunk, int attempt, Instant start,
                          Instant end, Throwable failure, boolean expected) {
        }

        @Override
        public void ended(String traceParent, String taskId, String taskType, TaskState state, Instant at, String detail) {
        }
    };

    /** Opens the span of a submission, a child of the caller's current span; the caller ends it. */
    Submission submission(String taskType);

    /** The task waited from its submission until its slot started it (hand-over and queue). */
    void queued(String traceParent, String taskId, String taskType, String slot, Instant submittedAt, Instant startedAt);

    /** A task started again from the store after it had run: after a restart or a retry. */
    void resumed(String traceParent, String taskId, String taskType, String slot, int chunksDone, Instant at);

    /**
     * One run of a chunk, its work and its transaction: {@code failure} null when it committed; an
     * error unless {@code expected} (the engine stopping, a cancel or retry that ended the run).
     */
    void chunk(String traceParent, String taskId, String taskType, int chunk, int attempt, Instant start, Instant end,
               Throwable failure, boolean expected);

    /** The task ended: SUCCEEDED, FAILED or CANCELLED; {@code detail} says why, or null. */
    void ended(String traceParent, String taskId, String taskType, TaskState state, Instant at, String detail);

    /** The open span of a submission. */
    interface Submission {

        /** Not traced: nothing to store, nothing to end. */
        Submission UNTRACED = new Submission() {
            @Override
            public String traceParent() {
                return null;
            }

            @Override
            public void stored(String taskId, boolean created) {
            }

            @Override
            public void refused(Throwable why) {
            }

            @Override
            public void failed(Throwable why) {
            }
        };

        /** The span's context as a W3C traceparent, to store with the task; null when it is not sampled. */
        String traceParent();

        /** Ends the span: the task is stored ({@code created}), or was already (a repeated idempotency key). */
        void stored(String taskId, boolean created);

        /** Ends the span: the request was refused as the API refuses bad or untimely input (not an error of the server's). */
        void refused(Throwable why);

        /** Ends the span as an error: nothing was stored, because of {@code why}. */
        void failed(Throwable why);
    }
}

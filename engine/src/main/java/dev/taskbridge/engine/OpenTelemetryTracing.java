package dev.taskbridge.engine;

import java.time.Instant;

import dev.taskbridge.engine.store.TaskState;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * {@link TaskTracing} on an OpenTelemetry {@link Tracer}: the host's (WildFly's, through CDI), or a
 * test's. The OpenTelemetry API is an optional dependency of the engine: only a host that creates
 * this class needs it.
 */
public final class OpenTelemetryTracing implements TaskTracing {

    static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("taskbridge.task.id");
    static final AttributeKey<String> TASK_TYPE = AttributeKey.stringKey("taskbridge.task.type");
    static final AttributeKey<String> SLOT = AttributeKey.stringKey("taskbridge.slot");
    static final AttributeKey<Long> CHUNK = AttributeKey.longKey("taskbridge.chunk");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("taskbridge.attempt");
    static final AttributeKey<Long> CHUNKS_DONE = AttributeKey.longKey("taskbridge.chunks_done");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("taskbridge.task.status");
    static final AttributeKey<Boolean> CREATED = AttributeKey.booleanKey("taskbridge.task.created");

    private final Tracer tracer;

    public OpenTelemetryTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Submission submission(String taskType) {
        Span span = tracer.spanBuilder("taskbridge.submit").setSpanKind(SpanKind.INTERNAL)
                .setAttribute(TASK_TYPE, taskType).startSpan();
        SpanContext context = span.getSpanContext();
        String traceParent = context.isSampled() ? traceParent(context) : null;
        return new Submission() {
            @Override
            public String traceParent() {
                return traceParent;
            }

            @Override
            public void stored(String taskId, boolean created) {
                span.setAttribute(TASK_ID, taskId).setAttribute(CREATED, created).end();
            }

            @Override
            public void refused(Throwable why) {
                span.recordException(why);
                span.setStatus(StatusCode.ERROR, why.toString()).end();
            }
        };
    }

    @Override
    public void queued(String traceParent, String taskId, String taskType, String slot, Instant submittedAt, Instant startedAt) {
        if (traceParent != null) {
            step(traceParent, "taskbridge.queued", taskId, taskType, submittedAt).setAttribute(SLOT, slot).startSpan()
                    .end(startedAt);
        }
    }

    @Override
    public void resumed(String traceParent, String taskId, String taskType, String slot, int chunksDone, Instant at) {
        if (traceParent != null) {
            step(traceParent, "taskbridge.resumed", taskId, taskType, at).setAttribute(SLOT, slot)
                    .setAttribute(CHUNKS_DONE, (long) chunksDone).startSpan().end(at);
        }
    }

    @Override
    public void chunk(String traceParent, String taskId, String taskType, int chunk, int attempt, Instant start,
                      Instant end, Throwable failure) {
        if (traceParent == null) {
            return;
        }
        Span span = step(traceParent, "taskbridge.chunk", taskId, taskType, start).setAttribute(CHUNK, (long) chunk)
                .setAttribute(ATTEMPT, (long) attempt).startSpan();
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, failure.toString());
        }
        span.end(end);
    }

    @Override
    public void ended(String traceParent, String taskId, String taskType, TaskState state, Instant at, String detail) {
        if (traceParent == null) {
            return;
        }
        Span span = step(traceParent, "taskbridge.end", taskId, taskType, at).setAttribute(STATUS, state.name()).startSpan();
        if (state == TaskState.FAILED) {
            span.setStatus(StatusCode.ERROR, detail == null ? "failed" : detail);
        }
        span.end(at);
    }

    /** A span under the task's stored submission span, starting at {@code start}. */
    private SpanBuilder step(String traceParent, String name, String taskId, String taskType, Instant start) {
        return tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(parent(traceParent))
                .setStartTimestamp(start).setAttribute(TASK_ID, taskId).setAttribute(TASK_TYPE, taskType);
    }

    /** {@code 00-<trace id>-<span id>-<flags>}, as W3C Trace Context writes it. */
    static String traceParent(SpanContext context) {
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    /** The stored submission span as a parent; the stored value is our own, written by {@link #traceParent}. */
    static Context parent(String traceParent) {
        SpanContext submission = SpanContext.createFromRemoteParent(traceParent.substring(3, 35), traceParent.substring(36, 52),
                TraceFlags.getSampled(), TraceState.getDefault());
        return Context.root().with(Span.wrap(submission));
    }
}

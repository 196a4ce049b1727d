package dev.taskbridge.engine;

import java.time.Instant;
import java.util.function.Consumer;

import dev.taskbridge.engine.store.TaskRecord;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TaskTracing} on an OpenTelemetry {@link Tracer}: the host's (WildFly's, through CDI), or a
 * test's. The OpenTelemetry API is an optional dependency of the engine: only a host that creates
 * this class needs it. A failure of the tracer is logged and otherwise ignored: it never fails a
 * submission or a task.
 */
public final class OpenTelemetryTracing implements TaskTracing {

    private static final Logger LOG = LoggerFactory.getLogger(OpenTelemetryTracing.class);

    static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("taskbridge.task.id");
    static final AttributeKey<String> TASK_TYPE = AttributeKey.stringKey("taskbridge.task.type");
    static final AttributeKey<String> SLOT = AttributeKey.stringKey("taskbridge.slot");
    static final AttributeKey<Long> CHUNK = AttributeKey.longKey("taskbridge.chunk");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("taskbridge.attempt");
    static final AttributeKey<Long> CHUNKS_DONE = AttributeKey.longKey("taskbridge.chunks_done");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("taskbridge.task.status");
    static final AttributeKey<Boolean> CREATED = AttributeKey.booleanKey("taskbridge.task.created");
    /** Why a submission was refused, or a chunk run ended without committing when that was expected. */
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("taskbridge.outcome");

    private final Tracer tracer;

    public OpenTelemetryTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public Submission submission(String taskType) {
        Span span;
        try {
            span = tracer.spanBuilder("taskbridge.submit").setSpanKind(SpanKind.INTERNAL)
                    .setAttribute(TASK_TYPE, taskType).startSpan();
        } catch (RuntimeException e) {
            LOG.warn("Could not start a submission's span; the task is not traced", e);
            return Submission.UNTRACED;
        }
        SpanContext context = span.getSpanContext();
        String traceParent = context.isSampled() ? traceParent(context) : null;
        return new Submission() {
            @Override
            public String traceParent() {
                return traceParent;
            }

            @Override
            public void stored(String taskId, boolean created) {
                quietly(() -> span.setAttribute(TASK_ID, taskId).setAttribute(CREATED, created).end());
            }

            @Override
            public void refused(Throwable why) {
                quietly(() -> span.setAttribute(OUTCOME, why.getClass().getSimpleName()).end());
            }

            @Override
            public void failed(Throwable why) {
                quietly(() -> {
                    span.recordException(why);
                    span.setStatus(StatusCode.ERROR, why.toString()).end();
                });
            }
        };
    }

    @Override
    public void queued(String traceParent, String taskId, String taskType, String slot, Instant submittedAt, Instant startedAt) {
        step(traceParent, "taskbridge.queued", taskId, taskType, submittedAt,
                builder -> builder.setAttribute(SLOT, slot).startSpan().end(startedAt));
    }

    @Override
    public void resumed(String traceParent, String taskId, String taskType, String slot, int chunksDone, Instant at) {
        step(traceParent, "taskbridge.resumed", taskId, taskType, at,
                builder -> builder.setAttribute(SLOT, slot).setAttribute(CHUNKS_DONE, (long) chunksDone).startSpan().end(at));
    }

    @Override
    public void chunk(String traceParent, String taskId, String taskType, int chunk, int attempt, Instant start,
                      Instant end, Throwable failure, boolean expected) {
        step(traceParent, "taskbridge.chunk", taskId, taskType, start, builder -> {
            Span span = builder.setAttribute(CHUNK, (long) chunk).setAttribute(ATTEMPT, (long) attempt).startSpan();
            if (failure != null && expected) {
                span.setAttribute(OUTCOME, failure.getClass().getSimpleName());
            } else if (failure != null) {
                span.recordException(failure);
                span.setStatus(StatusCode.ERROR, failure.toString());
            }
            span.end(end);
        });
    }

    @Override
    public void ended(String traceParent, String taskId, String taskType, TaskState state, Instant at, String detail) {
        step(traceParent, "taskbridge.end", taskId, taskType, at, builder -> {
            Span span = builder.setAttribute(STATUS, state.name()).startSpan();
            if (state == TaskState.FAILED) {
                span.setStatus(StatusCode.ERROR, detail == null ? "failed" : detail);
            }
            span.end(at);
        });
    }

    /** Records a span under the task's stored submission span, starting at {@code start}; nothing for an untraced task. */
    private void step(String traceParent, String name, String taskId, String taskType, Instant start,
                      Consumer<SpanBuilder> record) {
        if (!TaskRecord.isTraceParent(traceParent)) {
            return;
        }
        quietly(() -> record.accept(tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).setParent(parent(traceParent))
                .setStartTimestamp(start).setAttribute(TASK_ID, taskId).setAttribute(TASK_TYPE, taskType)));
    }

    private static void quietly(Runnable recording) {
        try {
            recording.run();
        } catch (RuntimeException e) {
            LOG.warn("Could not record a span; the task goes on untouched", e);
        }
    }

    /** {@code 00-<trace id>-<span id>-<flags>}, as W3C Trace Context writes it. */
    static String traceParent(SpanContext context) {
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    /** The stored submission span as a parent: it was sampled, or it would not have been stored. */
    static Context parent(String traceParent) {
        SpanContext submission = SpanContext.createFromRemoteParent(TaskRecord.traceIdOf(traceParent),
                traceParent.substring(36, 52), TraceFlags.getSampled(), TraceState.getDefault());
        return Context.root().with(Span.wrap(submission));
    }
}

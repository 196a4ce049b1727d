package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.sql.DataSource;

import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.Payload;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Each task is one trace, through OpenTelemetry's SDK with its in-memory exporter: the caller's span
 * (as a REST request's would be), the submission, the wait for a slot, every chunk run and the
 * end, all linked; continued by an engine that starts after a stop; none when not sampled.
 */
class TaskTracingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final EngineSettings FAST_RETRIES = EngineSettings.DEFAULTS
            .withRetry(new RetrySettings(3, Duration.ofMillis(10), Duration.ofMillis(50)));

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final List<TaskEngine> engines = new ArrayList<>();
    private SdkTracerProvider provider;
    private Tracer tracer;
    private DataSource database;
    private ScriptedTaskType type;

    @BeforeEach
    void setUp() {
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
        tracer = provider.get("taskbridge-test");
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        database = h2;
        type = new ScriptedTaskType("test.steps", 2);
    }

    @AfterEach
    void tearDown() {
        engines.forEach(TaskEngine::close);
        provider.close();
    }

    private TaskEngine start(TaskTracing tracing) {
        TaskEngine engine = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), database, null,
                getClass().getClassLoader(), Clock.systemUTC(), null, TaskMetrics.NONE, tracing);
        engines.add(engine);
        return engine;
    }

    /** A task submitted inside a caller's span, and that span. */
    private record Submitted(String taskId, SpanData request) {
    }

    /** Submits as a caller inside its own span would, e.g. a REST request. */
    private Submitted submitInside(TaskEngine engine, String script) throws Exception {
        Span request = tracer.spanBuilder("POST /api/task-types/{type}/tasks").startSpan();
        String id;
        try (Scope ignored = request.makeCurrent()) {
            id = engine.submit(type.id(), "clerk", null, text(script)).task().id();
        } finally {
            request.end();
        }
        return new Submitted(id, spans.getFinishedSpanItems().stream()
                .filter(span -> span.getSpanId().equals(request.getSpanContext().getSpanId())).findFirst().orElseThrow());
    }

    private static Payload text(String script) {
        return new Payload("text/plain", script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private TaskRecord awaitEnd(String id) {
        TaskStore store = new TaskStore(database, Clock.systemUTC());
        await().atMost(WAIT).until(() -> store.find(id).orElseThrow().state().isFinal());
        return store.find(id).orElseThrow();
    }

    private List<SpanData> named(String name) {
        return spans.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name)).toList();
    }

    @Test
    void aTaskIsOneTraceFromItsCallersSpanThroughItsWaitEachChunkAndItsEnd() throws Exception {
        TaskEngine engine = start(new OpenTelemetryTracing(tracer));
        Submitted submitted = submitInside(engine, "chunks=3");
        SpanData request = submitted.request();
        TaskRecord task = awaitEnd(submitted.taskId());
        assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
        await().atMost(WAIT).until(() -> named("taskbridge.end").size() == 1);

        String trace = request.getTraceId();
        assertThat(task.traceId()).as("stored with the task").isEqualTo(trace);
        assertThat(spans.getFinishedSpanItems()).allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(trace));
        SpanData submit = named("taskbridge.submit").get(0);
        assertThat(submit.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(submit.getAttributes().get(OpenTelemetryTracing.TASK_ID)).isEqualTo(task.id());
        assertThat(named("taskbridge.queued")).singleElement().satisfies(queued -> {
            assertThat(queued.getParentSpanId()).isEqualTo(submit.getSpanId());
            assertThat(queued.getStartEpochNanos()).isLessThanOrEqualTo(queued.getEndEpochNanos());
        });
        assertThat(named("taskbridge.chunk")).hasSize(3).allSatisfy(chunk -> {
            assertThat(chunk.getParentSpanId()).isEqualTo(submit.getSpanId());
            assertThat(chunk.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        }).extracting(chunk -> chunk.getAttributes().get(OpenTelemetryTracing.CHUNK)).containsExactlyInAnyOrder(0L, 1L, 2L);
        assertThat(named("taskbridge.end")).singleElement().satisfies(end -> {
            assertThat(end.getParentSpanId()).isEqualTo(submit.getSpanId());
            assertThat(end.getAttributes().get(OpenTelemetryTracing.STATUS)).isEqualTo("SUCCEEDED");
        });
        assertThat(type.traceIds).as("the trace id in every chunk's log lines").hasSize(3).containsOnly(trace);
    }

    @Test
    void aFailedChunkAndTheTasksFailureAreErrorsInItsTrace() throws Exception {
        TaskEngine engine = start(new OpenTelemetryTracing(tracer));
        String id = submitInside(engine, "chunks=2,failAtChunk=1").taskId();
        assertThat(awaitEnd(id).state()).isEqualTo(TaskState.FAILED);
        await().atMost(WAIT).until(() -> named("taskbridge.end").size() == 1);

        assertThat(named("taskbridge.chunk")).filteredOn(chunk -> chunk.getStatus().getStatusCode() == StatusCode.ERROR)
                .isNotEmpty().allSatisfy(chunk -> {
                    assertThat(chunk.getAttributes().get(OpenTelemetryTracing.CHUNK)).isEqualTo(1L);
                    assertThat(chunk.getEvents()).anySatisfy(event -> assertThat(event.getName()).isEqualTo("exception"));
                });
        SpanData end = named("taskbridge.end").get(0);
        assertThat(end.getAttributes().get(OpenTelemetryTracing.STATUS)).isEqualTo("FAILED");
        assertThat(end.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(end.getStatus().getDescription()).contains("row 7 is broken").contains("log reference");
    }

    /** A line the engine logged, with the task and trace ids its logging context had. */
    private record Line(Level level, String message, String taskId, String traceId) {
    }

    /**
     * Every line logged about a traced task's life carries its trace id: its start (submitted, or read
     * from the store for a retry), its end, and its failure with the log reference, whichever thread
     * logs them.
     */
    @Test
    void everyLineOfATasksLifeCarriesItsTraceId() throws Exception {
        List<Line> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(new Line(record.getLevel(), record.getMessage(), MDC.get(TaskLog.TASK_ID), MDC.get(TaskLog.TRACE_ID)));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger engineLogger = Logger.getLogger("dev.taskbridge.engine");
        Level before = engineLogger.getLevel();
        engineLogger.setLevel(Level.INFO);
        engineLogger.addHandler(capture);
        try {
            TaskEngine engine = start(new OpenTelemetryTracing(tracer));
            Submitted succeeding = submitInside(engine, "chunks=2");
            Submitted failing = submitInside(engine, "chunks=2,failAtChunk=1");
            assertThat(awaitEnd(succeeding.taskId()).state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(awaitEnd(failing.taskId()).state()).isEqualTo(TaskState.FAILED);
            engine.retry(failing.taskId(), "supervisor"); // read from the store to resume: another path to its start
            TaskRecord failed = awaitEnd(failing.taskId());
            assertThat(failed.state()).isEqualTo(TaskState.FAILED);
            assertThat(failed.attempts()).isEqualTo(2);

            for (Submitted task : List.of(succeeding, failing)) {
                List<Line> about = lines.stream().filter(line -> line.message() != null && line.message().contains(task.taskId())).toList();
                assertThat(about).as("lines naming task %s", task.taskId()).isNotEmpty()
                        .allSatisfy(line -> assertThat(line.traceId()).as("trace id of: %s", line.message())
                                .isEqualTo(task.request().getTraceId()));
                assertThat(about).anySatisfy(line -> assertThat(line.message()).contains("starts in slot"));
            }
            assertThat(lines).filteredOn(line -> line.message() != null && line.message().contains(failing.taskId()))
                    .as("the retried task's start, read from the store").anySatisfy(line ->
                            assertThat(line.message()).contains("committed before"));
            assertThat(lines).filteredOn(line -> succeeding.taskId().equals(line.taskId()))
                    .anySatisfy(line -> assertThat(line.message()).contains("succeeded"));
            assertThat(lines).filteredOn(line -> failing.taskId().equals(line.taskId()) && line.level().intValue() >= Level.WARNING.intValue())
                    .as("the failure's line, with its log reference").isNotEmpty()
                    .anySatisfy(line -> assertThat(line.message()).contains(failed.errorReference()))
                    .allSatisfy(line -> assertThat(line.traceId()).isEqualTo(failing.request().getTraceId()));
        } finally {
            engineLogger.removeHandler(capture);
            engineLogger.setLevel(before);
        }
    }

    @Test
    void anEngineStartedAfterAStopContinuesTheTraceFromTheStore() throws Exception {
        TaskEngine before = start(new OpenTelemetryTracing(tracer));
        Submitted submitted = submitInside(before, "chunks=4,sleepMillis=300");
        SpanData request = submitted.request();
        String id = submitted.taskId();
        TaskStore store = new TaskStore(database, Clock.systemUTC());
        await().atMost(WAIT).until(() -> !store.committedChunks(id).isEmpty());
        before.close();

        start(new OpenTelemetryTracing(tracer));
        assertThat(awaitEnd(id).state()).isEqualTo(TaskState.SUCCEEDED);
        await().atMost(WAIT).until(() -> named("taskbridge.end").size() == 1);

        assertThat(spans.getFinishedSpanItems()).allSatisfy(span -> {
            assertThat(span.getTraceId()).isEqualTo(request.getTraceId());
            // a run the stop ended is no error; a run of the same chunk that raced it may be (a transient clash)
            assertThat(span.getStatus().getDescription()).as("a stop is no error: %s", span)
                    .doesNotContain("the engine is stopping");
        });
        assertThat(named("taskbridge.queued")).hasSize(1);
        assertThat(named("taskbridge.resumed")).singleElement().satisfies(resumed ->
                assertThat(resumed.getAttributes().get(OpenTelemetryTracing.CHUNKS_DONE)).isPositive());
        assertThat(named("taskbridge.chunk")).extracting(chunk -> chunk.getAttributes().get(OpenTelemetryTracing.CHUNK))
                .contains(0L, 1L, 2L, 3L);
    }

    @Test
    void aRetriedTaskResumesInItsTraceWithOneSpanPerChunkRun() throws Exception {
        TaskEngine engine = start(new OpenTelemetryTracing(tracer));
        String id = submitInside(engine, "chunks=2,failOnceAtChunk=1").taskId();
        assertThat(awaitEnd(id).state()).isEqualTo(TaskState.FAILED);
        engine.retry(id, "supervisor");
        assertThat(awaitEnd(id).state()).isEqualTo(TaskState.SUCCEEDED);
        await().atMost(WAIT).until(() -> named("taskbridge.end").size() == 2);

        assertThat(named("taskbridge.queued")).as("queued once: the retry resumes").hasSize(1);
        assertThat(named("taskbridge.resumed")).hasSize(1);
        assertThat(named("taskbridge.end")).extracting(end -> end.getAttributes().get(OpenTelemetryTracing.STATUS))
                .containsExactly("FAILED", "SUCCEEDED");
        List<SpanData> chunks = named("taskbridge.chunk");
        assertThat(chunks).filteredOn(chunk -> chunk.getAttributes().get(OpenTelemetryTracing.CHUNK) == 0L)
                .as("chunk 0 committed in the first run; the retry skips it").hasSize(1);
        assertThat(chunks).filteredOn(chunk -> chunk.getAttributes().get(OpenTelemetryTracing.CHUNK) == 1L)
                .extracting(chunk -> chunk.getStatus().getStatusCode())
                .containsExactlyInAnyOrder(StatusCode.ERROR, StatusCode.UNSET);
    }

    @Test
    void aCancelledTaskEndsItsTraceAndTheRunItStoppedIsNoError() throws Exception {
        TaskEngine engine = start(new OpenTelemetryTracing(tracer));
        String id = submitInside(engine, "chunks=5,sleepMillis=300").taskId();
        TaskStore store = new TaskStore(database, Clock.systemUTC());
        await().atMost(WAIT).until(() -> store.find(id).orElseThrow().state() == TaskState.RUNNING);
        engine.cancel(id, "clerk");
        await().atMost(WAIT).until(() -> named("taskbridge.end").size() == 1);
        Thread.sleep(1_000); // the chunk that was running ends, and its span with it

        assertThat(named("taskbridge.end").get(0).getAttributes().get(OpenTelemetryTracing.STATUS)).isEqualTo("CANCELLED");
        assertThat(spans.getFinishedSpanItems()).allSatisfy(span ->
                assertThat(span.getStatus().getStatusCode()).as("%s", span).isNotEqualTo(StatusCode.ERROR));
    }

    @Test
    void aRefusedSubmissionIsNoErrorOfTheServers() {
        TaskEngine engine = start(new OpenTelemetryTracing(tracer));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.submit(type.id(), "clerk", null, text("chunks=0")))
                .isInstanceOf(dev.taskbridge.plugin.InvalidPayloadException.class);

        assertThat(named("taskbridge.submit")).singleElement().satisfies(submit -> {
            assertThat(submit.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(submit.getAttributes().get(OpenTelemetryTracing.OUTCOME)).isEqualTo("InvalidPayloadException");
        });
    }

    @Test
    void aStoredValueThatIsNoTraceParentIsIgnored() {
        assertThat(TaskRecord.traceIdOf("not-a-traceparent")).isNull();
        assertThat(TaskRecord.traceIdOf(null)).isNull();
        assertThat(TaskRecord.traceIdOf("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
                .isEqualTo("0af7651916cd43dd8448eb211c80319c");
        new OpenTelemetryTracing(tracer).chunk("00-junk", "t", "test.steps", 0, 1, java.time.Instant.now(),
                java.time.Instant.now(), null, false);
        assertThat(spans.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void aSubmissionThatIsNotSampledStoresNoTraceAndRecordsNothing() throws Exception {
        SdkTracerProvider never = SdkTracerProvider.builder().setSampler(Sampler.alwaysOff())
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
        try {
            TaskEngine engine = start(new OpenTelemetryTracing(never.get("off")));
            String id = engine.submit(type.id(), "clerk", null, text("chunks=2")).task().id();
            TaskRecord task = awaitEnd(id);
            assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(task.traceParent()).isNull();
            assertThat(spans.getFinishedSpanItems()).isEmpty();
            assertThat(type.traceIds).containsOnly("null");
        } finally {
            never.close();
        }
    }

    @Test
    void withoutATracerNothingIsStored() throws Exception {
        TaskEngine engine = start(TaskTracing.OFF);
        String id = engine.submit(type.id(), "clerk", null, text("chunks=1")).task().id();
        assertThat(awaitEnd(id).traceParent()).isNull();
    }
}

package dev.taskbridge.bridge;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.TaskMetrics;
import dev.taskbridge.engine.routing.SlotId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The engine's meters, in a Prometheus registry of Taskbridge's own, served at
 * {@code /taskbridge/api/metrics} (README, "Operations", lists them).
 *
 * <p>Not WildFly's application registry, which the management interface's {@code /prometheus}
 * exports: WildFly 39's registry exports only meters made with its shortcut methods, so none has
 * help text (meters built with a description were not exported at all), its timers have no
 * histogram buckets, and the endpoint sends no {@code Content-Type}; {@code promtool check
 * metrics} refused it. This registry is Micrometer's own Prometheus registry, of the version
 * WildFly ships (module {@code io.micrometer}), so the EAR carries no copy.
 *
 * <p>Every meter has help text; timers are histograms with buckets chosen for what each measures,
 * so percentiles can be computed ({@code histogram_quantile}). Meters are looked up once per task
 * type and kept, since some are hit for every message a slot handles.
 */
final class MicrometerTaskMetrics implements TaskMetrics, AutoCloseable {

    private static final Duration[] SUBMIT_BUCKETS = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000);
    private static final Duration[] TASK_BUCKETS = millis(10, 50, 100, 500, 1_000, 5_000, 10_000, 30_000, 60_000,
            300_000, 900_000, 3_600_000);
    private static final Duration[] CHUNK_BUCKETS = millis(1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000,
            10_000, 30_000, 60_000);
    private static final Duration[] JOURNAL_BUCKETS = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000);
    private static final Duration[] MESSAGE_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(50_000),
        Duration.ofNanos(100_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(50)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, TypeMeters> perType = new ConcurrentHashMap<>();
    private final Counter purged = Counter.builder("taskbridge.tasks.purged")
            .description("Finished tasks purged after taskbridge.retention.days").register(registry);

    /** A task type's counters and timers. */
    private record TypeMeters(Counter submitted, Counter succeeded, Counter failed, Counter cancelled,
                              Counter retried, Timer submitDuration, Timer taskDuration, Timer chunkDuration,
                              Timer journalWrite, Timer slotMessage, Counter slotRestarts, Counter refusedAsBusy) {

        static TypeMeters of(PrometheusMeterRegistry registry, String type) {
            return new TypeMeters(
                    counter(registry, "taskbridge.tasks.submitted", type,
                            "Tasks stored (a repeated idempotency key does not count)"),
                    counter(registry, "taskbridge.tasks.succeeded", type, "Tasks that ended SUCCEEDED"),
                    counter(registry, "taskbridge.tasks.failed", type, "Tasks that ended FAILED, after their retries"),
                    counter(registry, "taskbridge.tasks.cancelled", type, "Tasks cancelled"),
                    counter(registry, "taskbridge.steps.retried", type,
                            "Steps that failed for a transient reason and were tried again"),
                    timer(registry, "taskbridge.submit.duration", type,
                            "A submission, from its payload's check to its task stored", SUBMIT_BUCKETS),
                    timer(registry, "taskbridge.task.duration", type,
                            "A task, from its first start to its success, restarts included", TASK_BUCKETS),
                    timer(registry, "taskbridge.chunk.duration", type, "One chunk, with its transaction", CHUNK_BUCKETS),
                    timer(registry, "taskbridge.journal.write", type,
                            "A slot's event, from persist to stored in the journal", JOURNAL_BUCKETS),
                    timer(registry, "taskbridge.slot.message", type, "Time a slot spends on one message",
                            MESSAGE_BUCKETS),
                    counter(registry, "taskbridge.slot.restarts", type,
                            "Slots that failed and were started again, each recovering from its journal"),
                    counter(registry, "taskbridge.tasks.refused.busy", type,
                            "Submissions answered 503 because every slot of their type was full; nothing stored"));
        }

        private static Counter counter(PrometheusMeterRegistry registry, String name, String type, String help) {
            return Counter.builder(name).description(help).tag("type", type).register(registry);
        }

        private static Timer timer(PrometheusMeterRegistry registry, String name, String type, String help,
                                   Duration[] buckets) {
            return Timer.builder(name).description(help).tag("type", type).serviceLevelObjectives(buckets)
                    .register(registry);
        }
    }

    private TypeMeters meters(String taskType) {
        return perType.computeIfAbsent(taskType, type -> TypeMeters.of(registry, type));
    }

    /**
     * Registers the gauges, which read the engine when the registry is scraped, and creates every
     * type's meters at once, so that a scrape shows them at zero before the first task.
     */
    void watch(TaskEngine engine, IntSupplier openEventStreams) {
        for (SlotId slot : engine.slotIds()) {
            meters(slot.taskType());
            Gauge.builder("taskbridge.slot.queue.depth", engine, running -> running.queueDepth(slot))
                    .description("Tasks a slot holds, running and waiting")
                    .tags("type", slot.taskType(), "slot", slot.key()).register(registry);
        }
        for (String type : engine.liveSlotActors().keySet()) {
            Gauge.builder("taskbridge.slot.actors.live", engine,
                            running -> orNaN(() -> running.liveSlotActors().getOrDefault(type, 0)))
                    .description("Slot actors alive; the type's slot count when healthy")
                    .tag("type", type).register(registry);
        }
        Gauge.builder("taskbridge.tasks.stalled", engine, running -> orNaN(running::countStalled))
                .description("Running tasks without progress for taskbridge.stalled-after-ms").register(registry);
        Gauge.builder("taskbridge.event.streams.open", () -> openEventStreams.getAsInt())
                .description("Live event streams open now; one that ended, was closed or was dropped no longer counts")
                .register(registry);
    }

    /** The meters in Prometheus's text format ({@link dev.taskbridge.gateway.TaskGateway#METRICS_MEDIA_TYPE}). */
    String scrape() {
        return registry.scrape();
    }

    /** A gauge whose source is away (engine stopping, database down) shows no value, not an error. */
    private static double orNaN(Supplier<? extends Number> value) {
        try {
            return value.get().doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static Duration[] millis(long... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofMillis(values[i]);
        }
        return durations;
    }

    @Override
    public void close() {
        registry.close();
    }

    @Override
    public void submitted(String taskType, Duration latency) {
        TypeMeters meters = meters(taskType);
        meters.submitted().increment();
        meters.submitDuration().record(latency);
    }

    @Override
    public void succeeded(String taskType, Duration duration) {
        TypeMeters meters = meters(taskType);
        meters.succeeded().increment();
        meters.taskDuration().record(duration);
    }

    @Override
    public void failed(String taskType) {
        meters(taskType).failed().increment();
    }

    @Override
    public void cancelled(String taskType) {
        meters(taskType).cancelled().increment();
    }

    @Override
    public void retried(String taskType) {
        meters(taskType).retried().increment();
    }

    @Override
    public void chunk(String taskType, Duration duration) {
        meters(taskType).chunkDuration().record(duration);
    }

    @Override
    public void journalWrite(String taskType, Duration latency) {
        meters(taskType).journalWrite().record(latency);
    }

    @Override
    public void messageProcessed(String taskType, Duration duration) {
        meters(taskType).slotMessage().record(duration);
    }

    @Override
    public void slotRestarted(String taskType) {
        meters(taskType).slotRestarts().increment();
    }

    @Override
    public void refusedAsBusy(String taskType) {
        meters(taskType).refusedAsBusy().increment();
    }

    @Override
    public void purged(long tasks) {
        purged.increment(tasks);
    }
}

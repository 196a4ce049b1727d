package dev.taskbridge.bridge;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.TaskMetrics;
import dev.taskbridge.engine.routing.SlotId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The engine's meters in WildFly's Micrometer registry, exported at the management interface's
 * {@code /prometheus} (README, "Operations", lists them).
 *
 * <p>Meters are made with the registry's own shortcut methods ({@code counter}, {@code timer},
 * {@code gauge}): WildFly 39's application registry exports only those, not meters built with
 * {@code Counter.builder(...).register(...)}, and it exports timers as count, sum and max, without
 * histogram buckets. Meters are looked up once per task type and kept, since some are hit for every
 * message a slot handles.
 */
final class MicrometerTaskMetrics implements TaskMetrics {

    private final MeterRegistry registry;
    private final Map<String, TypeMeters> perType = new ConcurrentHashMap<>();

    MicrometerTaskMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A task type's counters and timers. */
    private record TypeMeters(Counter submitted, Counter succeeded, Counter failed, Counter cancelled,
                              Counter retried, Timer taskDuration, Timer chunkDuration, Timer journalWrite,
                              Timer slotMessage, Counter slotRestarts, Counter refusedAsBusy) {

        static TypeMeters of(MeterRegistry registry, String type) {
            return new TypeMeters(
                    registry.counter("taskbridge.tasks.submitted", "type", type),
                    registry.counter("taskbridge.tasks.succeeded", "type", type),
                    registry.counter("taskbridge.tasks.failed", "type", type),
                    registry.counter("taskbridge.tasks.cancelled", "type", type),
                    registry.counter("taskbridge.steps.retried", "type", type),
                    registry.timer("taskbridge.task.duration", "type", type),
                    registry.timer("taskbridge.chunk.duration", "type", type),
                    registry.timer("taskbridge.journal.write", "type", type),
                    registry.timer("taskbridge.slot.message", "type", type),
                    registry.counter("taskbridge.slot.restarts", "type", type),
                    registry.counter("taskbridge.tasks.refused.busy", "type", type));
        }
    }

    private TypeMeters meters(String taskType) {
        return perType.computeIfAbsent(taskType, type -> TypeMeters.of(registry, type));
    }

    /**
     * Registers the gauges, which read the engine when the registry is scraped, and creates every
     * type's meters at once, so that a scrape shows them at zero before the first task.
     */
    void watch(TaskEngine engine) {
        for (SlotId slot : engine.slotIds()) {
            meters(slot.taskType());
            registry.gauge("taskbridge.slot.queue.depth", Tags.of("type", slot.taskType(), "slot", slot.key()), engine,
                    running -> running.queueDepth(slot));
        }
        for (String type : engine.liveSlotActors().keySet()) {
            registry.gauge("taskbridge.slot.actors.live", Tags.of("type", type), engine,
                    running -> orNaN(() -> running.liveSlotActors().getOrDefault(type, 0)));
        }
        registry.gauge("taskbridge.tasks.stalled", Tags.empty(), engine, running -> orNaN(running::countStalled));
        registry.counter("taskbridge.tasks.purged");
    }

    /** A gauge whose source is away (engine stopping, database down) shows no value, not an error. */
    private static double orNaN(java.util.function.Supplier<? extends Number> value) {
        try {
            return value.get().doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Removes the application's meters, so that a redeploy starts from zero (WildFly keeps them otherwise). */
    void close() {
        registry.clear();
    }

    @Override
    public void submitted(String taskType) {
        meters(taskType).submitted().increment();
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
        registry.counter("taskbridge.tasks.purged").increment(tasks);
    }
}

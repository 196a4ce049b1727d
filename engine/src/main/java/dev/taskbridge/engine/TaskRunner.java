package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.Faults;
import dev.taskbridge.engine.slot.PreparedTask;
import dev.taskbridge.engine.slot.TaskWork;
import dev.taskbridge.engine.store.ChunkMarkers;
import dev.taskbridge.engine.store.TaskEventKind;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskType;
import dev.taskbridge.plugin.TransientTaskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks' blocking steps for the slots: plugin calls and task-store writes, on the engine's
 * dispatcher for blocking work, with the task's logging context ({@link TaskLog}) set.
 */
final class TaskRunner implements TaskWork {

    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final TaskTypeRegistry registry;
    private final TaskStore store;
    private final Executor blocking;
    private final ChunkTransactions transactions;
    private final BooleanSupplier stopping;
    private final String node;
    private final SlowChunkWatch slowChunks;
    private final TaskMetrics metrics;
    private final TaskChanges changes;
    private final ParsedPayloads parsedPayloads;

    /**
     * @param stopping whether the engine is stopping: a step that fails then failed because the
     *                 host is taking its resources away, not because of the task
     */
    TaskRunner(TaskTypeRegistry registry, TaskStore store, Executor blocking, ChunkTransactions transactions,
               BooleanSupplier stopping, String node, SlowChunkWatch slowChunks, TaskMetrics metrics,
               TaskChanges changes, ParsedPayloads parsedPayloads) {
        this.registry = registry;
        this.store = store;
        this.blocking = blocking;
        this.transactions = transactions;
        this.stopping = stopping;
        this.node = node;
        this.slowChunks = slowChunks;
        this.metrics = metrics;
        this.changes = changes;
        this.parsedPayloads = parsedPayloads;
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<PreparedTask> prepare(SlotId slot, String taskId) {
        return onBlockingThread(slot, taskId, () -> {
            TaskRecord task = store.find(taskId).orElse(null);
            if (task == null || task.state().isFinal()) {
                LOG.info("Task {} is {}; slot {} drops it", taskId, task == null ? "unknown" : task.state(), slot);
                return PreparedTask.alreadyFinished(slot, taskId, task == null ? Integer.MAX_VALUE : task.runGeneration());
            }
            TaskType<Object> type = (TaskType<Object>) registry.find(task.taskType()).orElseThrow(() ->
                    new IllegalStateException("no plugin provides task type '" + task.taskType() + "' any more"));
            Object parsed = parsedPayloads.take(taskId);
            if (parsed == null) {
                parsed = type.parse(store.payload(taskId).orElseThrow());
            }
            int chunks = type.handler().chunkCount(parsed);
            if (chunks < 1) {
                throw new IllegalStateException(type.getClass().getName() + " split task " + taskId + " into "
                        + chunks + " chunks; at least 1 is needed");
            }
            if (!store.markStarted(taskId, task.runGeneration(), chunks)) {
                LOG.info("Task {} was cancelled or retried while slot {} prepared it", taskId, slot);
                return PreparedTask.alreadyFinished(slot, taskId, task.runGeneration());
            }
            List<ChunkOutcome> committed = store.committedChunks(taskId);
            LOG.info("Task {} starts in slot {}: {} chunk(s)", taskId, slot, chunks);
            Instant now = Instant.now();
            changes.publish(new TaskChange(taskId, task.taskType(), task.owner(), TaskEventKind.STARTED,
                    TaskState.RUNNING, task.chunksDone(), chunks, task.itemsDone(), task.itemsFailed(), now, null));
            Instant startedAt = task.startedAt() != null ? task.startedAt() : now;
            return new PreparedTask(slot, taskId, task.runGeneration(), task.owner(), type, parsed, chunks, startedAt,
                    false, committed);
        });
    }

    @Override
    public CompletionStage<ChunkOutcome> runChunk(PreparedTask task, int chunk, int attempt, Progress before) {
        return onBlockingThread(task.slot(), task.taskId(), () -> {
            List<ChunkOutcome> committed = task.committed();
            TaskContext context = new RunningTaskContext(task.taskId(), task.type().id(), task.owner(), attempt,
                    List.copyOf(committed.subList(0, Math.min(chunk, committed.size()))));
            PluginChunk run = new PluginChunk(task, chunk, context, before);
            ChunkOutcome outcome;
            long started = System.nanoTime();
            try (SlowChunkWatch.Watch watch = slowChunks.start(task.taskId(), chunk)) {
                outcome = transactions.runOnce(run);
            }
            long itemsDone = before.itemsDone() + outcome.itemsDone();
            long itemsFailed = before.itemsFailed() + outcome.itemsFailed();
            if (run.replayed) {
                store.markChunkReplayed(task.taskId(), task.generation(), chunk, itemsDone, itemsFailed);
            }
            if (chunk < committed.size()) {
                committed.set(chunk, outcome);
            } else {
                committed.add(outcome);
            }
            metrics.chunk(task.slot().taskType(), Duration.ofNanos(System.nanoTime() - started));
            changes.publish(new TaskChange(task.taskId(), task.type().id(), task.owner(), TaskEventKind.CHUNK_COMMITTED,
                    TaskState.RUNNING, chunk + 1, task.chunkCount(), itemsDone, itemsFailed, Instant.now(),
                    run.replayed ? TaskStore.REPLAYED : chunkDetail(outcome)));
            return outcome;
        });
    }

    private static String chunkDetail(ChunkOutcome outcome) {
        return outcome.itemsDone() + " done" + (outcome.itemsFailed() == 0 ? "" : ", " + outcome.itemsFailed() + " failed");
    }

    /**
     * A chunk of a plugin's task: its record is the effect marker, the task's progress and its
     * history entry.
     */
    private final class PluginChunk implements ChunkTransactions.Chunk {

        private final PreparedTask task;
        private final int chunk;
        private final TaskContext context;
        private final Progress before;
        /** The chunk had committed before; set on the thread that runs it. */
        private boolean replayed;

        PluginChunk(PreparedTask task, int chunk, TaskContext context, Progress before) {
            this.task = task;
            this.chunk = chunk;
            this.context = context;
            this.before = before;
        }

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) throws SQLException {
            Optional<ChunkOutcome> recorded = ChunkMarkers.find(connection, task.taskId(), chunk);
            replayed = recorded.isPresent();
            return recorded;
        }

        @Override
        public ChunkOutcome work() throws Exception {
            ChunkOutcome result = task.type().handler().runChunk(task.payload(), chunk, context);
            if (result == null) {
                throw new IllegalStateException(task.type().getClass().getName() + " returned no outcome for chunk " + chunk);
            }
            return result;
        }

        @Override
        public void commit(Connection connection, ChunkOutcome outcome) throws SQLException {
            ChunkMarkers.record(connection, task.taskId(), chunk, outcome, Instant.now());
            store.markChunkCommitted(connection, task.taskId(), task.generation(), chunk, before.itemsDone() + outcome.itemsDone(),
                    before.itemsFailed() + outcome.itemsFailed(), chunkDetail(outcome));
        }
    }

    @Override
    public CompletionStage<Boolean> succeed(PreparedTask task) {
        return onBlockingThread(task.slot(), task.taskId(), () -> {
            List<ChunkOutcome> outcomes = List.copyOf(task.committed());
            String result = task.type().handler().result(task.payload(), outcomes);
            if (!store.markSucceeded(task.taskId(), task.generation(), result)) {
                LOG.info("Task {} finished its chunks after it was cancelled or retried; its end is not stored", task.taskId());
                return false;
            }
            Instant now = Instant.now();
            metrics.succeeded(task.slot().taskType(), Duration.between(task.startedAt(), now));
            LOG.info("Task {} succeeded", task.taskId());
            long itemsDone = outcomes.stream().mapToLong(ChunkOutcome::itemsDone).sum();
            long itemsFailed = outcomes.stream().mapToLong(ChunkOutcome::itemsFailed).sum();
            changes.publish(new TaskChange(task.taskId(), task.type().id(), task.owner(), TaskEventKind.SUCCEEDED,
                    TaskState.SUCCEEDED, task.chunkCount(), task.chunkCount(), itemsDone, itemsFailed, now, null));
            return true;
        });
    }

    @Override
    public CompletionStage<Boolean> fail(SlotId slot, String taskId, int generation, Throwable failure, String reference) {
        return onBlockingThread(slot, taskId, () -> {
            if (!store.markFailed(taskId, generation, failure.toString(), Faults.stackTrace(failure), reference)) {
                LOG.info("Task {} failed after it was cancelled or retried; its failure is not stored", taskId);
                return false;
            }
            metrics.failed(slot.taskType());
            store.find(taskId).filter(task -> task.state() == TaskState.FAILED).ifPresent(task -> changes.publish(
                    TaskChange.of(task, TaskEventKind.FAILED, Instant.now(), task.errorMessage())));
            return true;
        });
    }

    private <T> CompletionStage<T> onBlockingThread(SlotId slot, String taskId, Step<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Map<String, String> logContext = TaskLog.context(node, slot, taskId);
        blocking.execute(() -> {
            TaskLog.set(logContext);
            try {
                result.complete(step.run());
            } catch (Throwable failure) {
                result.completeExceptionally(stopping.getAsBoolean()
                        ? new TransientTaskException("the engine is stopping; the task resumes when it starts again", failure)
                        : failure);
            } finally {
                TaskLog.clear(logContext);
            }
        });
        return result;
    }

    /** A step that may throw anything a plugin throws. */
    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    private record RunningTaskContext(String taskId, String taskType, String owner, int attempt,
                                      List<ChunkOutcome> committedChunks) implements TaskContext {
    }
}

package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import dev.taskbridge.engine.plugins.TaskTypeNotReadyException;
import dev.taskbridge.engine.plugins.PayloadMigrations;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.Faults;
import dev.taskbridge.engine.slot.PreparedTask;
import dev.taskbridge.engine.slot.RunOverException;
import dev.taskbridge.engine.slot.TaskWork;
import dev.taskbridge.engine.store.ChunkMarkers;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskEventKind;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskHistory;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.engine.store.TaskStoreException;
import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PluginEnvironment;
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
    private final PluginEnvironment environment;
    private final TaskStore store;
    private final Executor blocking;
    private final ChunkGroups chunkGroups;
    private final BooleanSupplier stopping;
    private final String node;
    private final SlowChunkWatch slowChunks;
    private final TaskMetrics metrics;
    private final TaskChanges changes;
    private final ParsedPayloads parsedPayloads;
    private final StartMarks startMarks;
    private final TaskTracing tracing;
    private final TypePauses pauses;
    private final StepsInFlight steps;
    private final FailureRollbacks failureRollbacks;
    /** What runs wrote in transactions that failed, for their next tries to look for ({@link PluginChunk#recorded}, {@link #fail}). */
    private final UnansweredRecords unanswered = new UnansweredRecords();

    /**
     * @param stopping whether the engine is stopping: a step that fails then failed because the
     *                 host is taking its resources away, not because of the task
     */
    TaskRunner(TaskTypeRegistry registry, PluginEnvironment environment, TaskStore store, Executor blocking, ChunkGroups chunkGroups,
               BooleanSupplier stopping, String node, SlowChunkWatch slowChunks, TaskMetrics metrics,
               TaskChanges changes, ParsedPayloads parsedPayloads, StartMarks startMarks,
               TaskTracing tracing, TypePauses pauses, StepsInFlight steps, FailureRollbacks failureRollbacks) {
        this.registry = registry;
        this.failureRollbacks = failureRollbacks;
        this.environment = environment;
        this.steps = steps;
        this.pauses = pauses;
        this.store = store;
        this.blocking = blocking;
        this.chunkGroups = chunkGroups;
        this.stopping = stopping;
        this.node = node;
        this.slowChunks = slowChunks;
        this.metrics = metrics;
        this.changes = changes;
        this.parsedPayloads = parsedPayloads;
        this.startMarks = startMarks;
        this.tracing = tracing;
    }

    @Override
    public boolean paused(String taskType) {
        return pauses.isPaused(taskType);
    }

    /**
     * A task this engine stored a moment ago starts from what it kept of the submission: its row
     * and parsed payload, with no read and no write of its own (its start is written behind, in
     * batches, and again with its first chunk). Any other task (resumed after a restart, retried,
     * or waiting longer than the submission was kept) is read from the store, row and payload in
     * one read; one that never started then starts as a fresh one does, and one that did is read
     * with its committed chunks and marked started before it runs (that write finds a run left
     * behind that committed a chunk meanwhile).
     */
    @Override
    public boolean stopping() {
        return stopping.getAsBoolean();
    }

    @Override
    public void forgetSubmission(String taskId) {
        parsedPayloads.take(taskId);
    }

    @Override
    public CompletionStage<PreparedTask> prepare(SlotId slot, String taskId) {
        return steps.run(() -> prepareNow(slot, taskId));
    }

    private CompletionStage<PreparedTask> prepareNow(SlotId slot, String taskId) {
        unanswered.forget(taskId); // a run of it starts: what an earlier one left is no longer looked for
        ParsedPayloads.Submitted submitted = parsedPayloads.take(taskId);
        if (submitted != null) {
            // Nothing here blocks (the plugin counts the chunks of what it parsed), so it runs on the
            // slot's thread: a hand-off to a blocking thread and back costs more than the work. The
            // slot may be handling another task's message: this task's lines carry this task's context.
            try (TaskLog.Scope scope = TaskLog.enter(TaskLog.context(node, slot, taskId, submitted.task().traceParent()))) {
                return CompletableFuture.completedFuture(start(slot, submitted.task(), submitted.parsed()));
            } catch (Exception | LinkageError failure) {
                return CompletableFuture.failedFuture(failure);
            }
        }
        return onBlockingThread(slot, taskId, () -> {
            TaskStore.TaskToRun stored = store.findToRun(taskId).orElse(null);
            TaskRecord task = stored == null ? null : stored.task();
            if (task == null || task.state().isFinal()) {
                LOG.info("Task {} is {}; slot {} drops it", taskId, task == null ? "unknown" : task.state(), slot);
                return PreparedTask.alreadyFinished(slot, taskId, task == null ? Integer.MAX_VALUE : task.runGeneration());
            }
            try (TaskLog.Scope scope = TaskLog.enter(TaskLog.context(node, slot, taskId, task.traceParent()))) {
                return resume(slot, task, stored.payload());
            }
        });
    }

    private PreparedTask start(SlotId slot, TaskRecord task, Object parsed) throws Exception {
        TaskType<Object> type = runsAs(typeOf(task), parsed);
        int chunks = chunkCount(type, task.id(), parsed);
        Instant now = Instant.now();
        startMarks.started(new TaskStore.StartMark(task.id(), task.runGeneration(), chunks, now));
        tracing.queued(task.traceParent(), task.id(), task.taskType(), slot.key(), task.submittedAt(), now);
        LOG.info("Task {} starts in slot {}: {} chunk(s)", task.id(), slot, chunks);
        changes.publish(new TaskChange(task.id(), task.taskType(), task.owner(), TaskEventKind.STARTED,
                TaskState.RUNNING, 0, chunks, 0, 0, now, null));
        return new PreparedTask(slot, task.id(), task.runGeneration(), task.owner(), type, parsed, chunks, now, false,
                List.of(), task.traceParent());
    }

    private PreparedTask resume(SlotId slot, TaskRecord task, Payload stored) throws Exception {
        String taskId = task.id();
        TaskType<Object> type = typeOf(task);
        try {
            registry.ensurePrepared(type, environment);
        } catch (TaskTypeNotReadyException e) {
            if (e.passing()) {
                // not the task's fault: it waits, as for a database that is away, with the engine's retries
                throw new TransientTaskException(e.getMessage(), e);
            }
            throw e;
        }
        // a task an older version of the plugin left (or a supervisor retried) is carried over by its migrations (note 028)
        Optional<String> rollbackOf = Rollbacks.of(stored);
        Object parsed = PayloadMigrations.parse(type, task.typeVersion(), rollbackOf.isPresent() ? Rollbacks.original(stored) : stored);
        if (rollbackOf.isPresent()) {
            // a rollback undoes what the original committed: its markers, read now (it has ended, note 030)
            TaskRecord original = store.find(rollbackOf.get()).orElseThrow(() -> new IllegalStateException(
                    "task " + rollbackOf.get() + ", which task " + taskId + " rolls back, is gone"));
            parsed = new Rollbacks.Plan<>(original.id(), parsed, Rollbacks.committed(original, store.committedChunks(original.id())));
        }
        if (task.attempts() == 0) {
            // Never started: no markers to read, and no run of it can have committed a chunk (the first
            // commit counts an attempt), so it starts as a fresh submission does, its start written behind.
            return start(slot, task, parsed);
        }
        type = runsAs(type, parsed);
        int chunks = chunkCount(type, taskId, parsed);
        List<ChunkOutcome> committed = store.committedChunks(taskId);
        long itemsDone = committed.stream().mapToLong(ChunkOutcome::itemsDone).sum();
        long itemsFailed = committed.stream().mapToLong(ChunkOutcome::itemsFailed).sum();
        int chunksDone = Math.min(committed.size(), chunks);
        if (!store.markStarted(taskId, task.runGeneration(), chunks, chunksDone, itemsDone, itemsFailed)) {
            TaskRecord now = store.find(taskId).orElse(null);
            if (now != null && !now.state().isFinal() && now.runGeneration() == task.runGeneration()) {
                // Not over: a run that a restart left behind (of this slot, or of the engine before a
                // redeploy) committed a chunk after the markers were read. Read them again.
                throw new TransientTaskException("task " + taskId + " committed chunk " + (now.chunksDone() - 1)
                        + " in a run left behind while slot " + slot + " prepared it; reading its chunks again");
            }
            LOG.info("Task {} was cancelled or retried while slot {} prepared it", taskId, slot);
            return PreparedTask.alreadyFinished(slot, taskId, task.runGeneration());
        }
        LOG.info("Task {} starts in slot {}: {} chunk(s), {} committed before", taskId, slot, chunks, chunksDone);
        Instant now = Instant.now();
        changes.publish(new TaskChange(taskId, task.taskType(), task.owner(), TaskEventKind.STARTED,
                TaskState.RUNNING, chunksDone, chunks, itemsDone, itemsFailed, now, null));
        if (task.startedAt() == null && task.runGeneration() == 0) {
            // its first start (a retry clears the start, but its generation counts on)
            tracing.queued(task.traceParent(), taskId, task.taskType(), slot.key(), task.submittedAt(), now);
        } else {
            tracing.resumed(task.traceParent(), taskId, task.taskType(), slot.key(), chunksDone, now);
        }
        Instant startedAt = task.startedAt() != null ? task.startedAt() : now;
        return new PreparedTask(slot, taskId, task.runGeneration(), task.owner(), type, parsed, chunks, startedAt,
                false, committed, task.traceParent());
    }

    @SuppressWarnings("unchecked")
    private TaskType<Object> typeOf(TaskRecord task) {
        return (TaskType<Object>) registry.find(task.taskType()).orElseThrow(() ->
                new IllegalStateException("no plugin provides task type '" + task.taskType() + "' any more"));
    }

    /** The plugin's type, or for a rollback's plan the type that undoes through the plugin's {@link ChunkUndo} (note 030). */
    @SuppressWarnings("unchecked")
    private static TaskType<Object> runsAs(TaskType<Object> type, Object parsed) {
        if (!(parsed instanceof Rollbacks.Plan)) {
            return type;
        }
        ChunkUndo<Object> undo = type.undo().orElseThrow(() -> new IllegalStateException(type.getClass().getName()
                + " offers no undo any more: the rollback cannot run"));
        return (TaskType<Object>) (TaskType<?>) Rollbacks.type(type, undo);
    }

    private static int chunkCount(TaskType<Object> type, String taskId, Object parsed) {
        int chunks = type.handler().chunkCount(parsed);
        if (chunks < 1) {
            throw new IllegalStateException(type.getClass().getName() + " split task " + taskId + " into "
                    + chunks + " chunks; at least 1 is needed");
        }
        return chunks;
    }

    @Override
    public CompletionStage<ChunkOutcome> runChunk(PreparedTask task, int chunk, int attempt, Progress before) {
        TaskContext context = new RunningTaskContext(task.taskId(), task.type().id(), task.owner(), attempt,
                task.committed());
        return steps.run(() -> chunkGroups.run(new PluginChunk(task, chunk, attempt, context, before,
                TaskLog.context(node, task.slot(), task.taskId(), task.traceParent()))));
    }

    /** Reports a task whose success was stored, with the items its chunks did and failed in all. */
    private void succeeded(PreparedTask task, long itemsDone, long itemsFailed) {
        Instant now = Instant.now();
        metrics.succeeded(task.slot().taskType(), Duration.between(task.startedAt(), now));
        LOG.info("Task {} succeeded", task.taskId());
        tracing.ended(task.traceParent(), task.taskId(), task.type().id(), TaskState.SUCCEEDED, now, null);
        changes.publish(new TaskChange(task.taskId(), task.type().id(), task.owner(), TaskEventKind.SUCCEEDED,
                TaskState.SUCCEEDED, task.chunkCount(), task.chunkCount(), itemsDone, itemsFailed, now, null));
    }

    /** Reports a task whose success this run stored but did not see stored: as the row has it. */
    private void succeededAsStored(SlotId slot, TaskRecord task) {
        LOG.info("Task {} succeeded: its last chunk had committed, though its commit was not answered", task.id());
        metrics.succeeded(slot.taskType(), Duration.between(task.startedAt(), task.endedAt()));
        tracing.ended(task.traceParent(), task.id(), task.taskType(), TaskState.SUCCEEDED, task.endedAt(), null);
        changes.publish(TaskChange.of(task, TaskEventKind.SUCCEEDED, task.endedAt(), null));
    }

    /**
     * A chunk of a plugin's task. Its record is its effect marker and the task's progress; for the
     * task's last chunk, the task's success and result instead: the task ends in the transaction
     * of its last chunk.
     */
    private final class PluginChunk implements ChunkTransactions.Chunk, ChunkGroups.Entry {

        private final PreparedTask task;
        private final int chunk;
        private final int attempt;
        private final boolean last;
        private final TaskContext context;
        private final Progress before;
        private final Map<String, String> logContext;
        /** When the runner asked for the chunk, if traced: its span covers its wait for a group, its work and its transaction. */
        private final Instant asked;
        /** Its span is recorded: once per run, even if a step after the commit fails. */
        private volatile boolean traced;
        /** The chunk had committed before; set on the thread that runs it. */
        private volatile boolean replayed;
        /** What had committed before was this run's own record, from a try whose commit was not answered. */
        private volatile boolean ownRecord;
        /**
         * The records this object's transactions of the chunk wrote, committed or not: more than
         * one when a group's transaction failed and the chunk ran again alone.
         */
        private volatile List<UnansweredRecords.Written> writtenHere = List.of();

        PluginChunk(PreparedTask task, int chunk, int attempt, TaskContext context, Progress before,
                    Map<String, String> logContext) {
            this.task = task;
            this.chunk = chunk;
            this.attempt = attempt;
            this.last = chunk + 1 == task.chunkCount();
            this.context = context;
            this.before = before;
            this.logContext = logContext;
            this.asked = task.traceParent() == null ? null : Instant.now();
        }

        @Override
        public ChunkTransactions.Chunk chunk() {
            return this;
        }

        @Override
        public String taskId() {
            return task.taskId();
        }

        @Override
        public String taskType() {
            return task.type().id();
        }

        @Override
        public Map<String, String> logContext() {
            return logContext;
        }

        @Override
        public ChunkOutcome committed(ChunkOutcome outcome, Duration took) throws Exception {
            writtenHere = List.of(); // committed: should reporting it fail below, no later try may take it for unanswered
            unanswered.forget(task.taskId());
            if (asked != null) {
                traced = true;
                tracing.chunk(task.traceParent(), task.taskId(), task.type().id(), chunk, attempt, asked, Instant.now(),
                        null, false);
            }
            startMarks.settled(task.taskId()); // the chunk's transaction stored the start
            if (replayed && !ownRecord) {
                // another run of this chunk committed it first (one a restarted slot left running), and reported it
                if (last && store.markSucceeded(task.taskId(), task.generation(), result(outcome))) {
                    succeeded(task, before.itemsDone() + outcome.itemsDone(), before.itemsFailed() + outcome.itemsFailed());
                }
                return outcome;
            }
            metrics.chunk(task.slot().taskType(), took);
            changes.publish(new TaskChange(task.taskId(), task.type().id(), task.owner(), TaskEventKind.CHUNK_COMMITTED,
                    TaskState.RUNNING, chunk + 1, task.chunkCount(), before.itemsDone() + outcome.itemsDone(),
                    before.itemsFailed() + outcome.itemsFailed(), Instant.now(),
                    TaskHistory.chunkDetail(outcome.itemsDone(), outcome.itemsFailed())));
            if (last) {
                succeeded(task, before.itemsDone() + outcome.itemsDone(), before.itemsFailed() + outcome.itemsFailed());
            }
            return outcome;
        }

        @Override
        public Throwable failed(Throwable failure) {
            if (failure instanceof RunOverException) {
                if (last) {
                    endedByThisRun();
                }
                unanswered.forget(task.taskId()); // over: no later try of this run looks
            } else {
                writtenHere.forEach(written -> unanswered.add(task.taskId(), written));
            }
            Throwable seen = whileStopping(failure);
            if (asked != null && !traced) {
                traced = true;
                // the engine stopping, or a cancel or retry that ended this run: expected, not an error
                boolean expected = seen != failure || failure instanceof RunOverException;
                tracing.chunk(task.traceParent(), task.taskId(), task.type().id(), chunk, attempt, asked, Instant.now(),
                        seen, expected);
            }
            return seen;
        }

        /**
         * The slot runs the chunk after the last one it read as committed when the task started,
         * so on a first try its marker cannot exist, unless another run of the same chunk (one a
         * restarted slot left running) commits it meanwhile: then this run's marker clashes with
         * it, its transaction rolls back, and the next try looks. (The last chunk has no marker:
         * there the task's success, stored by the other run, ends this run when it commits.)
         *
         * <p>A try after one whose transaction failed once this run's record was written looks
         * for those records first: a commit whose answer was lost (the connection dropped at
         * COMMIT) may have applied. One is this run's if it carries a time this run wrote; the
         * chunk then committed, and is reported as that try would have been, once. A run left
         * behind writes the same chunk at another time, so the two are never taken for each other.
         * (A commit still under way when its answer was lost shows later: its row locks make this
         * try's record wait for it and then clash with it, and the try after looks again.)
         */
        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) throws SQLException {
            List<UnansweredRecords.Written> mine = writtenBefore();
            Optional<UnansweredRecords.Written> own = mine.isEmpty() ? Optional.empty() : UnansweredRecords.stored(mine, last
                    ? TaskStore.endedAt(connection, task.taskId(), task.generation(), TaskState.SUCCEEDED)
                    : ChunkMarkers.committedAt(connection, task.taskId(), chunk));
            ownRecord = own.isPresent();
            if (ownRecord) {
                LOG.info("Chunk {} of task {} had committed, though its commit was not answered", chunk, task.taskId());
                replayed = true;
                // a last chunk's data went into the task's result; an earlier one's is in its marker
                return last ? Optional.of(new ChunkOutcome(own.get().itemsDone(), own.get().itemsFailed(), ""))
                        : ChunkMarkers.find(connection, task.taskId(), chunk);
            }
            if (attempt == 1) {
                return Optional.empty();
            }
            Optional<ChunkOutcome> recorded = ChunkMarkers.find(connection, task.taskId(), chunk);
            replayed = recorded.isPresent();
            return recorded;
        }

        /** The records of this chunk this run wrote before: in this object's transactions, and in earlier tries'. */
        private List<UnansweredRecords.Written> writtenBefore() {
            List<UnansweredRecords.Written> earlier = attempt > 1 ? unanswered.of(task.taskId(), task.generation(), chunk) : List.of();
            List<UnansweredRecords.Written> here = writtenHere;
            return earlier.isEmpty() ? here : Stream.concat(earlier.stream(), here.stream()).toList();
        }

        /**
         * A last chunk found its run over: if this run's own success is what ended it (a commit
         * whose answer was lost, and that was still under way when this try looked), it is
         * reported now, once. Best effort: the run is over either way.
         */
        private void endedByThisRun() {
            List<UnansweredRecords.Written> mine = writtenBefore();
            if (mine.size() <= 1) {
                return; // none, or only the one whose transaction just found the run over: it did not commit
            }
            try {
                if (UnansweredRecords.stored(mine, store.endedAt(task.taskId(), task.generation(), TaskState.SUCCEEDED)).isPresent()) {
                    store.find(task.taskId()).ifPresent(row -> succeededAsStored(task.slot(), row));
                }
            } catch (RuntimeException e) {
                LOG.debug("Task {}: could not look whether this run's commit ended it", task.taskId(), e);
            }
        }

        @Override
        public ChunkOutcome work() throws Exception {
            ChunkOutcome result;
            try (SlowChunkWatch.Watch watch = slowChunks.start(task.taskId(), chunk)) {
                result = task.type().handler().runChunk(task.payload(), chunk, context);
            }
            if (result == null) {
                throw new IllegalStateException(task.type().getClass().getName() + " returned no outcome for chunk " + chunk);
            }
            return result;
        }

        /**
         * The chunk's marker, and the task's progress; for the last chunk, the task's success
         * alone. A marker is what a later run reads to skip a committed chunk and carry on after
         * it; after the last chunk nothing carries on, and the guarded update that stores the
         * success matches only a run that is not over, so it is the once-only check a marker
         * would be: one insert fewer for every task.
         */
        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) throws Exception {
            Instant at = store.recordTime(); // so that this run can know its own record
            UnansweredRecords.Written record = new UnansweredRecords.Written(task.generation(), chunk, last, at,
                    outcome.itemsDone(), outcome.itemsFailed(), null);
            List<UnansweredRecords.Written> sofar = writtenHere;
            writtenHere = sofar.isEmpty() ? List.of(record) : Stream.concat(sofar.stream(), Stream.of(record)).toList();
            if (!last) {
                ChunkMarkers.record(records, task.taskId(), chunk, outcome, at);
            }
            store.markChunkCommitted(records, task.taskId(), task.generation(), chunk, task.chunkCount(),
                    before.itemsDone() + outcome.itemsDone(), before.itemsFailed() + outcome.itemsFailed(),
                    task.startedAt(), last, last ? result(outcome) : null, at,
                    () -> new RunOverException("task " + task.taskId() + " was cancelled, retried or ended by another run "
                            + "while chunk " + chunk + " ran; the chunk rolled back"));
        }

        /** The task's result, from every chunk's outcome with the last one's. */
        String result(ChunkOutcome lastOutcome) throws Exception {
            List<ChunkOutcome> outcomes = new ArrayList<>(task.committed());
            outcomes.add(lastOutcome);
            return task.type().handler().result(task.payload(), List.copyOf(outcomes));
        }
    }

    @Override
    public CompletionStage<Boolean> succeed(PreparedTask task) {
        return steps.run(() -> onBlockingThread(task.slot(), task.taskId(), () -> {
            List<ChunkOutcome> outcomes = List.copyOf(task.committed());
            String result = task.type().handler().result(task.payload(), outcomes);
            if (!store.markSucceeded(task.taskId(), task.generation(), result)) {
                LOG.info("Task {} finished its chunks after it was cancelled or retried; its end is not stored", task.taskId());
                return false;
            }
            Progress all = task.progress();
            succeeded(task, all.itemsDone(), all.itemsFailed());
            return true;
        }));
    }

    @Override
    public CompletionStage<Boolean> fail(SlotId slot, String taskId, int generation, Throwable failure, String reference) {
        return steps.run(() -> onBlockingThread(slot, taskId, () -> {
            startMarks.settled(taskId);
            Optional<NewTask> rollback = failureRollbacks.appliesTo(slot.taskType())
                    ? failureRollbacks.rollbackOf(taskId) : Optional.empty();
            // what this run wrote before in transactions that failed: one may have committed, its answer lost
            List<UnansweredRecords.Written> before = unanswered.of(taskId, generation);
            Instant at = store.recordTime();
            unanswered.add(taskId, new UnansweredRecords.Written(generation, UnansweredRecords.FAILURE, false, at, 0, 0,
                    rollback.map(NewTask::id).orElse(null)));
            long storing = System.nanoTime();
            Stored rolledBack = null;
            boolean stored;
            if (rollback.isEmpty()) {
                stored = store.markFailed(taskId, generation, failure.toString(), Faults.stackTrace(failure), reference, at);
            } else {
                try {
                    rolledBack = store.markFailedAndRollBack(taskId, generation, failure.toString(), Faults.stackTrace(failure),
                            reference, rollback.get(), FailureRollbacks.BY, at).orElse(null);
                    stored = rolledBack != null;
                } catch (TaskStoreException e) {
                    if (!Faults.isRefusedByDatabase(e)) {
                        throw e; // the database away: the step is tried again
                    }
                    // the rollback cannot be stored, and will not be on any later try: the failure must be, without it
                    LOG.error("Task {}: the rollback its type's failure policy asks for could not be stored; "
                            + "its failure is stored without it", taskId, e);
                    stored = store.markFailed(taskId, generation, failure.toString(), Faults.stackTrace(failure), reference, at);
                }
            }
            if (!stored) {
                List<UnansweredRecords.Written> failures = before.stream()
                        .filter(written -> written.step() == UnansweredRecords.FAILURE).toList();
                Optional<UnansweredRecords.Written> ownFailure = failures.isEmpty() ? Optional.empty()
                        : UnansweredRecords.stored(failures, store.endedAt(taskId, generation, TaskState.FAILED));
                if (ownFailure.isPresent()) {
                    // an earlier try stored it (and the policy's rollback with it): its commit's answer was lost
                    LOG.info("Task {}'s failure had been stored, though its commit was not answered", taskId);
                    stored = true;
                    String rollbackId = ownFailure.get().rollbackId();
                    rolledBack = rollbackId == null ? null : store.find(rollbackId).map(task -> new Stored(task, true)).orElse(null);
                }
            }
            if (!stored) {
                // the reads that may throw come before the records are forgotten: a try after them still has them
                List<UnansweredRecords.Written> ends = before.stream().filter(UnansweredRecords.Written::last).toList();
                Optional<TaskRecord> succeeded = !ends.isEmpty()
                        && UnansweredRecords.stored(ends, store.endedAt(taskId, generation, TaskState.SUCCEEDED)).isPresent()
                        ? store.find(taskId) : Optional.empty();
                unanswered.forget(taskId);
                if (succeeded.isPresent()) {
                    // its tries ran out, but one of them had committed: its commit was not answered
                    succeededAsStored(slot, succeeded.get());
                    return false;
                }
                LOG.info("Task {} failed after it was cancelled or retried; its failure is not stored", taskId);
                return false;
            }
            if (rolledBack != null) {
                failureRollbacks.handOver(rolledBack.task()); // first: whatever fails below, it must not wait for a restart
            }
            unanswered.forget(taskId);
            try {
                reportFailure(slot, taskId, rolledBack, storing);
            } catch (RuntimeException e) {
                // stored: a try of this step again would find it so and report nothing, so it is not tried again
                LOG.warn("Task {}'s failure is stored, but could not be reported: {}", taskId, e.toString());
            }
            return true;
        }));
    }

    /** Reports a failure just stored, and the failure policy's rollback stored with it. */
    private void reportFailure(SlotId slot, String taskId, Stored rolledBack, long storing) {
        metrics.failed(slot.taskType());
        store.find(taskId).filter(task -> task.state() == TaskState.FAILED).ifPresent(task -> {
            String detail = task.errorMessage() + " (log reference " + task.errorReference() + ")";
            Instant now = Instant.now();
            tracing.ended(task.traceParent(), taskId, task.taskType(), TaskState.FAILED, now, detail);
            changes.publish(TaskChange.of(task, TaskEventKind.FAILED, now, detail));
        });
        if (rolledBack != null) {
            TaskRecord undo = rolledBack.task();
            LOG.info("Task {} is rolled back by task {}, as its type's failure policy asks", taskId, undo.id());
            metrics.submitted(undo.taskType(), Duration.ofNanos(System.nanoTime() - storing));
            changes.publish(TaskChange.of(undo, TaskEventKind.SUBMITTED, undo.submittedAt(),
                    "rolls back " + taskId + ", as the failure policy asks"));
        }
    }

    private <T> CompletionStage<T> onBlockingThread(SlotId slot, String taskId, Step<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Map<String, String> logContext = TaskLog.carriedContext(node, slot, taskId);
        blocking.execute(() -> {
            TaskLog.set(logContext);
            try {
                result.complete(step.run());
            } catch (Throwable failure) {
                result.completeExceptionally(whileStopping(failure));
            } finally {
                TaskLog.clear(logContext);
            }
        });
        return result;
    }

    /** A step's failure while the engine stops is the host taking its resources away, not the task's fault. */
    private Throwable whileStopping(Throwable failure) {
        return stopping.getAsBoolean()
                ? new TransientTaskException("the engine is stopping; the task resumes when it starts again", failure)
                : failure;
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

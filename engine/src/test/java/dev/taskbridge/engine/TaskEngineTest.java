package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.plugins.TaskTypeNotReadyException;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.ScheduledTasks;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskEventKind;
import dev.taskbridge.engine.store.TaskFilter;
import dev.taskbridge.engine.store.TaskHistoryEntry;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.schedule.ScheduleDefinition;
import dev.taskbridge.engine.store.MissedFirings;
import dev.taskbridge.engine.store.ScheduleRun;
import dev.taskbridge.engine.store.Schedule;
import dev.taskbridge.engine.store.TypePause;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.PayloadMigration;
import dev.taskbridge.plugin.Profile;
import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real database. This class runs on an in-memory H2;
 * {@link PostgresTaskEngineTest} runs the same tests on PostgreSQL.
 */
class TaskEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final EngineSettings FAST_RETRIES = EngineSettings.DEFAULTS
            .withRetry(new RetrySettings(3, Duration.ofMillis(10), Duration.ofMillis(50)));

    private DataSource database;
    private final List<TaskEngine> engines = new ArrayList<>();

    @BeforeEach
    void newDatabase() throws Exception {
        database = freshDatabase();
    }

    /** An empty database for one test. */
    DataSource freshDatabase() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    /** The dialect of {@link #freshDatabase()}. */
    Dialect dialect() {
        return Dialect.H2;
    }

    @AfterEach
    void stopEngines() throws Exception {
        engines.forEach(engine -> engine.close(Duration.ZERO)); // a test's leftover chunk need not be waited for
        dropDatabase();
    }

    /** Removes what {@link #freshDatabase()} made; an in-memory H2 goes with the JVM. */
    void dropDatabase() throws Exception {
    }

    private TaskEngine start(EngineSettings settings, ScriptedTaskType... types) {
        return start(settings, TaskMetrics.NONE, types);
    }

    private TaskEngine start(EngineSettings settings, TaskMetrics metrics, ScriptedTaskType... types) {
        TaskEngine engine = TaskEngine.start(settings, TaskTypeRegistry.of(List.of(types)), database, null,
                getClass().getClassLoader(), Clock.systemUTC(), null, metrics);
        engines.add(engine);
        return engine;
    }

    /** The table in which {@link GatedTaskType}'s chunks write their effects. */
    private void createGatedEffectsTable() throws java.sql.SQLException {
        try (java.sql.Connection connection = database.getConnection();
             java.sql.Statement statement = connection.createStatement()) {
            statement.execute(GatedTaskType.EFFECTS_TABLE);
        }
    }

    /** Counts what the engine reports, per event and task type. */
    static final class CountingMetrics implements TaskMetrics {

        final Map<String, java.util.concurrent.atomic.LongAdder> counts = new java.util.concurrent.ConcurrentHashMap<>();

        long count(String event) {
            java.util.concurrent.atomic.LongAdder count = counts.get(event);
            return count == null ? 0 : count.sum();
        }

        private void add(String event, String taskType) {
            counts.computeIfAbsent(event + ":" + taskType, key -> new java.util.concurrent.atomic.LongAdder()).increment();
        }

        @Override
        public void submitted(String taskType, Duration latency) {
            add("submitted", taskType);
        }

        @Override
        public void succeeded(String taskType, Duration duration) {
            add("succeeded", taskType);
        }

        @Override
        public void failed(String taskType) {
            add("failed", taskType);
        }

        @Override
        public void cancelled(String taskType) {
            add("cancelled", taskType);
        }

        @Override
        public void retried(String taskType) {
            add("retried", taskType);
        }

        @Override
        public void purged(long tasks) {
            counts.computeIfAbsent("purged", key -> new java.util.concurrent.atomic.LongAdder()).add(tasks);
        }

        @Override
        public void chunk(String taskType, Duration duration) {
            add("chunk", taskType);
        }

        @Override
        public void journalWrite(String taskType, Duration latency) {
            add("journalWrite", taskType);
        }

        @Override
        public void messageProcessed(String taskType, Duration duration) {
            add("messageProcessed", taskType);
        }
    }

    private static Payload script(String text) {
        return new Payload("text/plain", text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private TaskRecord awaitFinal(TaskEngine engine, String taskId) {
        await().atMost(WAIT).until(() -> engine.store().find(taskId).orElseThrow().state().isFinal());
        return engine.store().find(taskId).orElseThrow();
    }

    @Test
    void aSubmittedTaskRunsAllItsChunksAndSucceeds() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        TaskEngine engine = start(FAST_RETRIES, type);

        Stored stored = engine.submit("test.steps", "clerk", null, script("chunks=3"));

        assertThat(stored.created()).isTrue();
        TaskRecord done = awaitFinal(engine, stored.task().id());
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("{\"chunks\":\"0 1 2\"}");
        assertThat(done.chunksDone()).isEqualTo(3);
        assertThat(done.chunksTotal()).isEqualTo(3);
        assertThat(done.itemsDone()).isEqualTo(30);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.startedAt()).isNotNull();
        assertThat(done.endedAt()).isAfterOrEqualTo(done.startedAt());
        assertThat(type.runs).extracting(ScriptedTaskType.Run::chunk).containsExactly(0, 1, 2);
        assertThat(type.runs).as("each chunk sees the outcomes of those before it")
                .extracting(ScriptedTaskType.Run::committedBefore).containsExactly(0, 1, 2);
    }

    @Test
    void aPausedTypesTasksWaitWhileOtherTypesRunAndAllRunOnceItIsResumed() throws Exception {
        ScriptedTaskType paused = new ScriptedTaskType("test.steps", 2);
        ScriptedTaskType other = new ScriptedTaskType("test.other", 1);
        TaskEngine engine = start(FAST_RETRIES, paused, other);

        TypePause pause = engine.pause("test.steps", "supervisor");
        assertThat(pause.by()).isEqualTo("supervisor");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(engine.submit("test.steps", "clerk", null, script("chunks=2")).task().id());
        }
        String otherTask = engine.submit("test.other", "clerk", null, script("chunks=1")).task().id();

        assertThat(awaitFinal(engine, otherTask).state()).isEqualTo(TaskState.SUCCEEDED);
        Thread.sleep(500);
        assertThat(ids).allSatisfy(id -> assertThat(engine.store().find(id).orElseThrow().state()).isEqualTo(TaskState.QUEUED));
        assertThat(paused.runs).as("no chunk of a paused type starts").isEmpty();
        assertThat(engine.pauseOf("test.steps")).contains(pause);
        assertThat(engine.pause("test.steps", "admin")).as("a second pause keeps the first").isEqualTo(pause);

        assertThat(engine.resume("test.steps", "supervisor")).isTrue();
        assertThat(engine.resume("test.steps", "supervisor")).as("not paused any more").isFalse();
        for (String id : ids) {
            assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(paused.runs).hasSize(40);
        assertThat(engine.pausedTypes()).isEmpty();
        assertThatThrownBy(() -> engine.pause("test.nothing", "supervisor")).isInstanceOf(NoSuchTaskTypeException.class);
    }

    @Test
    void aTaskPausedBetweenChunksKeepsItsProgressAndGoesOnWhenResumed() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES.withStalledAfter(Duration.ofMillis(300)), type);
        String id = engine.submit("test.steps", "clerk", null, script("chunks=4,sleepMillis=200")).task().id();
        await().atMost(WAIT).until(() -> engine.store().find(id).orElseThrow().chunksDone() >= 1);

        engine.pause("test.steps", "supervisor");
        Thread.sleep(600); // the chunk under way, if any, commits
        int done = engine.store().find(id).orElseThrow().chunksDone();
        Thread.sleep(600);

        TaskRecord held = engine.store().find(id).orElseThrow();
        assertThat(held.state()).isEqualTo(TaskState.RUNNING);
        assertThat(held.chunksDone()).as("no chunk started while paused").isEqualTo(done).isLessThan(4);
        assertThat(engine.isStalled(held)).as("it waits on purpose: not stalled").isFalse();
        assertThat(engine.countStalled()).isZero();
        engine.resume("test.steps", "supervisor");
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(type.runs).extracting(ScriptedTaskType.Run::chunk).as("each chunk once").containsExactly(0, 1, 2, 3);
    }

    @Test
    void aPauseHoldsAcrossARestartUntilTheTypeIsResumed() throws Exception {
        TaskEngine before = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        before.pause("test.steps", "supervisor");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(before.submit("test.steps", "clerk", null, script("chunks=1")).task().id());
        }
        before.close();

        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        TaskEngine after = start(FAST_RETRIES, type);
        Thread.sleep(800);
        assertThat(after.pauseOf("test.steps")).hasValueSatisfying(pause -> assertThat(pause.by()).isEqualTo("supervisor"));
        assertThat(type.runs).isEmpty();
        assertThat(ids).allSatisfy(id -> assertThat(after.store().find(id).orElseThrow().state()).isEqualTo(TaskState.QUEUED));

        after.resume("test.steps", "admin");
        for (String id : ids) {
            assertThat(awaitFinal(after, id).state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    /** Note 030: a rollback is a task of the original's type that undoes its committed chunks, last first, once. */
    @Test
    void aTaskIsRolledBackChunkByChunkLastFirstByOneTaskWhoeverAsks() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        type.undoes = true;
        TaskEngine engine = start(FAST_RETRIES, type);
        String id = engine.submit("test.steps", "clerk", "k1", script("chunks=3")).task().id();
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);

        Stored rollback = engine.rollBack(id, "supervisor");

        assertThat(rollback.created()).isTrue();
        // it runs as the original's owner: the original's history says who asked
        assertThat(engine.store().history(id)).filteredOn(entry -> entry.kind() == TaskEventKind.ROLLBACK_REQUESTED)
                .extracting(TaskHistoryEntry::detail).containsExactly("by supervisor: task " + rollback.task().id());
        assertThat(rollback.task().taskType()).isEqualTo("test.steps");
        assertThat(rollback.task().owner()).as("the original's, so its owner sees it").isEqualTo("clerk");
        TaskRecord ended = awaitFinal(engine, rollback.task().id());
        assertThat(ended.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(ended.chunksTotal()).isEqualTo(3);
        assertThat(ended.result()).isEqualTo("{\"rolledBack\":true,\"chunks\":3,\"itemsUndone\":30,\"itemsNotUndone\":0}");
        // the last chunk's outcome went into the result with the task's end, which has no marker: items only
        assertThat(type.undos).containsExactly(new ScriptedTaskType.Undo(rollback.task().id(), id, 2, ""),
                new ScriptedTaskType.Undo(rollback.task().id(), id, 1, "1"), new ScriptedTaskType.Undo(rollback.task().id(), id, 0, "0"));
        assertThat(type.runs).as("the plugin's chunks ran once, for the original only").hasSize(3);

        Stored again = engine.rollBack(id, "admin");
        assertThat(again.created()).as("one rollback per task, whoever asks").isFalse();
        assertThat(engine.store().history(id)).filteredOn(entry -> entry.kind() == TaskEventKind.ROLLBACK_REQUESTED).hasSize(1);
        assertThat(again.task().id()).isEqualTo(rollback.task().id());
        assertThat(type.undos).hasSize(3);
        assertThatThrownBy(() -> engine.rollBack(rollback.task().id(), "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("it is a rollback");
    }

    @Test
    void onlyATaskThatEndedHavingCommittedAChunkOfATypeThatUndoesIsRolledBackAndNoClientMarksARollback() throws Exception {
        ScriptedTaskType undoing = new ScriptedTaskType("test.steps", 1);
        undoing.undoes = true;
        TaskEngine engine = start(FAST_RETRIES, undoing, new ScriptedTaskType("test.other", 1));
        String running = engine.submit("test.steps", "clerk", null, script("chunks=2,sleepMillis=400")).task().id();
        await().atMost(WAIT).until(() -> engine.store().find(running).orElseThrow().state() == TaskState.RUNNING);
        assertThatThrownBy(() -> engine.rollBack(running, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("cancel it before it is rolled back");
        String failedFirst = engine.submit("test.steps", "clerk", null, script("failAtChunk=0")).task().id();
        assertThat(awaitFinal(engine, failedFirst).state()).isEqualTo(TaskState.FAILED);
        assertThatThrownBy(() -> engine.rollBack(failedFirst, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("committed no chunk");
        String other = engine.submit("test.other", "clerk", null, script("chunks=1")).task().id();
        assertThat(awaitFinal(engine, other).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThatThrownBy(() -> engine.rollBack(other, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("cannot be rolled back");
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null,
                script("chunks=1").withOptions(Map.of("taskbridge.rollback-of", other))))
                .isInstanceOfSatisfying(InvalidPayloadException.class, refused -> assertThat(refused.problems())
                        .containsExactly(new FieldProblem("taskbridge.rollback-of", "is reserved for Taskbridge itself")));
        // nor can a client take a task's rollback key before its rollback does
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", "taskbridge:rollback:" + other, script("chunks=1")))
                .isInstanceOfSatisfying(InvalidPayloadException.class, refused -> assertThat(refused.problems())
                        .extracting(FieldProblem::field).containsExactly("Idempotency-Key"));

        // a failed task's committed chunks are undone, and the task is not retried after that
        String failedLater = engine.submit("test.steps", "clerk", null, script("chunks=3,failAtChunk=2")).task().id();
        assertThat(awaitFinal(engine, failedLater).state()).isEqualTo(TaskState.FAILED);
        String rollback = engine.rollBack(failedLater, "supervisor").task().id();
        assertThat(awaitFinal(engine, rollback).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(undoing.undos).extracting(ScriptedTaskType.Undo::chunk).containsExactly(1, 0);
        assertThatThrownBy(() -> engine.retry(failedLater, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("rolled back by task " + rollback);
    }

    /**
     * Note 030's failure policy: a type set to roll back on failure gets, for each task that fails
     * for good having committed a chunk, the rollback a supervisor would get, stored with the
     * failure and run at once; nothing for a task that committed nothing, for a rollback that
     * fails, or for a type whose plugin undoes nothing.
     */
    @Test
    void aTypeSetToRollBackOnFailureRollsBackItsFailedTasksByItself() throws Exception {
        ScriptedTaskType undoing = new ScriptedTaskType("test.steps", 2);
        undoing.undoes = true;
        ScriptedTaskType keeping = new ScriptedTaskType("test.other", 1);
        CountingMetrics metrics = new CountingMetrics();
        TaskEngine engine = start(FAST_RETRIES.withRollBackOnFailure(Set.of("test.steps", "test.other")), metrics,
                undoing, keeping);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            String failed = engine.submit("test.steps", "clerk", null, script("chunks=3,failAtChunk=2")).task().id();

            assertThat(awaitFinal(engine, failed).state()).isEqualTo(TaskState.FAILED);
            String rollback = engine.store().rolledBackBy(failed).orElseThrow(() ->
                    new AssertionError("stored with the failure, so there once the task is FAILED"));
            TaskRecord undone = awaitFinal(engine, rollback);
            assertThat(undone.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(undone.owner()).isEqualTo("clerk");
            assertThat(undoing.undos).extracting(ScriptedTaskType.Undo::chunk).as("its committed chunks, last first")
                    .containsExactly(1, 0);
            assertThat(engine.store().history(failed)).filteredOn(entry -> entry.kind() == TaskEventKind.ROLLBACK_REQUESTED)
                    .extracting(TaskHistoryEntry::detail).containsExactly("by the failure policy: task " + rollback);
            assertThat(engine.rollBack(failed, "supervisor").task().id()).as("the same one a supervisor gets").isEqualTo(rollback);
            assertThat(changes).filteredOn(change -> change.taskId().equals(rollback)).extracting(TaskChange::kind)
                    .startsWith(TaskEventKind.SUBMITTED).endsWith(TaskEventKind.SUCCEEDED);
            assertThat(engine.slotFor("test.steps", rollback)).as("in the slot its original left")
                    .isEqualTo(engine.slotFor("test.steps", failed));
            assertThatThrownBy(() -> engine.retry(failed, "supervisor")).isInstanceOf(TaskStateException.class)
                    .hasMessageContaining("rolled back by task " + rollback);

            String failedFirst = engine.submit("test.steps", "clerk", null, script("chunks=2,failAtChunk=0")).task().id();
            assertThat(awaitFinal(engine, failedFirst).state()).isEqualTo(TaskState.FAILED);
            String failedKept = engine.submit("test.other", "clerk", null, script("chunks=2,failAtChunk=1")).task().id();
            assertThat(awaitFinal(engine, failedKept).state()).isEqualTo(TaskState.FAILED);
            assertThat(engine.store().rolledBackBy(failedFirst)).as("it committed nothing").isEmpty();
            assertThat(engine.store().rolledBackBy(failedKept)).as("its plugin undoes nothing").isEmpty();
            assertThat(metrics.count("submitted:test.steps")).as("two submissions and one rollback").isEqualTo(3);
        }
    }

    /**
     * The failure and the policy's rollback commit together, but the answer is lost: the slot
     * stores the failure again, finds it stored, and must still hand the rollback over, or it
     * would wait for the next server start.
     */
    @Test
    void aPolicysRollbackWhoseCommitWasNotAnsweredRunsAllTheSame() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(database);
        ScriptedTaskType undoing = new ScriptedTaskType("test.steps", 1);
        undoing.undoes = true;
        CountingMetrics metrics = new CountingMetrics();
        TaskEngine engine = TaskEngine.start(FAST_RETRIES.withRollBackOnFailure(Set.of("test.steps")),
                TaskTypeRegistry.of(List.of(undoing)), faulty, null, getClass().getClassLoader(), Clock.systemUTC(), null,
                metrics);
        engines.add(engine);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            faulty.commitsApplyThenFail("status = 'FAILED', error_message", 1, Duration.ZERO);
            String failed = engine.submit("test.steps", "clerk", null, script("chunks=2,failAtChunk=1")).task().id();

            assertThat(awaitFinal(engine, failed).state()).isEqualTo(TaskState.FAILED);
            String rollback = engine.store().rolledBackBy(failed).orElseThrow();
            assertThat(awaitFinal(engine, rollback).state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(faulty.raised).as("the scripted commit").hasValue(1);
            assertThat(undoing.undos).extracting(ScriptedTaskType.Undo::chunk).containsExactly(0);
            // the failure, and the rollback stored with it, are reported once, as if the commit had been answered
            assertThat(metrics.count("failed:test.steps")).isEqualTo(1);
            assertThat(metrics.count("submitted:test.steps")).isEqualTo(2);
            assertThat(changes).filteredOn(change -> change.taskId().equals(failed)).extracting(TaskChange::kind)
                    .containsOnlyOnce(TaskEventKind.FAILED);
            assertThat(changes).filteredOn(change -> change.taskId().equals(rollback)).extracting(TaskChange::kind)
                    .startsWith(TaskEventKind.SUBMITTED).containsOnlyOnce(TaskEventKind.SUBMITTED);
        }
    }

    /**
     * A cold review's findings: a rollback and a retry of one task race at the row (whichever
     * commits first wins, the other is refused); the link outlives the rollback's row, so a purged
     * rollback neither lets the task be retried nor rolled back again; and the purge keeps a task
     * while its rollback has not ended, since the rollback reads its payload and markers.
     */
    @Test
    void aRollbackAndARetryOfOneTaskCannotBothHappenAndThePurgeKeepsWhatARollbackStillNeeds() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        type.undoes = true;
        TaskEngine engine = start(FAST_RETRIES, type);
        String failed = engine.submit("test.steps", "clerk", null, script("chunks=3,failAtChunk=2")).task().id();
        TaskRecord read = awaitFinal(engine, failed);
        assertThat(read.state()).isEqualTo(TaskState.FAILED);

        // a retry committed between the rollback's read and its insert: the rollback stores nothing
        engine.retry(failed, "supervisor");
        assertThat(engine.store().insertRollback(new NewTask(UUID.randomUUID().toString(), "test.steps", 1, "clerk",
                "taskbridge:rollback:" + failed, script("chunks=3"), null, null, 0), failed, read.runGeneration(), "supervisor")).isEmpty();
        assertThat(engine.store().rolledBackBy(failed)).isEmpty();
        assertThat(engine.store().history(failed)).as("a rollback refused leaves no trace").extracting(TaskHistoryEntry::kind)
                .doesNotContain(TaskEventKind.ROLLBACK_REQUESTED);
        assertThat(awaitFinal(engine, failed).state()).isEqualTo(TaskState.FAILED);

        // a rollback committed first: the retry's requeue is refused at the row
        String rollback = engine.rollBack(failed, "supervisor").task().id();
        assertThat(engine.store().requeue(failed, "supervisor")).isEmpty();
        assertThat(TaskEngine.rollbackOf(engine.store().find(rollback).orElseThrow())).contains(failed);
        assertThat(TaskEngine.rollbackOf(read)).isEmpty();
        assertThat(awaitFinal(engine, rollback).state()).isEqualTo(TaskState.SUCCEEDED);

        String succeeded = engine.submit("test.steps", "clerk", null, script("chunks=2")).task().id();
        assertThat(awaitFinal(engine, succeeded).state()).isEqualTo(TaskState.SUCCEEDED);
        engine.pause("test.steps", "supervisor");
        String waiting = engine.rollBack(succeeded, "supervisor").task().id();
        Thread.sleep(20);
        java.time.Instant cutoff = Clock.systemUTC().instant();
        dev.taskbridge.engine.store.FinishedTaskPurge purge = new dev.taskbridge.engine.store.FinishedTaskPurge(database);
        while (purge.purgeBatch(cutoff, null, 100) == 100) {
            // purged in batches
        }
        assertThat(engine.store().find(succeeded)).as("its rollback waits: it stays").isPresent();
        assertThat(engine.store().find(rollback)).as("a rollback that ended is purged like any task").isEmpty();
        assertThat(engine.store().find(failed)).as("failed tasks wait for an operator").isPresent();
        assertThatThrownBy(() -> engine.retry(failed, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("rolled back by task " + rollback);
        assertThatThrownBy(() -> engine.rollBack(failed, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("which has been purged since");

        engine.resume("test.steps", "supervisor");
        assertThat(awaitFinal(engine, waiting).state()).isEqualTo(TaskState.SUCCEEDED);
        Thread.sleep(20);
        java.time.Instant later = Clock.systemUTC().instant();
        while (purge.purgeBatch(later, null, 100) == 100) {
            // purged in batches
        }
        assertThat(engine.store().find(succeeded)).as("its rollback has ended").isEmpty();
    }

    /** A rollback left queued by a stop is resumed from the store: the original's payload and markers read again. */
    @Test
    void aRollbackResumesAfterARestart() throws Exception {
        ScriptedTaskType before = new ScriptedTaskType("test.steps", 1);
        before.undoes = true;
        TaskEngine first = start(FAST_RETRIES, before);
        String id = first.submit("test.steps", "clerk", null, script("chunks=2")).task().id();
        assertThat(awaitFinal(first, id).state()).isEqualTo(TaskState.SUCCEEDED);
        first.pause("test.steps", "supervisor");
        String rollback = first.rollBack(id, "supervisor").task().id();
        first.close();

        ScriptedTaskType after = new ScriptedTaskType("test.steps", 1);
        after.undoes = true;
        TaskEngine second = start(FAST_RETRIES, after);
        second.resume("test.steps", "supervisor");

        assertThat(awaitFinal(second, rollback).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(after.undos).containsExactly(new ScriptedTaskType.Undo(rollback, id, 1, ""), new ScriptedTaskType.Undo(rollback, id, 0, "0"));
        assertThat(before.undos).isEmpty();
    }

    @Test
    void aTaskToRunLaterIsScheduledInNoSlotUntilItIsDueAndThenRunsOnce() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            Instant runAt = Instant.now().plusMillis(1500);
            Stored stored = engine.submit("test.steps", "clerk", null, script("chunks=2"), runAt);
            String id = stored.task().id();

            assertThat(stored.task().state()).isEqualTo(TaskState.SCHEDULED);
            assertThat(stored.task().runAt()).isEqualTo(runAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                    .as("as stored").isEqualTo(engine.store().find(id).orElseThrow().runAt());
            Thread.sleep(700);
            assertThat(engine.store().find(id).orElseThrow().state()).isEqualTo(TaskState.SCHEDULED);
            assertThat(type.runs).isEmpty();
            assertThat(engine.queueOf(engine.slotFor("test.steps", id)).waiting()).as("no slot holds it").isEmpty();

            TaskRecord done = awaitFinal(engine, id);
            assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(done.startedAt()).as("not before its time").isAfterOrEqualTo(runAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            assertThat(type.runs).extracting(ScriptedTaskType.Run::chunk).containsExactly(0, 1);
            assertThat(changes).filteredOn(change -> change.taskId().equals(id)).extracting(TaskChange::kind)
                    .startsWith(TaskEventKind.SUBMITTED, TaskEventKind.DUE).endsWith(TaskEventKind.SUCCEEDED);
            assertThat(engine.store().history(id).get(0).detail()).contains("to run at");
        }

        Stored past = engine.submit("test.steps", "clerk", null, script("chunks=1"), Instant.now().minusSeconds(60));
        assertThat(past.task().state()).as("a time passed already runs it at once").isEqualTo(TaskState.QUEUED);
        assertThat(past.task().runAt()).isNull();
        assertThat(awaitFinal(engine, past.task().id()).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void higherPrioritiesStartFirstInTheirSlotAndOnePriorityKeepsTheOrderOfSubmission() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        String running = engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=1500")).task().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.store().find(running).orElseThrow().state() == TaskState.RUNNING);

        String low = engine.submit("test.steps", "clerk", null, script("chunks=1"), null, -5).task().id();
        String usual = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        String urgent = engine.submit("test.steps", "clerk", null, script("chunks=1"), null, 10).task().id();
        String urgentToo = engine.submit("test.steps", "clerk", null, script("chunks=1"), null, 10).task().id();
        String usualToo = engine.submit("test.steps", "clerk", null, script("chunks=1"), null, 0).task().id();

        for (String id : List.of(running, low, usual, urgent, urgentToo, usualToo)) {
            assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(type.runs).extracting(ScriptedTaskType.Run::taskId)
                .as("the task that ran is not stopped; then by priority, each in the order submitted")
                .containsExactly(running, urgent, urgentToo, usual, usualToo, low);
        assertThat(engine.store().find(urgent).orElseThrow().priority()).isEqualTo(10);
        assertThat(engine.store().list(new TaskFilter("test.steps", null, null, 0, 100)).stream().filter(task -> task.id().equals(low)).findFirst()
                .orElseThrow().priority()).isEqualTo(-5);
    }

    @Test
    void aRetriedTaskAndADelayedTaskThatFallsDueStartWithTheirPriorityAndOneOutOfRangeIsRefused() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=1"), null, 101))
                .isInstanceOf(IllegalArgumentException.class);
        String failed = engine.submit("test.steps", "clerk", null, script("chunks=1,failOnceAtChunk=0"), null, 7).task().id();
        assertThat(awaitFinal(engine, failed).state()).isEqualTo(TaskState.FAILED);
        String running = engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=1500")).task().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.store().find(running).orElseThrow().state() == TaskState.RUNNING);

        String usual = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        assertThat(engine.retry(failed, "supervisor").priority()).isEqualTo(7);
        String due = engine.submit("test.steps", "clerk", null, script("chunks=1"), Instant.now().plusMillis(200), 7).task().id();

        for (String id : List.of(failed, running, usual, due)) {
            assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        assertThat(type.runs).extracting(ScriptedTaskType.Run::taskId)
                .as("the failed run, the one that ran on, then priority 7 (the retry, the task that fell due), then 0")
                .containsExactly(failed, running, failed, due, usual);
    }

    /**
     * Order keys (design note 032): with ten slots, the tasks of one key share a slot and run one
     * after another in the order they were submitted, while the keys run alongside each other.
     * Without keys the same submissions spread over every slot and overlap.
     */
    @Test
    void tasksOfOneOrderKeyRunOneAfterAnotherInTheOrderSubmittedWhileOtherKeysRunAlongside() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 10);
        TaskEngine engine = start(FAST_RETRIES, type);
        List<String> keys = List.of("account-1000", "account-2000", "account-3000", "account-4000", "customer 17", "ü-σ");
        Map<String, List<String>> submittedPerKey = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int client = 0; client < 3; client++) {
                List<String> own = List.of(keys.get(client), keys.get(client + 3));
                done.add(clients.submit(() -> {
                    for (int step = 0; step < 6; step++) {
                        for (String key : own) { // the client's keys interleave; each key's steps leave in order
                            Stored stored = engine.submit("test.steps", "clerk", null, script("chunks=2,sleepMillis=5"),
                                    null, 0, key);
                            assertThat(stored.task().orderKey()).isEqualTo(key);
                            submittedPerKey.computeIfAbsent(key, any -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(stored.task().id());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : done) {
                client.get(60, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }

        Set<dev.taskbridge.engine.routing.SlotId> slotsUsed = new java.util.HashSet<>();
        for (String key : keys) {
            List<String> submitted = submittedPerKey.get(key);
            List<TaskRecord> ended = submitted.stream().map(id -> awaitFinal(engine, id)).toList();
            assertThat(ended).extracting(TaskRecord::state).containsOnly(TaskState.SUCCEEDED);
            assertThat(ended).extracting(TaskRecord::orderKey).as("stored with its key").containsOnly(key);
            assertThat(ended.stream().map(engine::slotOf).distinct()).as("one slot serves key %s", key).hasSize(1);
            slotsUsed.add(engine.slotOf(ended.get(0)));
            assertThat(type.runs.stream().filter(run -> submitted.contains(run.taskId())).map(ScriptedTaskType.Run::taskId)
                    .distinct().toList()).as("the tasks of %s started in the order they were submitted", key)
                    .containsExactlyElementsOf(submitted);
            for (int i = 1; i < ended.size(); i++) {
                assertThat(ended.get(i).startedAt()).as("task %d of %s started once the one before had ended", i, key)
                        .isAfterOrEqualTo(ended.get(i - 1).endedAt());
            }
        }
        assertThat(slotsUsed).as("different keys are spread over the slots").hasSizeGreaterThan(1);
    }

    /**
     * A type whose slots run several tasks at once (note 034): tasks without a key overlap in one
     * slot, tasks of one key still run one after another in the order submitted, and every chunk
     * of every task commits once, in order.
     */
    @Test
    void aSlotThatRunsSeveralTasksAtOnceOverlapsThemButNeverTwoOfOneKey() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        type.atOncePerSlot = 4;
        TaskEngine engine = start(FAST_RETRIES, type);
        assertThat(engine.tasksAtOncePerSlot("test.steps")).as("what operators are shown").isEqualTo(4);
        assertThat(engine.tasksAtOncePerSlot("no.such.type")).isZero();
        List<String> plain = new ArrayList<>();
        List<String> keyed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            plain.add(engine.submit("test.steps", "clerk", null, script("chunks=2,sleepMillis=30"), null, 0, null).task().id());
            keyed.add(engine.submit("test.steps", "clerk", null, script("chunks=2,sleepMillis=5"), null, 0, "account-1000")
                    .task().id());
        }

        List<TaskRecord> keyedEnded = keyed.stream().map(id -> awaitFinal(engine, id)).toList();
        List<TaskRecord> plainEnded = plain.stream().map(id -> awaitFinal(engine, id)).toList();
        assertThat(plainEnded).extracting(TaskRecord::state).containsOnly(TaskState.SUCCEEDED);
        assertThat(keyedEnded).extracting(TaskRecord::state).containsOnly(TaskState.SUCCEEDED);
        assertThat(type.maxRunning.get()).as("tasks of the one slot ran at once, no more than it allows").isBetween(2, 4);
        for (int i = 1; i < keyedEnded.size(); i++) {
            assertThat(keyedEnded.get(i).startedAt()).as("task %d of the key started once the one before had ended", i)
                    .isAfterOrEqualTo(keyedEnded.get(i - 1).endedAt());
        }
        assertThat(type.runs.stream().filter(run -> keyed.contains(run.taskId())).map(ScriptedTaskType.Run::taskId)
                .distinct().toList()).as("the key's tasks started in the order they were submitted").containsExactlyElementsOf(keyed);
        for (String id : plain) {
            assertThat(type.runs.stream().filter(run -> run.taskId().equals(id)).map(ScriptedTaskType.Run::chunk).toList())
                    .as("the chunks of %s, each once and in order", id).containsExactly(0, 1);
        }
    }

    /** An operator's {@code taskbridge.concurrent-tasks-per-slot.<type>} wins over what the plugin says. */
    @Test
    void anOperatorsOverrideOfTheTasksASlotRunsAtOnceWinsOverThePlugins() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        type.atOncePerSlot = 4;
        TaskEngine engine = start(FAST_RETRIES.withConcurrencyOverrides(Map.of("test.steps", 1)), type);
        assertThat(engine.tasksAtOncePerSlot("test.steps")).as("what operators are shown").isEqualTo(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=20"), null, 0, null).task().id());
        }
        assertThat(ids.stream().map(id -> awaitFinal(engine, id).state())).containsOnly(TaskState.SUCCEEDED);
        assertThat(type.maxRunning.get()).as("one at a time, as configured").isEqualTo(1);
        assertThatThrownBy(() -> FAST_RETRIES.withConcurrencyOverrides(Map.of("test.steps", 17)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("task type test.steps: a slot runs 1 to 16 tasks at once, configured 17");
    }

    @Test
    void anOrderKeyIsTheTasksForGoodAndOneThatCannotBeAKeyIsRefused() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        for (String notAKey : new String[] {"", "   ", "a ", "a\nb", "x".repeat(TaskEngine.MAX_ORDER_KEY_LENGTH + 1)}) {
            assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=1"), null, 0, notAKey))
                    .as("order key [%s]", notAKey).isInstanceOf(IllegalArgumentException.class);
        }
        String longest = "k".repeat(TaskEngine.MAX_ORDER_KEY_LENGTH);
        Stored first = engine.submit("test.steps", "clerk", "once", script("chunks=1"), null, 0, longest);
        assertThat(engine.store().find(first.task().id()).orElseThrow().orderKey()).isEqualTo(longest);

        assertThat(engine.submit("test.steps", "clerk", "once", script("chunks=1"), null, 0, longest).task().id())
                .as("a repeat with the same key").isEqualTo(first.task().id());
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", "once", script("chunks=1"), null, 0, "another"))
                .isInstanceOf(IdempotencyConflictException.class).hasMessageContaining("order key");
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", "once", script("chunks=1")))
                .isInstanceOf(IdempotencyConflictException.class).hasMessageContaining("order key");
        assertThat(awaitFinal(engine, first.task().id()).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    /** A key decides the slot, so a full slot is not avoided by drawing another id: that would break the key's order. */
    @Test
    void aSubmissionWhoseKeysSlotIsFullIsRefusedAsBusyWhileTasksWithoutAKeyStillFindRoom() throws Exception {
        TaskEngine engine = start(FAST_RETRIES.withSlotCapacity(2), new ScriptedTaskType("test.steps", 2));
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=3000"), null, 0, "full").task().id());
        }
        dev.taskbridge.engine.routing.SlotId slot = engine.slotFor("test.steps", "full");
        await().atMost(WAIT).until(() -> engine.queueDepth(slot) == 2);
        long stored = engine.store().countByState().values().stream().mapToLong(Long::longValue).sum();

        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=1"), null, 0, "full"))
                .isInstanceOf(SlotFullException.class).hasMessageContaining("the slot of order key full holds 2 tasks");
        assertThat(engine.store().countByState().values().stream().mapToLong(Long::longValue).sum())
                .as("nothing stored for the refused submission").isEqualTo(stored);
        String unkeyed = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        assertThat(engine.slotFor("test.steps", unkeyed)).as("the other slot").isNotEqualTo(slot);
        assertThat(awaitFinal(engine, unkeyed).state()).isEqualTo(TaskState.SUCCEEDED);
        for (String id : held) {
            engine.cancel(id, "clerk");
        }
    }

    /** The key is read back from the store: tasks stored but not handed over before a crash resume in their key's slot, in order. */
    @Test
    void afterAStartTheTasksOfAKeyResumeInTheirKeysSlotInTheOrderSubmitted() throws Exception {
        TaskEngine first = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 10));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = TaskIds.next();
            // stored but not handed over: as a crash before the hand-over leaves them
            first.store().insert(new NewTask(id, "test.steps", 1, "clerk", null, script("chunks=1,sleepMillis=100"), null,
                    null, 0, "resumed"));
            ids.add(id); // one after another, within a millisecond too: ids that grow keep the order (TaskIds)
        }
        first.close();

        ScriptedTaskType type = new ScriptedTaskType("test.steps", 10);
        TaskEngine engine = start(FAST_RETRIES, type);
        List<TaskRecord> ended = ids.stream().map(id -> awaitFinal(engine, id)).toList();
        assertThat(ended).extracting(TaskRecord::state).containsOnly(TaskState.SUCCEEDED);
        assertThat(type.runs).extracting(ScriptedTaskType.Run::taskId).containsExactlyElementsOf(ids);
        for (int i = 1; i < ended.size(); i++) {
            assertThat(ended.get(i).startedAt()).as("task %d started once the one before had ended", i)
                    .isAfterOrEqualTo(ended.get(i - 1).endedAt());
        }
    }

    @Test
    void aStartResumesUnfinishedTasksHigherPrioritiesFirstSoTheyComeInTheFirstHandOvers() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        TaskStore store = engine.store();
        List<String> ids = new ArrayList<>();
        for (int priority : new int[] {0, -3, 9, 0, 9}) {
            String id = UUID.randomUUID().toString();
            // stored but not handed over: as a crash before the hand-over leaves them
            store.insert(new NewTask(id, "test.steps", 1, "clerk", null, script("chunks=1"), null, null, priority));
            ids.add(id);
            Thread.sleep(2); // submitted one after another
        }

        assertThat(store.unfinished()).extracting(TaskRecord::id)
                .containsExactly(ids.get(2), ids.get(4), ids.get(0), ids.get(3), ids.get(1));
    }

    /**
     * Drain: a stop lets the chunk that runs commit, starts no other, and returns only once no
     * chunk runs; the task goes on from there at the next start. Without the drain the stop
     * returned while the chunk still ran on a thread of the stopped engine.
     */
    @Test
    void aStopLetsTheChunkThatRunsCommitStartsNoOtherAndTheNextStartGoesOn() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        String id = engine.submit("test.steps", "clerk", null, script("chunks=3,sleepMillis=700")).task().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> type.running.get() == 1);

        engine.close();

        assertThat(type.running.get()).as("no chunk runs once the stop has returned").isZero();
        assertThat(type.runs).as("the chunk that ran, and no other").hasSize(1);
        assertThat(engine.store().find(id).orElseThrow().chunksDone()).as("it committed").isEqualTo(1);

        ScriptedTaskType again = new ScriptedTaskType("test.steps", 1);
        TaskEngine next = start(FAST_RETRIES, again);
        assertThat(awaitFinal(next, id).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(again.runs).extracting(ScriptedTaskType.Run::chunk).containsExactly(1, 2);
    }

    /** Drain: once a stop began, a task waiting in the slot is not even started (nor its plugin asked to count its chunks). */
    @Test
    void aStopStartsNoTaskThatWaitedAndTheNextStartRunsIt() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        List<String> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        engine.subscribe(change -> {
            if (change.kind() == TaskEventKind.STARTED) {
                started.add(change.taskId());
            }
        });
        String running = engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=700")).task().id();
        String waiting = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> type.running.get() == 1);

        engine.close();

        assertThat(engine.store().find(running).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(started).as("tasks started: not the one that waited").containsExactly(running);
        TaskRecord notStarted = engine.store().find(waiting).orElseThrow();
        assertThat(notStarted.state()).isEqualTo(TaskState.QUEUED);
        assertThat(notStarted.attempts()).isZero();
        ScriptedTaskType again = new ScriptedTaskType("test.steps", 1);
        assertThat(awaitFinal(start(FAST_RETRIES, again), waiting).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    /**
     * The host's suspend (note 027): the chunk that runs commits and the suspend completes only
     * then; no chunk and no task starts while suspended, though tasks are still taken; the resume
     * goes on where each slot left off.
     */
    @Test
    void aSuspendLetsTheChunkThatRunsCommitStartsNothingMoreAndAResumeGoesOn() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        String running = engine.submit("test.steps", "clerk", null, script("chunks=3,sleepMillis=700")).task().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> type.running.get() == 1);

        java.util.concurrent.CompletableFuture<Void> suspended = engine.suspend().toCompletableFuture();
        assertThat(suspended).as("not complete while a chunk runs").isNotDone();
        assertThat(engine.health(Duration.ofSeconds(5)).ready()).as("not ready while suspended").isFalse();
        suspended.get(10, TimeUnit.SECONDS);
        assertThat(type.running.get()).as("no chunk runs once the suspend completed").isZero();
        String submitted = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        Thread.sleep(1000);

        assertThat(type.runs).as("the chunk that ran, and no other").hasSize(1);
        TaskRecord between = engine.store().find(running).orElseThrow();
        assertThat(between.state()).isEqualTo(TaskState.RUNNING);
        assertThat(between.chunksDone()).as("it committed").isEqualTo(1);
        assertThat(engine.isStalled(between)).as("waiting for the resume on purpose").isFalse();
        assertThat(engine.store().find(submitted).orElseThrow().state()).as("taken and waiting").isEqualTo(TaskState.QUEUED);

        engine.resumeFromSuspend();

        assertThat(awaitFinal(engine, running).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(awaitFinal(engine, submitted).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(type.runs).extracting(ScriptedTaskType.Run::chunk).containsExactly(0, 1, 2, 0);
        assertThat(engine.health(Duration.ofSeconds(5)).ready()).isTrue();
    }

    /** A stop that follows a suspend (a graceful shutdown) starts none of the steps that waited; the next engine runs them. */
    @Test
    void aStopAfterASuspendStartsNothingThatWaitedAndTheNextStartRunsIt() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        engine.suspend().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String id = engine.submit("test.steps", "clerk", null, script("chunks=2")).task().id();
        Thread.sleep(500);

        engine.close();

        assertThat(type.runs).isEmpty();
        assertThat(engine.store().find(id).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        ScriptedTaskType again = new ScriptedTaskType("test.steps", 1);
        TaskEngine next = start(FAST_RETRIES, again);
        assertThat(next.isSuspended()).as("a suspend is the host's, not stored").isFalse();
        assertThat(awaitFinal(next, id).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(again.runs).extracting(ScriptedTaskType.Run::chunk).containsExactly(0, 1);
    }

    /**
     * Note 028: tasks version 1 left unfinished, one part-way, are run by version 3 through the
     * chain of migrations 1 to 2 to 3; the part-way one from its next chunk, each chunk once; the
     * rows keep the version they were submitted under.
     */
    @Test
    void tasksAnOlderVersionLeftUnfinishedAreRunByANewerOneThroughItsMigrations() throws Exception {
        ScriptedTaskType v1 = new ScriptedTaskType("test.steps", 1);
        TaskEngine before = start(FAST_RETRIES, v1);
        String partWay = before.submit("test.steps", "clerk", null, script("chunks=3,sleepMillis=700")).task().id();
        String queued = before.submit("test.steps", "clerk", null, script("chunks=2")).task().id();
        await().atMost(Duration.ofSeconds(10)).until(() -> chunksRunOf(v1, partWay).size() == 1);
        before.suspend();
        before.close();
        assertThat(before.store().find(queued).orElseThrow().state()).isEqualTo(TaskState.QUEUED);

        ScriptedTaskType v3 = new ScriptedTaskType("test.steps", 1, 3,
                Map.of(1, ScriptedTaskType.toVersion(2), 2, ScriptedTaskType.toVersion(3)));
        TaskEngine after = start(FAST_RETRIES, v3);

        assertThat(awaitFinal(after, partWay).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(awaitFinal(after, queued).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(chunksRunOf(v1, partWay)).as("version 1 ran the first chunk").containsExactly(0);
        assertThat(chunksRunOf(v3, partWay)).as("version 3 the others, once each").containsExactly(1, 2);
        assertThat(chunksRunOf(v3, queued)).containsExactly(0, 1);
        assertThat(after.store().find(queued).orElseThrow().typeVersion()).as("the version it was submitted under").isEqualTo(1);
        assertThat(after.health(Duration.ofSeconds(5)).pluginProblems()).isEmpty();
        assertThat(after.submit("test.steps", "clerk", null, v3.payload("chunks=1")).task().typeVersion()).isEqualTo(3);
    }

    private static List<Integer> chunksRunOf(ScriptedTaskType type, String taskId) {
        return type.runs.stream().filter(run -> run.taskId().equals(taskId)).map(ScriptedTaskType.Run::chunk).toList();
    }

    /**
     * Note 028: a version without a migration from the version of an unfinished task is not
     * activated: no slot, its tasks untouched, a submission refused with why, the problem naming
     * the task; another type runs; a version that can, deployed next, runs them.
     */
    @Test
    void aVersionThatCannotRunTheUnfinishedTasksOfAnOlderOneIsNotActivatedAndSaysWhichTasks() throws Exception {
        ScriptedTaskType v1 = new ScriptedTaskType("test.steps", 1);
        TaskEngine before = start(FAST_RETRIES, v1, new ScriptedTaskType("test.other", 1));
        before.suspend();
        String waiting = before.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        String later = before.submit("test.steps", "clerk", null, script("chunks=1"), Instant.now().plus(Duration.ofHours(1)))
                .task().id();
        before.close();

        ScriptedTaskType v2 = new ScriptedTaskType("test.steps", 1, 2, Map.of());
        TaskEngine after = start(FAST_RETRIES, v2, new ScriptedTaskType("test.other", 1));

        assertThat(after.registry().find("test.steps")).as("not activated").isEmpty();
        assertThat(after.slots("test.other")).isEqualTo(1);
        assertThat(after.health(Duration.ofSeconds(5)).pluginProblems()).singleElement().asString()
                .contains("test.steps is not active").contains("no migration from version 1")
                .contains("2 unfinished task(s) of version 1").contains(waiting).contains(later);
        assertThatThrownBy(() -> after.submit("test.steps", "clerk", null, v2.payload("chunks=1")))
                .isInstanceOf(TaskTypeNotActiveException.class).hasMessageContaining("not active on this server")
                .hasMessageNotContaining(waiting);
        String other = after.submit("test.other", "clerk", null, script("chunks=1")).task().id();
        assertThat(awaitFinal(after, other).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(after.store().find(waiting).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        assertThat(after.store().find(waiting).orElseThrow().attempts()).isZero();
        assertThat(v2.runs).isEmpty();
        assertThat(after.cancel(later, "supervisor").state()).as("an operator may cancel what holds the type back")
                .isEqualTo(TaskState.CANCELLED);
        after.close();

        ScriptedTaskType v2Migrating = new ScriptedTaskType("test.steps", 1, 2, Map.of(1, ScriptedTaskType.toVersion(2)));
        TaskEngine fixed = start(FAST_RETRIES, v2Migrating);
        assertThat(awaitFinal(fixed, waiting).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(fixed.store().find(later).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
    }

    /**
     * Note 028: what clients made before a deploy goes on after it: a confirmed check of version 1
     * is submitted by version 2 through its migration, and a repeated request of version 1 (its
     * idempotency key) is answered with its task, though version 2 would refuse its payload.
     */
    @Test
    void aCheckAndARequestMadeBeforeTheDeployAreTakenAfterIt() throws Exception {
        TaskEngine before = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        String check = before.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        String keyed = before.submit("test.steps", "clerk", "k-1", script("chunks=2")).task().id();
        assertThat(awaitFinal(before, check).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(awaitFinal(before, keyed).state()).isEqualTo(TaskState.SUCCEEDED);
        before.close();

        TaskEngine after = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1, 2, Map.of(1, ScriptedTaskType.toVersion(2))));

        Stored confirmed = after.submitPayloadOf(check, "test.steps", "clerk", null, Map.of());
        assertThat(confirmed.task().typeVersion()).isEqualTo(2);
        assertThat(awaitFinal(after, confirmed.task().id()).state()).isEqualTo(TaskState.SUCCEEDED);
        Stored repeat = after.submit("test.steps", "clerk", "k-1", script("chunks=2"));
        assertThat(repeat.created()).isFalse();
        assertThat(repeat.task().id()).isEqualTo(keyed);
    }

    /** Note 028: a plugin whose migrationFrom throws is not active; the other types run. */
    @Test
    void aPluginThatFailsToSayWhichVersionsItRunsIsNotActiveAndTheOthersRun() throws Exception {
        TaskEngine before = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        before.suspend();
        before.submit("test.steps", "clerk", null, script("chunks=1"));
        before.close();
        ScriptedTaskType broken = new ScriptedTaskType("test.steps", 1, 2, Map.of());
        broken.migrationBug = new IllegalStateException("a bug in migrationFrom");

        TaskEngine after = start(FAST_RETRIES, broken, new ScriptedTaskType("test.other", 1));

        assertThat(after.registry().find("test.steps")).isEmpty();
        assertThat(after.health(Duration.ofSeconds(5)).pluginProblems()).singleElement().asString()
                .contains("failed to say whether it runs tasks of version 1").contains("a bug in migrationFrom");
        String other = after.submit("test.other", "clerk", null, script("chunks=1")).task().id();
        assertThat(awaitFinal(after, other).state()).isEqualTo(TaskState.SUCCEEDED);
        // a client is told that, not what the plugin's exception says: that is for the operator's log
        assertThatThrownBy(() -> after.submit("test.steps", "clerk", null, script("chunks=1")))
                .isInstanceOf(TaskTypeNotActiveException.class)
                .hasMessageContaining("failed to say whether it runs tasks of version 1")
                .hasMessageNotContaining("a bug in migrationFrom");
    }

    /**
     * Note 028: a schedule written for version 1 keeps its version; under version 2 without a
     * migration each firing is refused with why (on the schedule's runs); with one, its firings
     * make tasks of version 2 that run.
     */
    @Test
    void aScheduleWrittenForAnOlderVersionFiresThroughTheMigrationsOrIsRefusedWithWhy() throws Exception {
        TaskEngine before = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        Schedule schedule = before.schedules().create(new ScheduleDefinition("every 300 ms", "test.steps", script("chunks=1"),
                null, null, Duration.ofMillis(300), MissedFirings.SKIP), "supervisor");
        assertThat(schedule.typeVersion()).as("written for the version deployed").isEqualTo(1);
        before.schedules().pause(schedule.id(), "supervisor");
        await().atMost(Duration.ofSeconds(10)).until(() -> before.store().unfinished().isEmpty()); // a firing made before the pause
        before.close();

        TaskEngine without = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1, 2, Map.of()));
        without.schedules().resume(schedule.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> without.schedules().runs(schedule.id(), 10).stream()
                .anyMatch(run -> run.outcome() == ScheduleRun.Outcome.REFUSED));
        without.schedules().pause(schedule.id(), "supervisor");
        // a firing due while the schedule was paused (between the two engines: longer on a loaded
        // machine) is recorded as skipped, as its policy says; every one that fired was refused
        assertThat(without.schedules().runs(schedule.id(), 100)).filteredOn(run -> run.outcome() != ScheduleRun.Outcome.SKIPPED)
                .isNotEmpty().allSatisfy(run -> {
                    assertThat(run.outcome()).isEqualTo(ScheduleRun.Outcome.REFUSED);
                    assertThat(run.detail()).contains("no migration from version 1");
                });
        without.close();

        TaskEngine with = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1, 2, Map.of(1, ScriptedTaskType.toVersion(2))));
        with.schedules().resume(schedule.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> with.schedules().runs(schedule.id(), 100).stream()
                .anyMatch(run -> run.outcome() == ScheduleRun.Outcome.SUBMITTED && run.taskState() == TaskState.SUCCEEDED));
        with.schedules().pause(schedule.id(), "supervisor");
        ScheduleRun made = with.schedules().runs(schedule.id(), 100).stream()
                .filter(run -> run.outcome() == ScheduleRun.Outcome.SUBMITTED).findFirst().orElseThrow();
        assertThat(with.store().find(made.taskId()).orElseThrow().typeVersion()).isEqualTo(2);
        assertThat(with.schedules().find(schedule.id()).orElseThrow().typeVersion()).as("as it was written").isEqualTo(1);
    }

    /** Note 028: a plugin rolled back to version 1 while tasks of its version 2 are unfinished is not activated. */
    @Test
    void aPluginRolledBackToAnOlderVersionIsNotActivatedWhileTasksOfTheNewerOneWait() throws Exception {
        ScriptedTaskType v2 = new ScriptedTaskType("test.steps", 1, 2, Map.of(1, ScriptedTaskType.toVersion(2)));
        TaskEngine before = start(FAST_RETRIES, v2);
        before.suspend();
        String waiting = before.submit("test.steps", "clerk", null, v2.payload("chunks=1")).task().id();
        before.close();

        TaskEngine rolledBack = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));

        assertThat(rolledBack.registry().find("test.steps")).isEmpty();
        assertThat(rolledBack.health(Duration.ofSeconds(5)).pluginProblems()).singleElement().asString()
                .contains("cannot run tasks of the newer version 2").contains(waiting);
        Thread.sleep(300);
        assertThat(rolledBack.store().find(waiting).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
    }

    /** Note 028: a failed task of version 1 is not retried by a version that cannot run it, and is by one that can. */
    @Test
    void aRetryOfAFailedTaskIsRefusedByAVersionThatCannotRunItAndTakenByOneThatCan() throws Exception {
        TaskEngine before = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        String failed = before.submit("test.steps", "clerk", null, script("chunks=1,failAtChunk=0")).task().id();
        assertThat(awaitFinal(before, failed).state()).isEqualTo(TaskState.FAILED);
        before.close();

        TaskEngine cannot = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1, 2, Map.of()));
        assertThat(cannot.registry().find("test.steps")).as("a failed task holds nothing back").isPresent();
        assertThatThrownBy(() -> cannot.retry(failed, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessageContaining("no migration from version 1");
        assertThat(cannot.store().find(failed).orElseThrow().state()).isEqualTo(TaskState.FAILED);
        cannot.close();

        // the migration that fixes what made it fail, as a new version may
        PayloadMigration fixing = older -> new Payload("text/plain", "chunks=1".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("version", "2"));
        TaskEngine can = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1, 2, Map.of(1, fixing)));
        can.retry(failed, "supervisor");
        assertThat(awaitFinal(can, failed).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aTaskDueInTenMonthsIsStoredWhereTheTimerCannotReachInOneStep() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        Instant runAt = Instant.now().plus(Duration.ofDays(300)); // beyond Pekko's scheduler's 248 days

        Stored stored = engine.submit("test.steps", "clerk", null, script("chunks=1"), runAt);

        assertThat(stored.task().state()).isEqualTo(TaskState.SCHEDULED);
        assertThat(engine.cancel(stored.task().id(), "clerk").state()).isEqualTo(TaskState.CANCELLED);
    }

    @Test
    void aScheduledTaskThatIsCancelledNeverRunsAndARetryRunsItAtOnce() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        String id = engine.submit("test.steps", "clerk", null, script("chunks=1"), Instant.now().plusMillis(800)).task().id();

        assertThat(engine.cancel(id, "clerk").state()).isEqualTo(TaskState.CANCELLED);
        Thread.sleep(1500);
        assertThat(engine.store().find(id).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(type.runs).isEmpty();

        engine.retry(id, "supervisor");
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(type.runs).hasSize(1);
    }

    @Test
    void scheduledTasksOutliveARestartAndThoseThatFellDueMeanwhileRunAtStart() throws Exception {
        TaskEngine before = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        Instant soon = Instant.now().plusMillis(500);
        Instant later = Instant.now().plusMillis(4000);
        String dueWhileStopped = before.submit("test.steps", "clerk", null, script("chunks=1"), soon).task().id();
        String dueAfterRestart = before.submit("test.steps", "clerk", null, script("chunks=1"), later).task().id();
        before.close();
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), soon).toMillis()) + 300);

        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        TaskEngine after = start(FAST_RETRIES, type);
        assertThat(awaitFinal(after, dueWhileStopped).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(after.store().find(dueAfterRestart).orElseThrow().state()).isEqualTo(TaskState.SCHEDULED);

        TaskRecord done = awaitFinal(after, dueAfterRestart);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.startedAt()).isAfterOrEqualTo(later.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(type.runs).extracting(ScriptedTaskType.Run::taskId).containsExactlyInAnyOrder(dueWhileStopped, dueAfterRestart);
    }

    @Test
    void dueTasksAreReleasedOnceWhenTwoNodesLookAtOnce() throws Exception {
        TaskStore store = new TaskStore(database, Clock.systemUTC());
        store.createSchema(dialect());
        Instant past = Instant.now().minusSeconds(1);
        Set<String> scheduled = new java.util.HashSet<>();
        for (int i = 0; i < 600; i++) {
            String id = UUID.randomUUID().toString();
            store.insert(new NewTask(id, "test.steps", 1, "clerk", null, script("chunks=1"), null, past));
            scheduled.add(id);
        }
        ScheduledTasks tasks = new ScheduledTasks(database);
        assertThat(tasks.earliest()).isPresent();
        Callable<List<String>> node = () -> {
            List<String> released = new ArrayList<>();
            for (int tries = 0; tries < 200 && tasks.earliest().isPresent(); tries++) {
                try {
                    tasks.releaseDue(Instant.now(), 64).forEach(task -> released.add(task.id()));
                } catch (dev.taskbridge.engine.store.TaskStoreException e) {
                    // a lock conflict with the other node: its transaction rolled back whole, look again
                }
            }
            return released;
        };
        ExecutorService nodes = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> answers = nodes.invokeAll(List.of(node, node));
            List<String> all = new ArrayList<>(answers.get(0).get());
            all.addAll(answers.get(1).get());
            assertThat(all).as("each released once").doesNotHaveDuplicates().hasSameElementsAs(scheduled);
        } finally {
            nodes.shutdownNow();
        }
        assertThat(tasks.earliest()).isEmpty();
        assertThat(store.countByState().get(TaskState.QUEUED)).isEqualTo(600);
    }

    @Test
    void healthShowsTheActorSystemTheDatabaseAndThePluginsAndGoesNotReadyWhenStopped() {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));

        EngineHealth health = engine.health(Duration.ofSeconds(2));

        assertThat(health).isEqualTo(new EngineHealth(true, false, true, null, 1, List.of(), List.of()));
        assertThat(health.ready()).isTrue();
        assertThat(engine.isBroken()).isFalse();

        engine.close();
        EngineHealth stopped = engine.health(Duration.ofSeconds(2));
        assertThat(stopped.running()).isFalse();
        assertThat(stopped.actorSystemAlive()).isFalse();
        assertThat(stopped.ready()).isFalse();
        assertThat(engine.isBroken()).as("a stopped engine is not a broken one").isFalse();
    }

    @Test
    void aRunningTaskWithoutProgressForLongerThanStalledAfterIsFlaggedUntilItMovesOn() throws Exception {
        TaskEngine engine = start(FAST_RETRIES.withStalledAfter(Duration.ofMillis(300)),
                new ScriptedTaskType("test.steps", 1));

        String id = engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=2000")).task().id();

        await().atMost(WAIT).until(() -> engine.isStalled(engine.store().find(id).orElseThrow()));
        assertThat(engine.countStalled()).isEqualTo(1);
        TaskRecord done = awaitFinal(engine, id);
        assertThat(engine.isStalled(done)).isFalse();
        assertThat(engine.countStalled()).isZero();
    }

    @Test
    void theEngineReportsSubmissionsOutcomesChunksRetriesJournalWritesAndQueueDepths() throws Exception {
        CountingMetrics metrics = new CountingMetrics();
        TaskEngine engine = start(FAST_RETRIES, metrics, new ScriptedTaskType("test.steps", 2));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(engine.submit("test.steps", "clerk", null, script("chunks=2")).task().id());
        }
        ids.add(engine.submit("test.steps", "clerk", null, script("chunks=1,transientFailures=1")).task().id());
        ids.add(engine.submit("test.steps", "clerk", null, script("chunks=2,failAtChunk=1")).task().id());
        ids.forEach(id -> awaitFinal(engine, id));

        assertThat(metrics.count("submitted:test.steps")).isEqualTo(5);
        assertThat(metrics.count("succeeded:test.steps")).isEqualTo(4);
        assertThat(metrics.count("failed:test.steps")).isEqualTo(1);
        assertThat(metrics.count("retried:test.steps")).isEqualTo(1);
        assertThat(metrics.count("chunk:test.steps")).as("3 x 2 chunks, 1, and the chunk before the failure")
                .isEqualTo(8);
        // A task's end, one each, and its hand-over, in batches of one to five: the journal holds the queue, nothing more
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics.count("journalWrite:test.steps")).isBetween(6L, 10L));
        assertThat(metrics.count("messageProcessed:test.steps")).isGreaterThanOrEqualTo(6);
        await().atMost(WAIT).untilAsserted(() -> assertThat(engine.slotIds())
                .allSatisfy(slot -> assertThat(engine.queueDepth(slot)).isZero()));
    }

    @Test
    void anInvalidPayloadIsRefusedAndNothingIsStored() {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));

        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=many")))
                .isInstanceOf(InvalidPayloadException.class)
                .hasMessage("invalid payload: chunks: must be a whole number, was 'many'");
        assertThat(engine.store().countByState().values()).containsOnly(0L);
    }

    @Test
    void anUnknownTypeIsRefused() {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));

        assertThatThrownBy(() -> engine.submit("test.nope", "clerk", null, script("chunks=1")))
                .isInstanceOf(NoSuchTaskTypeException.class)
                .hasMessage("no plugin provides task type 'test.nope'");
    }

    @Test
    void tasksInOneSlotRunOneAtATimeInTheOrderTheyWereSubmitted() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            submitted.add(engine.submit("test.steps", "clerk", null, script("chunks=2,sleepMillis=1")).task().id());
        }

        submitted.forEach(id -> assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED));

        List<String> runOrder = type.runs.stream().map(ScriptedTaskType.Run::taskId).distinct().toList();
        assertThat(runOrder).containsExactlyElementsOf(submitted);
        assertThat(type.runs).hasSize(100);
        assertThat(type.maxRunning.get()).isEqualTo(1);
    }

    @Test
    void aTasksChunksRunInOrderEvenWhileOtherSlotsWork() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 10);
        TaskEngine engine = start(FAST_RETRIES, type);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(engine.submit("test.steps", "clerk", null, script("chunks=5")).task().id());
        }

        ids.forEach(id -> awaitFinal(engine, id));

        Map<String, List<Integer>> chunksPerTask = type.runs.stream().collect(Collectors.groupingBy(
                ScriptedTaskType.Run::taskId, Collectors.mapping(ScriptedTaskType.Run::chunk, Collectors.toList())));
        assertThat(chunksPerTask).hasSize(40);
        chunksPerTask.values().forEach(chunks -> assertThat(chunks).containsExactly(0, 1, 2, 3, 4));
    }

    @Test
    void tenThousandTasksAreServedByTenSlotActors() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 10);
        TaskEngine engine = start(FAST_RETRIES, type);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id());
        }
        assertThat(engine.liveSlotActors()).isEqualTo(Map.of("test.steps", 10));

        await().atMost(Duration.ofMinutes(3)).until(() ->
                engine.store().countByState().get(TaskState.SUCCEEDED) == 10_000L);
        assertThat(engine.liveSlotActors()).isEqualTo(Map.of("test.steps", 10));
        Set<Integer> slotsUsed = ids.stream().map(id -> engine.slotFor("test.steps", id).index()).collect(Collectors.toSet());
        assertThat(slotsUsed).hasSize(10);
    }

    @Test
    void transientFailuresAreRetriedUntilTheChunkSucceeds() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        TaskEngine engine = start(FAST_RETRIES, type);

        String id = engine.submit("test.steps", "clerk", null, script("chunks=2,transientFailures=2")).task().id();

        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(type.runs).extracting(ScriptedTaskType.Run::chunk, ScriptedTaskType.Run::attempt)
                .containsExactly(
                        tuple(0, 1),
                        tuple(0, 2),
                        tuple(0, 3),
                        tuple(1, 1));
    }

    @Test
    void aTaskThatKeepsFailingTransientlyFailsAfterTheLastTry() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));

        String id = engine.submit("test.steps", "clerk", null, script("chunks=1,transientFailures=10")).task().id();

        TaskRecord failed = awaitFinal(engine, id);
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.errorMessage()).isEqualTo(
                "dev.taskbridge.plugin.TransientTaskException: database timeout (scripted)");
    }

    @Test
    void aFailingTaskIsParkedWithItsStackTraceAndTheSlotMovesOn() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);

        String bad = engine.submit("test.steps", "clerk", null, script("chunks=3,failAtChunk=1")).task().id();
        String good = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();

        TaskRecord failed = awaitFinal(engine, bad);
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.errorMessage()).isEqualTo("java.lang.IllegalArgumentException: row 7 is broken (scripted)");
        assertThat(failed.errorStack()).contains("at dev.taskbridge.engine.ScriptedTaskType$1.runChunk");
        assertThat(failed.errorReference()).as("the log line's reference").matches("TB-[2-9A-HJ-NP-Z]{8}");
        assertThat(failed.chunksDone()).isEqualTo(1);
        assertThat(awaitFinal(engine, good).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void theSameIdempotencyKeyYieldsOneTaskAlsoWhenSubmittedConcurrently() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Stored>> submissions = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                submissions.add(() -> engine.submit("test.steps", "clerk", "order-42", script("chunks=1")));
            }
            List<Stored> results = new ArrayList<>();
            for (Future<Stored> result : clients.invokeAll(submissions)) {
                results.add(result.get());
            }

            assertThat(results).extracting(s -> s.task().id()).containsOnly(results.get(0).task().id());
            assertThat(results).filteredOn(Stored::created).hasSize(1);
            assertThat(engine.store().list(new TaskFilter(null, null, "clerk", 0, 100))).hasSize(1);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aKeyReusedForAnotherTypePayloadOrOptionsIsAConflictAndNothingIsStored() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2), new ScriptedTaskType("test.other", 1));
        Stored first = engine.submit("test.steps", "clerk", "k1", script("chunks=1").withOptions(Map.of("size", "5")));
        String id = first.task().id();

        assertThat(engine.submit("test.steps", "clerk", "k1", script("chunks=1").withOptions(Map.of("size", "5"))).task().id())
                .as("the same request again").isEqualTo(id);
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", "k1", script("chunks=2").withOptions(Map.of("size", "5"))))
                .isInstanceOfSatisfying(IdempotencyConflictException.class, conflict -> assertThat(conflict.existingTaskId()).isEqualTo(id))
                .hasMessageContaining("'k1'").hasMessageContaining("another payload");
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", "k1", script("chunks=1").withOptions(Map.of("size", "6"))))
                .isInstanceOf(IdempotencyConflictException.class).hasMessageContaining("other options");
        assertThatThrownBy(() -> engine.submit("test.other", "clerk", "k1", script("chunks=1").withOptions(Map.of("size", "5"))))
                .isInstanceOf(IdempotencyConflictException.class).hasMessageContaining("type test.steps, not test.other");
        assertThat(engine.store().countByState().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
    }

    /**
     * A submission whose row committed but whose hand-over never happened (the answer to its
     * commit lost, so the client saw an error; or the engine stopping in between): the client's
     * repeat with the same key gets the stored task, and the task runs, without waiting for the
     * next engine start.
     */
    @Test
    void aRepeatWithTheSameKeyOfATaskThatWasStoredButNeverHandedOverRunsIt() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        String id = UUID.randomUUID().toString();
        new dev.taskbridge.engine.store.TaskStore(database, Clock.systemUTC())
                .insert(new dev.taskbridge.engine.store.NewTask(id, "test.steps", 1, "clerk", "order-7", script("chunks=2")));

        Stored repeat = engine.submit("test.steps", "clerk", "order-7", script("chunks=2"));

        assertThat(repeat.created()).isFalse();
        assertThat(repeat.task().id()).isEqualTo(id);
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    /** A plugin taken out of the plugin directory runs the tasks it has and takes no new ones (note 043). */
    @Test
    void aTypeClosedToNewTasksRunsTheTasksItHasAndRefusesNewOnesButAnswersARepeat() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        String running = engine.submit("test.steps", "clerk", "before", script("chunks=3,sleepMillis=200")).task().id();
        Schedule schedule = engine.schedules().create(new ScheduleDefinition("every 300 ms", "test.steps", script("chunks=1"),
                null, null, Duration.ofMillis(300), MissedFirings.SKIP), "supervisor");
        engine.schedules().pause(schedule.id(), "supervisor");
        int firedBefore = engine.schedules().runs(schedule.id(), 100).size();

        engine.registry().closeToNewTasks(Map.of("test.steps", "its plugin jar steps.jar was taken out"));

        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", "after", script("chunks=1")))
                .isInstanceOfSatisfying(TaskTypeClosedException.class, refused -> assertThat(refused.taskType()).isEqualTo("test.steps"))
                .hasMessage("task type test.steps takes no new tasks: its plugin jar steps.jar was taken out");
        assertThat(engine.store().findByKey("clerk", "after")).as("nothing stored").isEmpty();
        assertThatThrownBy(() -> engine.check("test.steps", script("chunks=1"))).isInstanceOf(TaskTypeClosedException.class);
        Stored repeat = engine.submit("test.steps", "clerk", "before", script("chunks=3,sleepMillis=200"));
        assertThat(repeat.created()).isFalse();
        assertThat(repeat.task().id()).as("a repeat of a request made before is answered with its task").isEqualTo(running);
        assertThat(awaitFinal(engine, running).state()).isEqualTo(TaskState.SUCCEEDED);
        engine.schedules().resume(schedule.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.schedules().runs(schedule.id(), 100).stream()
                .anyMatch(run -> run.outcome() == ScheduleRun.Outcome.REFUSED));
        engine.schedules().pause(schedule.id(), "supervisor");
        List<ScheduleRun> runs = engine.schedules().runs(schedule.id(), 100); // newest first
        assertThat(runs.subList(0, runs.size() - firedBefore)).as("its firings since are refused, saying why")
                .filteredOn(run -> run.outcome() != ScheduleRun.Outcome.SKIPPED).isNotEmpty().allSatisfy(run -> {
                    assertThat(run.outcome()).isEqualTo(ScheduleRun.Outcome.REFUSED);
                    assertThat(run.detail()).isEqualTo("task type test.steps takes no new tasks: its plugin jar steps.jar was taken out");
                });

        engine.registry().closeToNewTasks(Map.of()); // the jar put back
        assertThat(awaitFinal(engine, engine.submit("test.steps", "clerk", "after", script("chunks=1")).task().id()).state())
                .isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void theSameKeyFromAnotherOwnerIsAnotherTask() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));

        Stored first = engine.submit("test.steps", "clerk", "k1", script("chunks=1"));
        Stored second = engine.submit("test.steps", "clerk2", "k1", script("chunks=1"));

        assertThat(second.created()).isTrue();
        assertThat(second.task().id()).isNotEqualTo(first.task().id());
    }

    @Test
    void aTaskTypeIsPreparedOnceBeforeItsFirstPayloadAndAFailedPreparationRefusesTheSubmissionAndIsTriedAgain() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        type.prepareFailuresLeft.set(1);
        TaskEngine engine = start(FAST_RETRIES, type);

        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", "k1", script("chunks=1")))
                .isInstanceOf(TaskTypeNotReadyException.class)
                .hasMessage("task type test.steps is not ready yet")
                .satisfies(refused -> assertThat(((TaskTypeNotReadyException) refused).passing()).isTrue());
        assertThat(engine.store().findByKey("clerk", "k1")).as("nothing stored").isEmpty();

        String first = engine.submit("test.steps", "clerk", "k1", script("chunks=1")).task().id();
        String second = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        assertThat(awaitFinal(engine, first).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(awaitFinal(engine, second).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(type.prepareCalls).as("the failed call and the one that made it ready").hasValue(2);
    }

    /** A plugin makes its demo data in dev only, and its tables where the chunks' markers are: it is told both. */
    @Test
    void aTaskTypeIsToldTheProfileAndTheEnginesDatasourceWhenItGetsReady() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES.withProfile(Profile.STAGE), type);

        engine.submit("test.steps", "clerk", null, script("chunks=1"));

        assertThat(type.preparedIn.profile()).isEqualTo(Profile.STAGE);
        assertThat(type.preparedIn.dataSource()).isSameAs(database);
        assertThat(EngineSettings.DEFAULTS.profile()).as("no demo data unless asked for").isEqualTo(Profile.PROD);
    }

    @Test
    void aTaskResumedAfterARestartWaitsUntilItsTypeIsReady() {
        TaskStore store = new TaskStore(database, Clock.systemUTC());
        store.createSchema(dialect());
        String id = UUID.randomUUID().toString();
        store.insert(new NewTask(id, "test.steps", 1, "clerk", null, script("chunks=2")));
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        type.prepareFailuresLeft.set(2);

        TaskEngine engine = start(FAST_RETRIES, type);

        assertThat(awaitFinal(engine, id).state()).as("not the task's fault: it waited, and ran").isEqualTo(TaskState.SUCCEEDED);
        assertThat(type.prepareCalls).hasValue(3);
        assertThat(type.runs).extracting(ScriptedTaskType.Run::chunk).containsExactly(0, 1);
    }

    /** Not "try again" for ever: a bug in prepare is the plugin's, refused as a server error, and fails a resumed task. */
    @Test
    void aPreparationThatFailsForABugRefusesSubmissionsAndFailsResumedTasks() throws Exception {
        TaskStore store = new TaskStore(database, Clock.systemUTC());
        store.createSchema(dialect());
        String resumed = UUID.randomUUID().toString();
        store.insert(new NewTask(resumed, "test.steps", 1, "clerk", null, script("chunks=1")));
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        type.prepareBug = new IllegalStateException("the DDL has a typo");

        TaskEngine engine = start(FAST_RETRIES, type);

        TaskRecord failed = awaitFinal(engine, resumed);
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.errorStack()).contains("the DDL has a typo");
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=1")))
                .isInstanceOfSatisfying(TaskTypeNotReadyException.class, refused -> assertThat(refused.passing()).isFalse());
        assertThat(type.runs).isEmpty();
    }

    @Test
    void tasksStoredBeforeACrashRunWhenTheEngineStartsAgain() {
        TaskStore store = new TaskStore(database, Clock.systemUTC());
        store.createSchema(dialect());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = UUID.randomUUID().toString();
            store.insert(new NewTask(id, "test.steps", 1, "clerk", null, script("chunks=2")));
            ids.add(id);
        }
        store.markStarted(ids.get(0), 0, 2, 0, 0, 0); // one was running when the server died

        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 3));

        ids.forEach(id -> assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED));
        assertThat(engine.store().find(ids.get(0)).orElseThrow().attempts()).isEqualTo(2);
    }

    /**
     * A task that never started and that this engine did not submit (stored before a restart, or
     * waiting longer than its submission was kept) costs what a fresh one does: one read of its
     * row and payload, and its chunk's transaction, which stores its start; no start of its own
     * before it runs, as a task that had started needs (that write finds a run left behind).
     */
    @Test
    void aTaskThatNeverStartedIsReadOnceAfterARestartAndItsChunkStoresItsStart() throws Exception {
        TaskEngine before = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        before.pause("test.steps", "supervisor");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(before.submit("test.steps", "clerk", null, script("chunks=1")).task().id());
        }
        before.close();

        FaultyDataSource counted = new FaultyDataSource(database);
        TaskEngine after = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(new ScriptedTaskType("test.steps", 2))),
                counted, null, getClass().getClassLoader(), Clock.systemUTC(), null, TaskMetrics.NONE);
        engines.add(after);
        after.resume("test.steps", "admin");
        TaskStore uncounted = new TaskStore(database, Clock.systemUTC()); // the test's own reads
        for (String id : ids) {
            await().atMost(WAIT).until(() -> uncounted.find(id).orElseThrow().state().isFinal());
            TaskRecord task = uncounted.find(id).orElseThrow();
            assertThat(task.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(task.attempts()).as("one start, stored by its chunk").isEqualTo(1);
            assertThat(task.startedAt()).isNotNull();
        }
        List<String> readsOfOneTask = counted.prepared.stream().filter(sql -> sql.contains("FROM tb_task WHERE id = ?")).toList();
        assertThat(readsOfOneTask).as("one read per task: its row with its payload").hasSize(ids.size());
        assertThat(counted.prepared).as("no start written before a run, guarded by the chunks it has done")
                .noneMatch(sql -> sql.contains("chunks_done <= ?"));
    }

    @Test
    void afterARestartSlotsResumeFromTheirJournalWithoutRerunningCommittedChunks() throws Exception {
        ScriptedTaskType before = new ScriptedTaskType("test.steps", 2);
        TaskEngine first = start(FAST_RETRIES, before);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(first.submit("test.steps", "clerk", null, script("chunks=10,sleepMillis=40")).task().id());
        }
        await().atMost(WAIT).until(() -> before.runs.size() >= 12);
        first.close();
        int runsBefore = before.runs.size();

        ScriptedTaskType after = new ScriptedTaskType("test.steps", 2);
        TaskEngine second = start(FAST_RETRIES, after);

        ids.forEach(id -> assertThat(awaitFinal(second, id).state()).isEqualTo(TaskState.SUCCEEDED));
        // Each chunk ran once, except at most the one per slot that was running when the engine stopped.
        assertThat(runsBefore + after.runs.size()).isBetween(60, 62);
        for (String id : ids) {
            assertThat(second.store().find(id).orElseThrow().result())
                    .isEqualTo("{\"chunks\":\"0 1 2 3 4 5 6 7 8 9\"}");
        }
    }

    /**
     * The plugin's code runs in its task's logging context (TaskLog), wherever the engine calls
     * it: a fresh task is prepared on its slot's thread while the slot handles the message of the
     * task before it, and must not log under that task's id.
     */
    @Test
    void thePluginsCodeRunsInItsOwnTasksLoggingContext() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        Map<String, String> idByName = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            idByName.put("t" + i, engine.submit("test.steps", "clerk", null, script("chunks=2,name=t" + i)).task().id());
        }
        for (String id : idByName.values()) {
            assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        }

        assertThat(type.logContexts).hasSize(20 * 3);
        assertThat(type.logContexts).allSatisfy(call -> assertThat(call.getValue())
                .as("the task id in the logging context of a call for %s", call.getKey())
                .isEqualTo(idByName.getOrDefault(call.getKey(), call.getKey())));
    }

    @Test
    void aWaitingTaskThatIsCancelledNeverRuns() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        String first = engine.submit("test.steps", "clerk", null, script("chunks=5,sleepMillis=100")).task().id();
        String second = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();

        TaskRecord cancelled = engine.cancel(second, "clerk");

        assertThat(cancelled.state()).isEqualTo(TaskState.CANCELLED);
        assertThat(awaitFinal(engine, first).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(type.runs).extracting(ScriptedTaskType.Run::taskId).doesNotContain(second);
        assertThat(engine.queueOf(engine.slotFor("test.steps", first)).waiting()).isEmpty();
    }

    @Test
    void aRunningTaskThatIsCancelledStopsAfterItsChunkAndTheSlotMovesOn() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        String longOne = engine.submit("test.steps", "clerk", null, script("chunks=50,sleepMillis=30")).task().id();
        String next = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        await().atMost(WAIT).until(() -> type.runs.size() >= 3);

        engine.cancel(longOne, "clerk");
        long runsAtCancel = type.runs.stream().filter(run -> run.taskId().equals(longOne)).count();

        assertThat(awaitFinal(engine, next).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(engine.store().find(longOne).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(type.runs.stream().filter(run -> run.taskId().equals(longOne)).count()).isLessThanOrEqualTo(runsAtCancel + 1);
    }

    @Test
    void aRunningTaskCancelledAndRetriedWhileItsChunkRunsResumesAndItsSlotServesTheTasksAfterIt() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES, type);
        String longOne = engine.submit("test.steps", "supervisor", null, script("chunks=20,sleepMillis=50")).task().id();
        await().atMost(WAIT).until(() -> type.runs.size() >= 2);

        // the operator's routine sequence: cancel, then retry at once, while a chunk of it is in flight
        engine.cancel(longOne, "supervisor");
        engine.retry(longOne, "supervisor");
        String after = engine.submit("test.steps", "supervisor", null, script("chunks=1")).task().id();

        TaskRecord retried = awaitFinal(engine, longOne);
        assertThat(retried.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(retried.result()).isEqualTo("{\"chunks\":\"" + java.util.stream.IntStream.range(0, 20)
                .mapToObj(Integer::toString).collect(Collectors.joining(" ")) + "\"}");
        assertThat(awaitFinal(engine, after).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(engine.liveSlotActors()).containsEntry("test.steps", 1);
        assertThat(type.maxRunning.get()).as("never two chunks at once in one slot").isEqualTo(1);
        assertThat(engine.queueOf(engine.slotFor("test.steps", longOne)).waiting()).isEmpty();
    }

    /**
     * Found by {@link EngineModelTest}: a journal write that fails shortly after a snapshot restarts
     * the slot while the snapshot's event deletion is still being answered. Pekko stashes that late
     * answer during recovery, and handling it later takes nothing more from the stash: the
     * hand-over and the slot's own step result behind it waited for another command to reach the
     * slot, and without one the second task stayed QUEUED for good ({@link SlotWakeUps}).
     */
    @Test
    void aTaskHandedOverWhileAFailedJournalWriteRestartsItsSlotRunsWithoutWaitingForAnotherCommand() throws Exception {
        createGatedEffectsTable();
        FaultyDataSource faulty = new FaultyDataSource(database);
        LocalChunkTransactions transactions = new LocalChunkTransactions(faulty);
        GatedTaskType type = new GatedTaskType(1, database, transactions.dataSource());
        // a snapshot after every event, and a hand-over the failing write swallowed repeated after a second
        EngineSettings snapshotEveryEvent = new EngineSettings(FAST_RETRIES.systemName(), Map.of(),
                FAST_RETRIES.dispatcherThreads(), FAST_RETRIES.blockingThreads(), FAST_RETRIES.retry(), 1,
                Duration.ofSeconds(1), FAST_RETRIES.shutdownTimeout(), FAST_RETRIES.journalThreads(),
                FAST_RETRIES.nodeName(), FAST_RETRIES.slowChunk(), FAST_RETRIES.stalledAfter(), Map.of(),
                FAST_RETRIES.slotCapacity(), FAST_RETRIES.retention(), FAST_RETRIES.failedRetention(),
                FAST_RETRIES.chunkGroups(), FAST_RETRIES.profile());
        TaskEngine engine = TaskEngine.start(snapshotEveryEvent, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), transactions, TaskMetrics.NONE);
        engines.add(engine);
        type.open();
        for (int i = 0; i < 4; i++) { // enough events that each snapshot deletes older ones
            awaitFinal(engine, engine.submit(GatedTaskType.ID, "clerk", null, GatedTaskType.payload(1)).task().id());
        }
        // the race is in the journal's answers, so the sequence runs three times: before the fix, each one
        // left the second task QUEUED about two times in three
        for (int round = 0; round < 3; round++) {
            Thread.sleep(100);
            type.close();
            String first = engine.submit(GatedTaskType.ID, "clerk", null, GatedTaskType.payload(1)).task().id();
            GatedTaskType.Arrival chunk = type.take(0, WAIT);
            faulty.failJournalInserts(1); // the end of the first task's run: its write fails and the slot restarts
            chunk.release().complete(GatedTaskType.Outcome.SUCCEEDS);
            Thread.sleep(3);
            String second = engine.submit(GatedTaskType.ID, "clerk", null, GatedTaskType.payload(1)).task().id();
            type.open();

            // nothing else is sent to the slot meanwhile: reading the store asks it nothing
            await().atMost(Duration.ofSeconds(6)).until(() -> engine.store().find(second).orElseThrow().state().isFinal());
            assertThat(engine.store().find(second).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(engine.store().find(first).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    /**
     * Found by {@link EngineModelTest}: a chunk that a stopped engine left running (or a slot, before
     * its restart) commits after the next run has read the task's committed chunks and before it
     * marks the task started. The start then did not match (its progress was behind the row's), was
     * taken for a cancel or a retry, and the slot dropped the task: it stayed RUNNING until the
     * engine started again.
     */
    @Test
    void aChunkLeftRunningByAStoppedEngineThatCommitsWhileTheNextEngineResumesItsTaskDoesNotLoseTheTask() throws Exception {
        createGatedEffectsTable();
        FaultyDataSource faulty = new FaultyDataSource(database);
        // one for both engines: the plugin writes through its data source whichever engine runs the chunk
        LocalChunkTransactions transactions = new LocalChunkTransactions(faulty);
        GatedTaskType type = new GatedTaskType(1, database, transactions.dataSource());
        TaskEngine before = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), transactions, TaskMetrics.NONE);
        engines.add(before);
        String id = before.submit(GatedTaskType.ID, "clerk", null, GatedTaskType.payload(3)).task().id();
        GatedTaskType.Arrival leftRunning = type.take(0, WAIT);
        before.close(Duration.ZERO); // its drain runs out: the chunk outlives the engine, as after a crash

        // the next engine has read the task's chunks; before it marks the task started, the chunk left running commits
        faulty.beforeStatement("items_failed = ?, attempts = attempts + 1", () -> {
            leftRunning.release().complete(GatedTaskType.Outcome.SUCCEEDS);
            await().atMost(WAIT).until(() -> new TaskStore(database, Clock.systemUTC()).committedChunks(id).size() == 1);
        });
        type.open();
        TaskEngine after = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), transactions, TaskMetrics.NONE);
        engines.add(after);

        await().atMost(Duration.ofSeconds(10)).until(() -> after.store().find(id).orElseThrow().state().isFinal());
        TaskRecord done = after.store().find(id).orElseThrow();
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("{\"chunks\":\"0 1 2\"}");
        assertThat(rowsOf("mt_effect", id)).as("each chunk's effect once").isEqualTo(3);
    }

    /**
     * A chunk's transaction that the database applied but whose answer was lost (the connection
     * dropped at COMMIT): the slot cannot tell, and tries the chunk again. Before, that try found
     * the run over and was dropped as if another run had ended it: the task SUCCEEDED in the store
     * with no success counted and no SUCCEEDED event, and its last chunk's work ran a second time.
     * The try finds its own run's end instead, and reports it once.
     */
    @Test
    void aLastChunkWhoseCommitAppliedButWasNotAnsweredReportsTheTasksSuccessOnce() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(database);
        CountingMetrics metrics = new CountingMetrics();
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), null, metrics);
        engines.add(engine);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            faulty.commitsApplyThenFail("status = CASE WHEN", 1, Duration.ZERO); // its one chunk is its last
            String id = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();

            assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
            await().atMost(WAIT).until(() -> metrics.count("succeeded:test.steps") == 1);
            String last = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
            awaitFinal(engine, last); // the slot has moved on: whatever the lost commit's task reports has come
            assertThat(faulty.raised).as("the scripted commit").hasValue(1);
            assertThat(metrics.count("succeeded:test.steps")).isEqualTo(2);
            assertThat(changes).filteredOn(change -> change.taskId().equals(id)).extracting(TaskChange::kind)
                    .containsExactly(TaskEventKind.SUBMITTED, TaskEventKind.STARTED, TaskEventKind.CHUNK_COMMITTED,
                            TaskEventKind.SUCCEEDED);
            assertThat(type.runs).filteredOn(run -> run.taskId().equals(id)).extracting(ScriptedTaskType.Run::chunk)
                    .as("the chunk that committed is not worked again").containsExactly(0);
        }
    }

    /**
     * As above, for chunks of many tasks that share a transaction (group commit): when its commit
     * applied but was not answered, each chunk runs again on its own, finds its own record, and
     * is reported once; no chunk's work runs twice.
     */
    @Test
    void chunksOfAGroupWhoseCommitAppliedButWasNotAnsweredAreEachReportedOnce() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(database);
        CountingMetrics metrics = new CountingMetrics();
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 4);
        TaskEngine engine = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), new LocalChunkTransactions(faulty), metrics);
        engines.add(engine);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            faulty.commitsApplyThenFail("status = CASE WHEN", 3, Duration.ZERO);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ids.add(engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id());
            }

            ids.forEach(id -> assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED));
            await().atMost(WAIT).until(() -> metrics.count("succeeded:test.steps") >= ids.size());
            assertThat(faulty.raised).as("the scripted commits").hasValue(3);
            assertThat(metrics.count("succeeded:test.steps")).isEqualTo(ids.size());
            assertThat(metrics.count("chunk:test.steps")).isEqualTo(ids.size());
            assertThat(changes).filteredOn(change -> change.kind() == TaskEventKind.SUCCEEDED)
                    .extracting(TaskChange::taskId).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(type.runs).as("each task's chunk worked once: a work that rolled back would show too")
                    .extracting(ScriptedTaskType.Run::taskId).containsExactlyInAnyOrderElementsOf(ids);
        }
    }

    /**
     * A cold review's finding: the answer can be lost while the commit is still under way (a slow
     * fsync, a wait for a standby), so the next try does not see it yet, works the chunk again and
     * finds the run over (a last chunk) or the marker taken (a chunk before it). The success, and
     * the earlier chunk's progress, are still reported once.
     */
    @Test
    void chunksWhoseCommitsApplyOnlyAfterTheNextTryLookedAreStillReportedOnce() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(database);
        CountingMetrics metrics = new CountingMetrics();
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), null, metrics);
        engines.add(engine);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            faulty.commitsApplyLateThenFail("status = CASE WHEN", 1, Duration.ofMillis(300)); // its one chunk is its last
            String last = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
            assertThat(awaitFinal(engine, last).state()).isEqualTo(TaskState.SUCCEEDED);
            await().atMost(WAIT).until(() -> metrics.count("succeeded:test.steps") == 1);

            faulty.commitsApplyLateThenFail("INSERT INTO tb_chunk_marker", 1, Duration.ofMillis(300));
            String earlier = engine.submit("test.steps", "clerk", null, script("chunks=3")).task().id();
            assertThat(awaitFinal(engine, earlier).state()).isEqualTo(TaskState.SUCCEEDED);
            await().atMost(WAIT).until(() -> metrics.count("succeeded:test.steps") == 2);

            String next = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
            awaitFinal(engine, next); // the slot has moved on: whatever the late commits' tasks report has come
            assertThat(faulty.raised).as("the scripted commits").hasValue(2);
            assertThat(metrics.count("succeeded:test.steps")).isEqualTo(3);
            assertThat(changes).filteredOn(change -> change.taskId().equals(last)).extracting(TaskChange::kind)
                    .containsOnlyOnce(TaskEventKind.SUCCEEDED);
            assertThat(changes).filteredOn(change -> change.taskId().equals(earlier))
                    .filteredOn(change -> change.kind() == TaskEventKind.CHUNK_COMMITTED)
                    .extracting(TaskChange::chunksDone).containsExactly(1, 2, 3);
        }
    }

    /** As above, for a chunk before the last: its progress is reported once, and it is not worked again. */
    @Test
    void aChunkWhoseCommitAppliedButWasNotAnsweredIsReportedOnceAndNotWorkedAgain() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(database);
        CountingMetrics metrics = new CountingMetrics();
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), null, metrics);
        engines.add(engine);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            faulty.commitsApplyThenFail("INSERT INTO tb_chunk_marker", 1, Duration.ZERO);
            String id = engine.submit("test.steps", "clerk", null, script("chunks=3")).task().id();

            TaskRecord done = awaitFinal(engine, id);
            assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
            assertThat(done.result()).isEqualTo("{\"chunks\":\"0 1 2\"}");
            await().atMost(WAIT).until(() -> metrics.count("succeeded:test.steps") == 1);
            assertThat(faulty.raised).as("the scripted commit").hasValue(1);
            assertThat(metrics.count("chunk:test.steps")).as("one per chunk").isEqualTo(3);
            assertThat(changes).filteredOn(change -> change.taskId().equals(id))
                    .filteredOn(change -> change.kind() == TaskEventKind.CHUNK_COMMITTED)
                    .extracting(TaskChange::chunksDone).containsExactly(1, 2, 3);
            assertThat(type.runs).filteredOn(run -> run.taskId().equals(id)).extracting(ScriptedTaskType.Run::chunk)
                    .containsExactly(0, 1, 2);
        }
    }

    /**
     * A last chunk whose commit applied but was not answered, and the database then away for
     * longer than the chunk's tries: the slot gives up on the chunk and stores the task's failure,
     * which finds the task over. It is over because this run ended it: its success is reported,
     * not dropped as a cancel's.
     */
    @Test
    void aLastChunkWhoseUnansweredCommitAppliedIsReportedAsSucceededEvenWhenItsTriesRunOut() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(database);
        CountingMetrics metrics = new CountingMetrics();
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), null, metrics);
        engines.add(engine);
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            faulty.commitsApplyThenFail("status = CASE WHEN", 1, Duration.ofMillis(800));
            String id = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();

            await().atMost(WAIT).until(() -> metrics.count("succeeded:test.steps") == 1);
            assertThat(engine.store().find(id).orElseThrow().state()).isEqualTo(TaskState.SUCCEEDED);
            String next = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
            awaitFinal(engine, next);
            assertThat(metrics.count("succeeded:test.steps")).isEqualTo(2);
            assertThat(metrics.count("failed:test.steps")).isZero();
            assertThat(changes).filteredOn(change -> change.taskId().equals(id)).extracting(TaskChange::kind)
                    .endsWith(TaskEventKind.SUCCEEDED).doesNotContain(TaskEventKind.FAILED);
            assertThat(changes).filteredOn(change -> change.taskId().equals(id))
                    .filteredOn(change -> change.kind() == TaskEventKind.SUCCEEDED).singleElement()
                    .satisfies(succeeded -> assertThat(succeeded.chunksDone()).isEqualTo(1))
                    .satisfies(succeeded -> assertThat(succeeded.itemsDone()).isEqualTo(10));
        }
    }

    /**
     * A retry whose requeue committed but whose read afterwards failed (the database went away
     * in between) answers with an error, and the task runs all the same: EngineModelTest found it
     * QUEUED for good.
     */
    @Test
    void aRetryThatCommittedRunsItsTaskEvenIfReadingItAfterwardsFails() throws Exception {
        FaultyDataSource faulty = new FaultyDataSource(database);
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = TaskEngine.start(FAST_RETRIES, TaskTypeRegistry.of(List.of(type)), faulty, null,
                getClass().getClassLoader(), Clock.systemUTC(), null, TaskMetrics.NONE);
        engines.add(engine);
        String id = engine.submit("test.steps", "clerk", null, script("chunks=1,failOnceAtChunk=0")).task().id();
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.FAILED);

        faulty.beforeStatement("run_generation = run_generation + 1", () -> faulty.beforeStatement(
                "FROM tb_task WHERE id = ?", () -> {
                    throw new IllegalStateException("the database is away (scripted)");
                }));

        assertThatThrownBy(() -> engine.retry(id, "supervisor")).hasMessageContaining("the database is away");
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aLateFailureWriteOfAnEarlierRunCannotUndoARetry() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        TaskStore store = engine.store();
        String id = store.insert(new NewTask(UUID.randomUUID().toString(), "test.other", 1, "clerk", null,
                script("chunks=1"))).task().id();
        int firstRun = store.find(id).orElseThrow().runGeneration();
        store.markStarted(id, firstRun, 1, 0, 0, 0);
        store.markCancelled(id, firstRun, "clerk");
        assertThat(store.requeue(id, "supervisor")).isPresent();
        assertThat(store.markCancelled(id, firstRun, "clerk")).as("a cancel of the run that is over").isFalse();

        // the first run's failure, stored late: it belongs to a run that is over
        store.markFailed(id, firstRun, "java.lang.IllegalStateException: late", "stack", "ref-1");
        store.markSucceeded(id, firstRun, "{}");

        TaskRecord task = store.find(id).orElseThrow();
        assertThat(task.state()).isEqualTo(TaskState.QUEUED);
        assertThat(task.runGeneration()).isEqualTo(firstRun + 1);
        assertThat(task.errorMessage()).isNull();
        assertThat(task.result()).isNull();
    }

    @Test
    void journalEventsCarryIdsAndCountsNeverAChunksData() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        // a chunk whose outcome is a 2 MB report, as a big file's error list would be
        String id = engine.submit("test.steps", "clerk", null, script("chunks=2,dataChars=2000000")).task().id();

        TaskRecord done = awaitFinal(engine, id);

        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("{\"chunks\":\"0 1\"}");
        try (java.sql.Connection connection = database.getConnection();
             java.sql.ResultSet row = connection.createStatement().executeQuery(
                     "SELECT MAX(OCTET_LENGTH(\"event_payload\")), COUNT(*) FROM \"event_journal\"")) {
            row.next();
            assertThat(row.getLong(2)).isPositive();
            assertThat(row.getLong(1)).as("largest journal event, bytes").isLessThan(1_000);
        }
    }

    @Test
    void aFinishedTaskCannotBeCancelledAndOnlyFailedOnesCanBeRetried() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        String id = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        awaitFinal(engine, id);

        assertThatThrownBy(() -> engine.cancel(id, "clerk")).isInstanceOf(TaskStateException.class)
                .hasMessage("task " + id + ": it is SUCCEEDED and cannot be cancelled");
        assertThatThrownBy(() -> engine.retry(id, "supervisor")).isInstanceOf(TaskStateException.class)
                .hasMessage("task " + id + ": it is SUCCEEDED; only FAILED or CANCELLED tasks can be retried");
    }

    @Test
    void aRetriedTaskSkipsTheChunksThatCommittedBeforeItFailed() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        TaskEngine engine = start(FAST_RETRIES, type);
        String id = engine.submit("test.steps", "clerk", null, script("chunks=4,failOnceAtChunk=2")).task().id();
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.FAILED);

        TaskRecord queued = engine.retry(id, "supervisor");

        assertThat(queued.state()).isEqualTo(TaskState.QUEUED);
        assertThat(queued.errorMessage()).isNull();
        assertThat(queued.errorReference()).isNull();
        TaskRecord done = awaitFinal(engine, id);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("{\"chunks\":\"0 1 2 3\"}");
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(type.runs).extracting(ScriptedTaskType.Run::chunk).containsExactly(0, 1, 2, 2, 3);
    }

    @Test
    void slotOverridesFromTheHostWinOverThePlugin() {
        TaskEngine engine = start(FAST_RETRIES.withSlotOverrides(Map.of("test.steps", 3)),
                new ScriptedTaskType("test.steps", 10));

        assertThat(engine.slots("test.steps")).isEqualTo(3);
        assertThat(engine.liveSlotActors()).isEqualTo(Map.of("test.steps", 3));
    }

    @Test
    void aStoppedEngineRefusesSubmissions() {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 1));
        engine.close();

        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=1")))
                .isInstanceOf(EngineStoppedException.class)
                .hasMessage("the task engine is stopped");
    }

    @Test
    void aTasksHistoryAndItsLiveChangesTellTheSameStory() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        List<TaskChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = engine.subscribe(changes::add)) {
            String id = engine.submit("test.steps", "clerk", null, script("chunks=3,failOnceAtChunk=2")).task().id();
            awaitFinal(engine, id);
            engine.retry(id, "supervisor");
            awaitFinal(engine, id);

            // A committed chunk is not run again, so it shows once, when it committed; the first run's
            // start and failure moved from the task's row into its history when it was requeued.
            List<TaskEventKind> expected = List.of(TaskEventKind.SUBMITTED, TaskEventKind.STARTED,
                    TaskEventKind.CHUNK_COMMITTED, TaskEventKind.CHUNK_COMMITTED, TaskEventKind.FAILED,
                    TaskEventKind.REQUEUED, TaskEventKind.STARTED, TaskEventKind.CHUNK_COMMITTED, TaskEventKind.SUCCEEDED);
            List<TaskHistoryEntry> history = engine.store().history(id);
            assertThat(history).extracting(TaskHistoryEntry::kind).containsExactlyElementsOf(expected);
            assertThat(history).extracting(TaskHistoryEntry::chunk).containsExactly(null, null, 0, 1, null, null, null, 2, null);
            assertThat(history.get(0).detail()).isEqualTo("by clerk");
            assertThat(history.get(1).detail()).isEqualTo("3 chunks");
            assertThat(history.get(4).detail()).startsWith("java.lang.IllegalStateException: fails once (scripted)")
                    .contains("(log reference TB-");
            assertThat(history.get(5).detail()).isEqualTo("by supervisor");
            assertThat(history.get(7).detail()).isEqualTo("10 done");
            assertThat(history).extracting(TaskHistoryEntry::at).isSorted();

            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(changes).extracting(TaskChange::kind).containsExactlyElementsOf(expected));
            assertThat(changes).allSatisfy(change -> {
                assertThat(change.taskId()).isEqualTo(id);
                assertThat(change.owner()).isEqualTo("clerk");
                assertThat(change.taskType()).isEqualTo("test.steps");
            });
            TaskChange secondChunk = changes.get(3);
            assertThat(secondChunk.chunksDone()).isEqualTo(2);
            assertThat(secondChunk.chunksTotal()).isEqualTo(3);
            assertThat(secondChunk.itemsDone()).isEqualTo(20);
            TaskChange restarted = changes.get(6);
            assertThat(restarted.chunksDone()).as("the retry starts with the chunks committed before").isEqualTo(2);
            assertThat(restarted.itemsDone()).isEqualTo(20);
            assertThat(changes.get(8).state()).isEqualTo(TaskState.SUCCEEDED);
        }
    }

    @Test
    void aTasksLastChunkCommitsAsItsSuccessWithNoMarkerAndItsHistoryStillShowsIt() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        String three = engine.submit("test.steps", "clerk", null, script("chunks=3")).task().id();
        String one = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();

        assertThat(awaitFinal(engine, three).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(awaitFinal(engine, one).state()).isEqualTo(TaskState.SUCCEEDED);

        assertThat(rowsOf("tb_chunk_marker", three)).as("markers of the chunks a later run could carry on after").isEqualTo(2);
        assertThat(rowsOf("tb_chunk_marker", one)).as("a one-chunk task writes no marker: one insert fewer").isZero();
        List<TaskHistoryEntry> history = engine.store().history(three);
        assertThat(history).filteredOn(entry -> entry.kind() == TaskEventKind.CHUNK_COMMITTED)
                .extracting(TaskHistoryEntry::chunk, TaskHistoryEntry::detail)
                .containsExactly(tuple(0, "10 done"), tuple(1, "10 done"),
                        tuple(2, "10 done"));
        TaskRecord done = engine.store().find(one).orElseThrow();
        assertThat(engine.store().history(one)).extracting(TaskHistoryEntry::kind, TaskHistoryEntry::chunk, TaskHistoryEntry::at)
                .containsExactly(tuple(TaskEventKind.SUBMITTED, null, done.submittedAt()),
                        tuple(TaskEventKind.STARTED, null, done.startedAt()),
                        tuple(TaskEventKind.CHUNK_COMMITTED, 0, done.endedAt()),
                        tuple(TaskEventKind.SUCCEEDED, null, done.endedAt()));
    }

    @Test
    void optionDefaultsLieUnderASubmissionsOwnOptionsAndAreStoredWithTheTask() throws Exception {
        TaskEngine engine = start(FAST_RETRIES.withOptionDefaults(Map.of("test.steps", Map.of("size", "500", "mode", "strict"))),
                new ScriptedTaskType("test.steps", 2));

        String id = engine.submit("test.steps", "clerk", null,
                script("chunks=1").withOptions(Map.of("size", "1000", "note", "a=b&c"))).task().id();

        assertThat(engine.store().payload(id).orElseThrow().options())
                .containsExactly(Map.entry("mode", "strict"), Map.entry("note", "a=b&c"), Map.entry("size", "1000"));
        assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aListenerThatFailsKeepsNeitherTheTaskNorTheOtherListenersFromTheirWork() throws Exception {
        TaskEngine engine = start(FAST_RETRIES, new ScriptedTaskType("test.steps", 2));
        List<TaskChange> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable broken = engine.subscribe(change -> {
            throw new IllegalStateException("listener bug");
        }); AutoCloseable working = engine.subscribe(seen::add)) {
            String id = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();

            assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
            await().atMost(WAIT).until(() -> seen.size() == 4);
        }
    }

    @Test
    void aSubmissionToAFullSlotIsRefusedAsBusyWithNothingStoredAndTakenAgainOnceTheSlotHasRoom() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 1);
        TaskEngine engine = start(FAST_RETRIES.withSlotCapacity(3), type);
        List<String> held = new ArrayList<>();
        held.add(engine.submit("test.steps", "clerk", "long", script("chunks=20,sleepMillis=50")).task().id());
        held.add(engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id());
        held.add(engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id());
        await().atMost(WAIT).until(() -> engine.queueDepth(engine.slotFor("test.steps", held.get(0))) == 3);
        long stored = engine.store().countByState().values().stream().mapToLong(Long::longValue).sum();

        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=1")))
                .isInstanceOfSatisfying(SlotFullException.class, busy -> {
                    assertThat(busy.taskType()).isEqualTo("test.steps");
                    assertThat(busy.retryAfter()).isPositive();
                    assertThat(busy.getMessage()).contains("test.steps", "busy", "3");
                });
        assertThat(engine.store().countByState().values().stream().mapToLong(Long::longValue).sum())
                .as("nothing stored for the refused submission").isEqualTo(stored);
        // a repeat of a stored submission asks for no room and gets its task, as always
        Stored repeat = engine.submit("test.steps", "clerk", "long", script("chunks=20,sleepMillis=50"));
        assertThat(repeat.created()).isFalse();
        assertThat(repeat.task().id()).isEqualTo(held.get(0));

        for (String id : held) {
            assertThat(awaitFinal(engine, id).state()).isEqualTo(TaskState.SUCCEEDED);
        }
        await().atMost(WAIT).until(() -> engine.queueDepth(engine.slotFor("test.steps", held.get(0))) == 0);
        String later = engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id();
        assertThat(awaitFinal(engine, later).state()).isEqualTo(TaskState.SUCCEEDED);
    }

    @Test
    void aTaskTypeIsBusyOnlyWhenEverySlotIsFullNotWhenTheSlotAnIdWouldDrawIs() throws Exception {
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        TaskEngine engine = start(FAST_RETRIES.withSlotCapacity(2), type);
        java.util.Map<dev.taskbridge.engine.routing.SlotId, Integer> perSlot = new java.util.HashMap<>();
        List<String> ids = new ArrayList<>();
        // fill one slot, whichever the ids land in first; the other has room
        while (perSlot.values().stream().noneMatch(count -> count == 2)) {
            String id = engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=6000")).task().id();
            ids.add(id);
            perSlot.merge(engine.slotFor("test.steps", id), 1, Integer::sum);
        }
        dev.taskbridge.engine.routing.SlotId full = perSlot.entrySet().stream().filter(e -> e.getValue() == 2)
                .findFirst().orElseThrow().getKey();
        await().atMost(WAIT).until(() -> engine.queueDepth(full) == 2);

        // every submission lands in the slot with room until it is full too
        while (perSlot.values().stream().mapToInt(Integer::intValue).sum() < 4) {
            String id = engine.submit("test.steps", "clerk", null, script("chunks=1,sleepMillis=6000")).task().id();
            ids.add(id);
            assertThat(engine.slotFor("test.steps", id)).as("not the full slot").isNotEqualTo(full);
            perSlot.merge(engine.slotFor("test.steps", id), 1, Integer::sum);
        }
        await().atMost(WAIT).until(() -> engine.queueDepth(new dev.taskbridge.engine.routing.SlotId("test.steps", 0))
                + engine.queueDepth(new dev.taskbridge.engine.routing.SlotId("test.steps", 1)) == 4);
        assertThatThrownBy(() -> engine.submit("test.steps", "clerk", null, script("chunks=1")))
                .isInstanceOf(SlotFullException.class).hasMessageContaining("each of its 2 slot(s)");
        for (String id : ids) {
            engine.cancel(id, "clerk");
        }
    }

    @Test
    void finishedTasksOlderThanTheCutoffArePurgedInBatchesWithTheirHistoryAndMarkersAndNothingElseIs() throws Exception {
        TaskEngine engine = start(FAST_RETRIES.withRetention(Duration.ZERO), new ScriptedTaskType("test.steps", 2),
                new ScriptedTaskType("test.long", 1), new ScriptedTaskType("test.cancelled", 1));
        List<String> old = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            old.add(engine.submit("test.steps", "clerk", null, script("chunks=2")).task().id());
        }
        String failed = engine.submit("test.steps", "clerk", null, script("chunks=2,failAtChunk=1")).task().id();
        old.add(failed);
        // of a type of its own: test.steps' chunks are short, so they share transactions (ChunkGroups), and a
        // 60 s chunk that started before its cancel held up the chunks grouped with it (seen once in CI)
        String cancelled = engine.submit("test.cancelled", "clerk", null, script("chunks=1,sleepMillis=60000")).task().id();
        engine.cancel(cancelled, "supervisor");
        old.add(cancelled);
        for (String id : old) {
            awaitFinal(engine, id);
        }
        assertThat(rowsOf("tb_task_event", cancelled)).as("an operator's cancel is a stored history row").isPositive();
        String unfinished = engine.submit("test.long", "clerk", null, script("chunks=40,sleepMillis=100")).task().id();
        Thread.sleep(50);
        java.time.Instant cutoff = Clock.systemUTC().instant();
        Thread.sleep(50);
        String recent = engine.submit("test.steps", "clerk", null, script("chunks=2")).task().id();
        awaitFinal(engine, recent);
        String recentlyCancelled = engine.submit("test.cancelled", "clerk", null, script("chunks=1,sleepMillis=60000")).task().id();
        engine.cancel(recentlyCancelled, "supervisor");
        assertThat(engine.store().find(unfinished).orElseThrow().state().isFinal()).isFalse();

        dev.taskbridge.engine.store.FinishedTaskPurge purge = new dev.taskbridge.engine.store.FinishedTaskPurge(database);
        List<Integer> batches = new ArrayList<>();
        int batch;
        do {
            batch = purge.purgeBatch(cutoff, null, 3);
            batches.add(batch);
        } while (batch == 3);
        assertThat(batches).as("six succeeded or cancelled, in batches of three").containsExactly(3, 3, 0);
        assertThat(engine.store().find(failed)).as("without a cutoff of their own, failed tasks wait for an operator")
                .isPresent();
        assertThat(purge.purgeBatch(cutoff, cutoff, 3)).as("with one, they go too").isEqualTo(1);

        for (String id : old) {
            assertThat(engine.store().find(id)).as("purged " + id).isEmpty();
            assertThat(engine.store().committedChunks(id)).isEmpty();
            assertThat(rowsOf("tb_task_event", id)).as("history rows of " + id).isZero();
        }
        assertThat(rowsOf("tb_task_event", cancelled)).as("the cancel's history row went with its task").isZero();
        assertThat(rowsOf("tb_task_event", recentlyCancelled)).as("a history row of a task that ended after the cutoff stays")
                .isPositive();
        assertThat(engine.store().find(recent)).as("finished after the cutoff").isPresent();
        assertThat(engine.store().history(recent)).isNotEmpty();
        assertThat(engine.store().committedChunks(recent)).as("its first chunk's marker (the last has none)").hasSize(1);
        assertThat(awaitFinal(engine, unfinished).state()).as("an unfinished task is never purged").isEqualTo(TaskState.SUCCEEDED);
        assertThat(engine.store().committedChunks(unfinished)).hasSize(39);
        assertThatThrownBy(() -> engine.retry(failed, "supervisor"))
                .isInstanceOf(TaskStateException.class).hasMessageContaining("no such task");
        engine.close(Duration.ZERO); // a cancelled task's minute-long chunk may still run: no need to drain it
    }

    private long rowsOf(String table, String taskId) throws Exception {
        try (java.sql.Connection connection = database.getConnection();
             java.sql.PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE task_id = ?")) {
            count.setString(1, taskId);
            try (java.sql.ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    @Test
    void theRetentionSweepPurgesWhatEndedLongerAgoThanTheRetentionAndCountsIt() throws Exception {
        CountingMetrics metrics = new CountingMetrics();
        ScriptedTaskType type = new ScriptedTaskType("test.steps", 2);
        TaskEngine engine = start(FAST_RETRIES.withRetention(Duration.ZERO), metrics, type);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(engine.submit("test.steps", "clerk", null, script("chunks=1")).task().id());
        }
        for (String id : ids) {
            awaitFinal(engine, id);
        }
        // a clock a day ahead makes every task finished a day ago: older than a retention of 12 hours
        Clock dayLater = Clock.offset(Clock.systemUTC(), Duration.ofDays(1));
        org.apache.pekko.actor.typed.ActorSystem<Void> timers = org.apache.pekko.actor.typed.ActorSystem.create(
                org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "sweeps");
        try {
            new RetentionSweeps(new dev.taskbridge.engine.store.FinishedTaskPurge(database), Duration.ofHours(12), Duration.ZERO, 2,
                    dayLater, timers.scheduler(), timers.executionContext(), Runnable::run, () -> true, metrics)
                    .start(Duration.ZERO);
            await().atMost(WAIT).until(() -> metrics.count("purged") == 7);
        } finally {
            timers.terminate();
        }
        for (String id : ids) {
            assertThat(engine.store().find(id)).isEmpty();
        }
    }
}

package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.taskbridge.engine.GatedTaskType.Arrival;
import dev.taskbridge.engine.GatedTaskType.Outcome;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.slot.Slot;
import dev.taskbridge.engine.store.Stored;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.plugin.Profile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.h2.jdbcx.JdbcDataSource;

/**
 * A model-based test of the whole engine: random sequences of submissions, repeated submissions
 * with the same idempotency key, cancels, retries, rollbacks (design note 030), chunks and undos that
 * succeed or fail (for good, or for a reason that may pass), outages of the database, failed journal writes, chunk commits
 * that apply but whose answer is lost, slots that fail and
 * engines that are stopped and started again on the same database, as a redeploy does, each one
 * drawing whether it rolls failed tasks back by itself (note 030's failure policy). Everything
 * is real: the engine, its task store on H2, Pekko's JDBC journal on the same database, its slots
 * and their routing. Only the plugin is the test's ({@link GatedTaskType}: each chunk waits until
 * a step says how it ends), and the database is reached through {@link FaultyDataSource}, which
 * fails on command. Chunks commit in one transaction with their effect markers
 * ({@link LocalChunkTransactions}), as the EJB bridge commits them.
 *
 * <p>After every step the store is checked against a small model of what the test did: every
 * accepted task is stored, in the run generation its retries give it; a cancelled task stays
 * cancelled and a finished one finished until it is retried; progress never goes back within a
 * run; no chunk's effect committed twice, and every effect committed with its marker; a task fails
 * only after one of its chunks was failed in its current run; of two tasks with the same order key
 * and priority, stored one after the other and never retried, the later starts only once the
 * earlier has ended (design note 032); a rollback is stored only for a task that ended having
 * committed a chunk, once, linked from it, with its priority and order key (and one no one asked
 * for only by the failure policy, for a task that failed); it undoes only chunks
 * its task committed, each at most once whatever ran it, and its task is never retried after it;
 * no slot actor is gone. At the end of
 * a sequence the faults stop and every chunk may succeed; once every task is final and every slot
 * idle and live: a task cancelled last is CANCELLED, a task (retried or not) none of whose chunks
 * was failed in its current run is SUCCEEDED with every chunk's effect committed exactly once, and
 * a task whose current run was failed is FAILED (or SUCCEEDED, when a fault or restart came
 * between: its chunk then ran again and succeeded); a rollback that succeeded undid every chunk its
 * task committed exactly once.
 *
 * <p>One engine and one H2 database serve every sequence; each sequence empties the task tables
 * behind it. The engine is real and concurrent, so a sequence does not fix the order of every
 * step inside the engine: a failing seed, which jqwik prints, replays the same steps but not
 * always the same interleaving. Each step's outcome is in the failure's message.
 */
class EngineModelTest {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EngineModelTest.class);
    private static final String OWNER = "clerk";
    private static final int SLOTS = 2;
    /** How long a chunk step waits for a chunk to come to the gate. */
    private static final Duration PATIENCE = Duration.ofMillis(100);
    private static final Duration SETTLE = Duration.ofSeconds(20);
    /**
     * Retries fast and often enough that no outage of a sequence uses up a step's tries: a task
     * fails only when a chunk is failed on purpose. Snapshots often, so recoveries read snapshots
     * and journals whose older events were deleted. A hand-over that a failing slot swallowed is
     * repeated after a second.
     */
    private static final EngineSettings SETTINGS = new EngineSettings("engine-model", Map.of(), 2, 6,
            new RetrySettings(50, Duration.ofMillis(2), Duration.ofMillis(20)), 5, Duration.ofSeconds(1),
            Duration.ofSeconds(20), 4, "model", Duration.ofMinutes(5), Duration.ofMinutes(10), Map.of(),
            EngineSettings.DEFAULT_SLOT_CAPACITY, Duration.ZERO, Duration.ZERO, 1, Profile.PROD);
    private static final AtomicInteger SEQUENCES = new AtomicInteger();
    /** Where the time of the run went, by kind of step, in ms: reported at the end. */
    private static final Map<String, Long> TIME_SPENT = new TreeMap<>();
    private static final AtomicInteger ENGINE_RESTARTS = new AtomicInteger();
    /** Rollbacks stored, and chunks they undid by the end of their sequences: that the property reached them. */
    private static final AtomicInteger ROLLBACKS = new AtomicInteger();
    private static final AtomicInteger UNDOS = new AtomicInteger();
    private static final AtomicInteger POLICY_ROLLBACKS = new AtomicInteger();

    private static JdbcDataSource h2;
    private static FaultyDataSource database;
    /** One for every engine of the run, so that the plugin writes through it whichever engine runs its chunk. */
    private static LocalChunkTransactions transactions;
    private static GatedTaskType plugin;
    private static SlotFailures metrics;
    private static TaskEngine engine;
    /** Whether the engine running now rolls failed tasks back by themselves (note 030's failure policy): each restart draws it. */
    private static volatile boolean rollBackOnFailure;

    @BeforeContainer
    static void start() throws Exception {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:engine-model;DB_CLOSE_DELAY=-1");
        try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(GatedTaskType.EFFECTS_TABLE);
            statement.execute(GatedTaskType.UNDOS_TABLE);
        }
        database = new FaultyDataSource(h2);
        transactions = new LocalChunkTransactions(database);
        plugin = new GatedTaskType(SLOTS, h2, transactions.dataSource());
        metrics = new SlotFailures();
        engine = startEngine();
    }

    @AfterContainer
    static void stop() {
        if (metrics != null) {
            System.out.println("EngineModelTest: " + SEQUENCES.get() + " sequences, " + metrics.restarts + " slot failures, "
                    + database.raised + " database faults raised, " + ENGINE_RESTARTS + " engine restarts, " + ROLLBACKS
                    + " rollbacks (" + POLICY_ROLLBACKS + " by the failure policy) undoing " + UNDOS + " chunks; ms spent per kind "
                    + "of step: " + TIME_SPENT);
        }
        if (plugin != null) {
            plugin.open();
        }
        if (engine != null) {
            engine.close();
        }
    }

    /** Starts an engine on the test's database; while the database is away, again once it is back, as a host deploys again. */
    private static TaskEngine startEngine() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            try {
                return TaskEngine.start(SETTINGS.withRollBackOnFailure(rollBackOnFailure ? Set.of(GatedTaskType.ID) : Set.of()),
                        TaskTypeRegistry.of(List.of(plugin)), database, null,
                        EngineModelTest.class.getClassLoader(), Clock.systemUTC(), transactions,
                        metrics);
            } catch (EngineStartException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(Math.max(10, database.outageLeft().toMillis()));
            }
        }
    }

    /**
     * Makes the next message a slot handles fail on the slot's own thread, as a bug there would
     * (the engine's metrics must not throw: that is why a throw here stands for a bug), and counts
     * slots that were started again.
     */
    static final class SlotFailures implements TaskMetrics {

        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger restarts = new AtomicInteger();

        @Override
        public void messageProcessed(String taskType, Duration duration) {
            if (armed.compareAndSet(true, false)) {
                throw new IllegalStateException("a bug on the slot's thread (scripted)");
            }
        }

        @Override
        public void slotRestarted(String taskType) {
            restarts.incrementAndGet();
        }
    }

    // --- the steps ----------------------------------------------------------------------------

    sealed interface Step {
    }

    /** A new task of that many chunks, with an idempotency key of its own, to run at once or after {@code delayMillis}. */
    record Submit(int chunks, int delayMillis) implements Step {
    }

    /** The {@code task}-th task's submission again, with its key: a client repeating an unanswered request. */
    record SubmitAgain(int task) implements Step {
    }

    record Cancel(int task) implements Step {
    }

    record Retry(int task) implements Step {
    }

    /** A supervisor rolls the {@code task}-th task back: refused unless it ended having committed a chunk, and is no rollback. */
    record RollBack(int task) implements Step {
    }

    /** A chunk or an undo waiting at the gate (the {@code pick}-th of those waiting) ends so. */
    record Chunk(Outcome outcome, int pick) implements Step {
    }

    /** The database goes away after {@code afterMillis}, for {@code millis}: store, chunks and journal alike. */
    record Outage(int afterMillis, int millis) implements Step {
    }

    /** The journal's next inserts fail: the slots that write them fail and recover from their journals. */
    record JournalWriteFailures(int count) implements Step {
    }

    /**
     * The next chunk transactions' commits apply, and their answers are lost as when the
     * connection drops at COMMIT: the slot cannot tell, and tries the chunks again.
     */
    record LostCommitAnswers(int count) implements Step {
    }

    /** The next message a slot handles makes it fail: it is started again and recovers from its journal. */
    record SlotFailure() implements Step {
    }

    /**
     * The engine is stopped and a new one started on the same database, as a redeploy does; the
     * chunks the old one left waiting at the gate then end as {@code leftBehind} says. The new one
     * rolls failed tasks back by itself, or not, as {@code rollBackOnFailure} says.
     */
    record RestartEngine(Outcome leftBehind, boolean rollBackOnFailure) implements Step {
    }

    /** An operator pauses the task type: no chunk of it starts until it is resumed, across restarts too. */
    record PauseType() implements Step {
    }

    record ResumeType() implements Step {
    }

    /** The server is suspended (WildFly's {@code :suspend}): no step of a run starts until it resumes; not across restarts. */
    record SuspendEngine() implements Step {
    }

    record ResumeEngine() implements Step {
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<Integer> task = Arbitraries.integers().between(0, 9);
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 3);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(24, Arbitraries.integers().between(1, 3).map(chunks -> new Submit(chunks, 0))),
                Tuple.of(6, Combinators.combine(Arbitraries.integers().between(1, 3), Arbitraries.integers().between(20, 300))
                        .as(Submit::new)),
                Tuple.of(8, task.map(SubmitAgain::new)),
                Tuple.of(12, task.map(Cancel::new)),
                Tuple.of(12, task.map(Retry::new)),
                Tuple.of(20, task.map(RollBack::new)),
                Tuple.of(40, pick.map(p -> new Chunk(Outcome.SUCCEEDS, p))),
                Tuple.of(10, pick.map(p -> new Chunk(Outcome.FAILS, p))),
                Tuple.of(10, pick.map(p -> new Chunk(Outcome.FAILS_TRANSIENTLY, p))),
                Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, 30), Arbitraries.integers().between(5, 150))
                        .as(Outage::new)),
                Tuple.of(3, Arbitraries.integers().between(1, 3).map(JournalWriteFailures::new)),
                Tuple.of(3, Arbitraries.integers().between(1, 2).map(LostCommitAnswers::new)),
                Tuple.of(3, Arbitraries.just(new SlotFailure())),
                Tuple.of(1, Combinators.combine(Arbitraries.of(Outcome.class), Arbitraries.of(true, false)).as(RestartEngine::new)),
                Tuple.of(2, Arbitraries.just(new PauseType())),
                Tuple.of(4, Arbitraries.just(new ResumeType())),
                Tuple.of(1, Arbitraries.just(new SuspendEngine())),
                Tuple.of(2, Arbitraries.just(new ResumeEngine())));
        return step.list().ofMinSize(1).ofMaxSize(14);
    }

    @Property(tries = 1000)
    void noSequenceOfCommandsFaultsAndRestartsLosesATaskRepeatsAnEffectOrKillsASlot(
            @ForAll("sequences") List<Step> steps) throws Exception {
        Model model = new Model(SEQUENCES.incrementAndGet());
        long started = System.nanoTime();
        LOG.debug("sequence {}: {}", model.sequence, steps);
        try {
            for (Step step : steps) {
                long stepStarted = System.nanoTime();
                String outcome = run(step, model);
                TIME_SPENT.merge(step.getClass().getSimpleName(), (System.nanoTime() - stepStarted) / 1_000_000, Long::sum);
                model.log.add((System.nanoTime() - started) / 1_000_000 + " ms " + step + ": " + outcome);
                long checkStarted = System.nanoTime();
                model.check(false);
                TIME_SPENT.merge("check", (System.nanoTime() - checkStarted) / 1_000_000, Long::sum);
            }
            long settleStarted = System.nanoTime();
            settle(model);
            TIME_SPENT.merge("settle", (System.nanoTime() - settleStarted) / 1_000_000, Long::sum);
            model.check(true);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nsteps as run:\n  " + String.join("\n  ", model.log)
                    + "\nmodel: " + model.tasks + "\nstore: " + rows().values() + "\nslots: " + slotsSeen()
                    + "\nslot failures so far: " + metrics.restarts + ", database faults so far: " + database.raised
                    + "\nthreads:\n" + engineThreads(), e);
        } finally {
            database.heal();
            plugin.open();
            try {
                engine.resumeFromSuspend();
                engine.resume(GatedTaskType.ID, "supervisor"); // a sequence that failed paused may not hold up the next
            } catch (RuntimeException e) {
                LOG.warn("could not resume after sequence {}: {}", model.sequence, e.toString()); // not to hide the failure
            }
            awaitAllFinal();
            emptyTables();
            plugin.close();
        }
    }

    private static String run(Step step, Model model) throws Exception {
        if (step instanceof Submit submit) {
            return submit(model.newTask(submit.chunks(), submit.delayMillis()), model);
        } else if (step instanceof SubmitAgain again) {
            ModelTask task = model.pick(again.task(), false);
            return task == null ? "no task yet" : task.rollbackOf != null ? "a rollback is never submitted" : submit(task, model);
        } else if (step instanceof Cancel cancel) {
            ModelTask task = model.pick(cancel.task(), true);
            return task == null ? "no task yet" : cancel(task, model);
        } else if (step instanceof Retry retry) {
            ModelTask task = model.pick(retry.task(), true);
            return task == null ? "no task yet" : retry(task, model);
        } else if (step instanceof RollBack rollBack) {
            ModelTask task = model.pickToRollBack(rollBack.task());
            return task == null ? "no task yet" : rollBack(task, model);
        } else if (step instanceof Chunk chunk) {
            return chunk(chunk, model);
        } else if (step instanceof Outage outage) {
            database.outage(Duration.ofMillis(outage.afterMillis()), Duration.ofMillis(outage.millis()));
            model.outages = true;
            model.disrupted = true;
            return "scheduled";
        } else if (step instanceof JournalWriteFailures failures) {
            database.failJournalInserts(failures.count());
            model.disrupted = true;
            return "armed";
        } else if (step instanceof LostCommitAnswers lost) {
            // the statement that records every chunk's progress (and a last chunk's end) in its transaction
            database.commitsApplyThenFail("status = CASE WHEN", lost.count(), Duration.ZERO);
            return "armed";
        } else if (step instanceof SlotFailure) {
            metrics.armed.set(true);
            model.disrupted = true;
            return "armed";
        } else if (step instanceof RestartEngine restart) {
            List<Arrival> leftBehind = plugin.drain();
            engine.close(Duration.ZERO); // as a stop whose drain ran out, or a crash: its chunks end after the next start
            rollBackOnFailure = restart.rollBackOnFailure();
            model.policy |= rollBackOnFailure;
            engine = startEngine();
            ENGINE_RESTARTS.incrementAndGet();
            model.suspended = false; // the host's state, not stored: a new engine runs
            leftBehind.forEach(arrival -> arrival.release().complete(restart.leftBehind()));
            model.disrupted = true;
            return "restarted; " + leftBehind.size() + " chunk(s) of the old engine " + restart.leftBehind();
        } else if (step instanceof PauseType) {
            try {
                engine.pause(GatedTaskType.ID, "supervisor");
                if (!model.paused) {
                    model.chunkRunsAtPause = plugin.chunkRuns();
                }
                model.paused = true;
                return "paused";
            } catch (RuntimeException e) {
                requireScriptedFault(e, model);
                return "failed: " + e;
            }
        } else if (step instanceof SuspendEngine) {
            engine.suspend(); // not waited for: the steps under way may be chunks the sequence has yet to release
            if (!model.suspended) {
                model.chunkRunsAtSuspend = plugin.chunkRuns();
            }
            model.suspended = true;
            return "suspended";
        } else if (step instanceof ResumeEngine) {
            assertThat(engine.isSuspended()).as("suspended as the model says").isEqualTo(model.suspended);
            engine.resumeFromSuspend();
            model.suspended = false;
            return "resumed from suspend";
        } else if (step instanceof ResumeType) {
            try {
                boolean was = engine.resume(GatedTaskType.ID, "supervisor");
                assertThat(was).as("resumed a type the model has paused").isEqualTo(model.paused);
                model.paused = false;
                return was ? "resumed" : "was not paused";
            } catch (RuntimeException e) {
                requireScriptedFault(e, model);
                return "failed: " + e;
            }
        }
        throw new IllegalArgumentException("unknown step " + step);
    }

    private static String submit(ModelTask task, Model model) throws Exception {
        try {
            Instant runAt = task.delayMillis == 0 ? null : Instant.now().plusMillis(task.delayMillis);
            Stored stored = engine.submit(GatedTaskType.ID, OWNER, task.key, GatedTaskType.payload(task.chunks), runAt,
                    task.priority, task.orderKey);
            assertThat(stored.task().priority()).as("the priority as stored").isEqualTo(task.priority);
            assertThat(stored.task().orderKey()).as("the order key as stored").isEqualTo(task.orderKey);
            if (task.id == null) {
                assertThat(stored.created()).as("a key not seen before stores a new task").isTrue();
                assertThat(stored.task().state()).as("a task to run later waits SCHEDULED")
                        .isEqualTo(runAt == null ? TaskState.QUEUED : TaskState.SCHEDULED);
                task.id = stored.task().id();
                task.storedAs = model.stored++;
                task.runAt = stored.task().runAt();
                return "stored " + task.id + (runAt == null ? "" : " to run at " + task.runAt);
            }
            assertThat(stored.created()).as("a repeated key stores nothing").isFalse();
            assertThat(stored.task().id()).as("a repeated key answers with its task").isEqualTo(task.id);
            return "answered with " + task.id;
        } catch (RuntimeException e) {
            requireScriptedFault(e, model);
            if (task.id == null) {
                assertThat(rowOfKey(task.key)).as("a submission that failed left nothing behind").isNull();
            }
            return "failed: " + e;
        }
    }

    private static String cancel(ModelTask task, Model model) {
        try {
            TaskRecord cancelled = engine.cancel(task.id, "supervisor");
            assertThat(cancelled.state()).isEqualTo(TaskState.CANCELLED);
            task.cancelled = true;
            return "cancelled generation " + task.generation;
        } catch (TaskStateException e) {
            assertThat(rows().get(task.id).state().isFinal()).as("a cancel is refused only for a final task: %s", e).isTrue();
            return "refused: " + e.getMessage();
        } catch (RuntimeException e) {
            requireScriptedFault(e, model);
            TaskRecord row = rows().get(task.id);
            if (row.state() == TaskState.CANCELLED && row.runGeneration() == task.generation) {
                task.cancelled = true; // the cancel committed before the fault
                return "failed after it was stored: " + e;
            }
            return "failed: " + e;
        }
    }

    private static String retry(ModelTask task, Model model) {
        try {
            TaskRecord queued = engine.retry(task.id, "supervisor");
            assertThat(task.rolledBackBy).as("a task rolled back is never retried: %s", task).isNull();
            assertThat(queued.runGeneration()).as("a retry starts the next generation").isEqualTo(task.generation + 1);
            task.retried();
            return "queued as generation " + task.generation;
        } catch (TaskStateException e) {
            if (task.rolledBackBy == null) {
                assertThat(task.cancelled).as("a cancelled task can be retried: %s", e).isFalse();
            } else {
                assertThat(e.getMessage()).as("a task rolled back is not retried").contains("rolled back by task " + task.rolledBackBy.id);
            }
            return "refused: " + e.getMessage();
        } catch (RuntimeException e) {
            requireScriptedFault(e, model);
            if (rows().get(task.id).runGeneration() == task.generation + 1) {
                task.retried(); // the requeue committed before the fault
                return "failed after it was stored: " + e;
            }
            return "failed: " + e;
        }
    }

    private static String rollBack(ModelTask task, Model model) throws SQLException {
        boolean rolledBackBefore = task.rolledBackBy != null;
        try {
            Stored stored = engine.rollBack(task.id, "supervisor");
            if (!stored.created() && !rolledBackBefore) {
                // answered with a rollback the model has not seen: the failure policy's, stored as the task failed
                model.adoptPolicyRollbacks(Snapshot.read());
                rolledBackBefore = task.rolledBackBy != null && task.rolledBackBy.storedByPolicy;
            }
            assertThat(task.rollbackOf).as("a rollback is not rolled back").isNull();
            Snapshot store = Snapshot.read();
            assertThat(store.rows.get(task.id).state().isFinal()).as("only a task that ended is rolled back: %s", task).isTrue();
            assertThat(store.effects.getOrDefault(task.id, Map.of())).as("only a task that committed a chunk is rolled back: %s", task)
                    .isNotEmpty();
            ModelTask rollback = model.rollbackOf(task, stored.task().id());
            assertThat(stored.created()).as("a task is rolled back once, whoever asks: %s", task).isEqualTo(!rolledBackBefore);
            assertThat(stored.task().idempotencyKey()).as("a rollback's key").isEqualTo(Rollbacks.key(task.id));
            assertThat(stored.task().priority()).as("a rollback's priority is its task's").isEqualTo(task.priority);
            assertThat(stored.task().orderKey()).as("a rollback's order key is its task's").isEqualTo(task.orderKey);
            if (stored.created()) {
                assertThat(stored.task().state()).as("a rollback stored is queued").isEqualTo(TaskState.QUEUED);
            }
            return (stored.created() ? "rolled back by " : "answered with its rollback ") + rollback;
        } catch (TaskStateException e) {
            String why = e.getMessage();
            if (why.contains("cancel it before it is rolled back")) {
                assertThat(task.cancelled || task.ended != null).as("refused as unfinished, but seen ended: %s; %s", task, why).isFalse();
            } else if (why.contains("it is a rollback")) {
                assertThat(task.rollbackOf).as("refused as a rollback: %s", task).isNotNull();
            } else if (why.contains("committed no chunk")) {
                Snapshot store = Snapshot.read();
                assertThat(store.effects.getOrDefault(task.id, Map.of())).as("refused as having committed nothing: %s", task).isEmpty();
            } else {
                throw new AssertionError("a rollback refused for no reason the model knows: " + task, e);
            }
            return "refused: " + why;
        } catch (RuntimeException e) {
            requireScriptedFault(e, model);
            TaskRecord stored = rowOfKey(Rollbacks.key(task.id));
            if (stored != null && task.rolledBackBy == null) {
                model.rollbackOf(task, stored.id());
                return "failed after it was stored: " + e;
            }
            return "failed: " + e;
        }
    }

    private static String chunk(Chunk step, Model model) throws InterruptedException, SQLException {
        if (rows().values().stream().allMatch(row -> row.state().isFinal())) {
            return "no task runs";
        }
        Arrival arrival = plugin.take(step.pick(), PATIENCE);
        if (arrival == null) {
            return "no chunk came";
        }
        if (model.byId(arrival.taskId()) == null) {
            model.adoptPolicyRollbacks(Snapshot.read()); // an undo of a rollback the policy stored since the last check
        }
        arrival.release().complete(step.outcome());
        ModelTask task = model.byId(arrival.taskId());
        if (step.outcome() == Outcome.FAILS && task != null && arrival.generation() == task.generation) {
            task.failedInThisRun = true;
        }
        return "chunk " + arrival.chunk() + " of " + arrival.taskId() + " (try " + arrival.attempt() + ", generation "
                + arrival.generation() + ") " + step.outcome();
    }

    /** A failure of the engine's API is fine only as the database being away, which only an outage makes it. */
    private static void requireScriptedFault(RuntimeException e, Model model) {
        boolean scripted = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            scripted |= t instanceof SQLException && String.valueOf(t.getMessage()).contains("(scripted)");
        }
        if (!scripted || !model.outages) {
            throw new AssertionError("the engine failed with no outage to blame", e);
        }
    }

    /** Heals every fault, lets every chunk succeed, and waits until every task is final and every slot idle and live. */
    private static void settle(Model model) throws Exception {
        database.heal();
        metrics.armed.set(false);
        plugin.open();
        assertThat(engine.resume(GatedTaskType.ID, "supervisor")).as("paused as the model says").isEqualTo(model.paused);
        model.paused = false;
        assertThat(engine.isSuspended()).as("suspended as the model says").isEqualTo(model.suspended);
        engine.resumeFromSuspend();
        model.suspended = false;
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            // a task that fails while the engine settles may get the failure policy's rollback, which must end too
            model.adoptPolicyRollbacks(Snapshot.read());
            String unsettled = unsettled(model);
            if (unsettled == null) {
                return;
            }
            assertThat(System.nanoTime()).as("settled within %s s; still: %s", SETTLE.toSeconds(), unsettled)
                    .isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** What keeps the engine from being settled, or null. */
    private static String unsettled(Model model) {
        Map<String, TaskRecord> rows = rows();
        for (ModelTask task : model.tasks) {
            if (task.id != null && !rows.get(task.id).state().isFinal()) {
                return "task " + task + " is " + rows.get(task.id).state() + " in generation " + rows.get(task.id).runGeneration();
            }
        }
        List<String> withoutLiveSlot = engine.taskTypesWithoutLiveSlot();
        if (!withoutLiveSlot.isEmpty()) {
            return "no live slot for " + withoutLiveSlot;
        }
        for (SlotId slot : engine.slotIds()) {
            try {
                Slot.QueueView queue = engine.queueOf(slot);
                if (queue.head() != null || !queue.waiting().isEmpty()) {
                    return "slot " + slot + " holds " + queue;
                }
            } catch (EngineStoppedException e) {
                return "slot " + slot + " does not answer: " + e.getMessage();
            }
        }
        return null;
    }

    /** What each slot holds, or why it does not say. */
    private static String slotsSeen() {
        Map<SlotId, String> seen = new TreeMap<>(java.util.Comparator.comparing(SlotId::key));
        for (SlotId slot : engine.slotIds()) {
            try {
                seen.put(slot, engine.queueOf(slot).toString());
            } catch (RuntimeException e) {
                seen.put(slot, e.toString());
            }
        }
        return seen + ", routing: " + rows().keySet().stream()
                .collect(Collectors.toMap(id -> id, id -> engine.slotFor(GatedTaskType.ID, id).index()));
    }

    /** The stacks of the engine's threads that run or wait in the engine's or the test's code. */
    private static String engineThreads() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("taskbridge-") && java.util.Arrays.stream(stack)
                    .anyMatch(frame -> frame.getClassName().startsWith("dev.taskbridge"))) {
                dump.append("  ").append(thread.getName()).append(' ').append(thread.getState()).append('\n');
                java.util.Arrays.stream(stack).limit(25).forEach(frame -> dump.append("    at ").append(frame).append('\n'));
            }
        });
        return dump.toString();
    }

    /** After a sequence that failed: nothing of it may run into the next one. */
    private static void awaitAllFinal() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!rows().values().stream().allMatch(row -> row.state().isFinal()) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    // --- the model ----------------------------------------------------------------------------

    private static final class ModelTask {
        final String key;
        final int chunks;
        /** Set once a submission stored it. */
        String id;
        int generation;
        /** The last operator action that took effect on it was a cancel. */
        boolean cancelled;
        /**
         * A chunk was failed for good that came to the gate while the task was in its current
         * generation: its current run's, or (after a retry) perhaps still the cancelled run's.
         */
        boolean failedInThisRun;
        /** SUCCEEDED or FAILED, once seen in its current generation. */
        TaskState ended;
        /** Chunks done, as last seen in its current generation. */
        int chunksDone;

        /** 0 to run at once; else it was submitted to run this long after its submission. */
        final int delayMillis;
        final int priority;
        /** Null for none. */
        final String orderKey;
        /** How many tasks of the sequence were stored before it; set with {@link #id}. */
        int storedAs;
        /** A rollback the failure policy stored: when, among the model's tasks, is not known. */
        boolean storedByPolicy;
        /** When it was stored to run, for a task submitted to run later. */
        Instant runAt;
        /** For a rollback, the task it rolls back; null for a task submitted. */
        final ModelTask rollbackOf;
        /** The rollback of this task, once one is stored. */
        ModelTask rolledBackBy;

        ModelTask(String key, int chunks, int delayMillis) {
            this.key = key;
            this.chunks = chunks;
            this.delayMillis = delayMillis;
            // priorities and order keys mixed, the same for a repeat: the slot orders by them
            this.priority = Math.floorMod(key.hashCode(), 3) - 1;
            this.orderKey = switch (Math.floorMod(key.hashCode() >> 4, 4)) {
                case 0 -> "order-a";
                case 1 -> "order-b";
                default -> null;
            };
            this.rollbackOf = null;
        }

        /** The rollback of {@code original}, stored as {@code id}: a chunk for each chunk the original committed. */
        ModelTask(ModelTask original, String id, int chunks) {
            this.key = Rollbacks.key(original.id);
            this.chunks = chunks;
            this.delayMillis = 0;
            this.priority = original.priority;
            this.orderKey = original.orderKey;
            this.rollbackOf = original;
            this.id = id;
        }

        /**
         * Whether {@code later} must wait for this task to end before it starts: both have the
         * same order key and priority, ran at once when submitted, were stored in this order and
         * were never retried (a retry queues a task again behind what waits then).
         */
        boolean goesBefore(ModelTask later) {
            return orderKey != null && orderKey.equals(later.orderKey) && priority == later.priority
                    && id != null && later.id != null && storedAs < later.storedAs && !storedByPolicy && !later.storedByPolicy
                    && delayMillis == 0 && later.delayMillis == 0 && generation == 0 && later.generation == 0;
        }

        void retried() {
            generation++;
            cancelled = false;
            failedInThisRun = false;
            ended = null;
            chunksDone = 0; // the one time progress may go back
        }

        @Override
        public String toString() {
            return (rollbackOf == null ? key : "rollback of " + rollbackOf.id) + (id == null ? "[not stored" : "[" + id
                    + " generation " + generation + (cancelled ? ", cancelled" : "")
                    + (rolledBackBy != null ? ", rolled back by " + rolledBackBy.id : "")
                    + (failedInThisRun ? ", failed on purpose" : "") + (ended != null ? ", seen " + ended : ""))
                    + ", " + chunks + " chunk(s)]";
        }
    }

    private static final class Model {

        final int sequence;
        final List<ModelTask> tasks = new ArrayList<>();
        /** Tasks stored so far. */
        int stored;
        final List<String> log = new ArrayList<>();
        /** An outage was scheduled: the engine's API may fail with the database away. */
        boolean outages;
        /** Something could have made a slot forget a step in flight: an outage, a failed journal write, a slot failure, a restart. */
        boolean disrupted;
        /** The operator's last pause or resume of the type that took effect was a pause. */
        boolean paused;
        /** The plugin's count of chunk runs when the type was paused. */
        int chunkRunsAtPause;
        /** An engine that rolls failed tasks back by themselves ran during the sequence. */
        boolean policy = rollBackOnFailure;
        /** The engine was suspended and not resumed since, nor restarted. */
        boolean suspended;
        /** The plugin's count of chunk runs when the engine was suspended. */
        int chunkRunsAtSuspend;

        Model(int sequence) {
            this.sequence = sequence;
        }

        ModelTask newTask(int chunks, int delayMillis) {
            ModelTask task = new ModelTask("s" + sequence + "-k" + tasks.size(), chunks, delayMillis);
            tasks.add(task);
            return task;
        }

        /** The {@code index}-th task modulo their number; of the stored ones only if {@code stored}. */
        ModelTask pick(int index, boolean stored) {
            List<ModelTask> candidates = stored ? tasks.stream().filter(task -> task.id != null).toList() : tasks;
            return candidates.isEmpty() ? null : candidates.get(index % candidates.size());
        }

        /**
         * The rollback of {@code original} stored as {@code id}: the one the model knows, or a new
         * one, with a chunk for each chunk the original committed (final, it commits no more).
         */
        ModelTask rollbackOf(ModelTask original, String id) throws SQLException {
            if (original.rolledBackBy != null) {
                assertThat(id).as("the one rollback of %s", original).isEqualTo(original.rolledBackBy.id);
                return original.rolledBackBy;
            }
            int committed = Snapshot.read().effects.getOrDefault(original.id, Map.of()).size();
            ModelTask rollback = new ModelTask(original, id, committed);
            rollback.storedAs = stored++;
            tasks.add(rollback);
            original.rolledBackBy = rollback;
            ROLLBACKS.incrementAndGet();
            return rollback;
        }

        /**
         * What a supervisor rolls back: the {@code index}-th task seen ended or cancelled having
         * committed a chunk, not rolled back yet and no rollback; else of those seen ended or
         * cancelled (refused, or answered with their rollback); else of the stored ones (refused).
         * Most tasks of a sequence still wait at the gate, and most that ended committed nothing.
         */
        ModelTask pickToRollBack(int index) {
            List<ModelTask> ended = tasks.stream().filter(task -> task.id != null && (task.ended != null || task.cancelled)).toList();
            List<ModelTask> committed = ended.stream().filter(task -> task.rolledBackBy == null && task.rollbackOf == null
                    && (task.ended == TaskState.SUCCEEDED || task.chunksDone > 0)).toList();
            List<ModelTask> candidates = !committed.isEmpty() ? committed : ended;
            return candidates.isEmpty() ? pick(index, true) : candidates.get(index % candidates.size());
        }

        ModelTask byId(String id) {
            return tasks.stream().filter(task -> id.equals(task.id)).findFirst().orElse(null);
        }

        /**
         * The rollbacks the failure policy stored that the model has not seen yet: no one asked for
         * them, so each must be the policy's, of a task that failed having committed a chunk.
         */
        void adoptPolicyRollbacks(Snapshot store) throws SQLException {
            for (ModelTask task : List.copyOf(tasks)) {
                String link = task.id == null ? null : store.rolledBackBy.get(task.id);
                if (link != null && task.rolledBackBy == null) {
                    assertThat(policy).as("%s rolled back by %s, which no one asked for, with no failure policy", task, link)
                            .isTrue();
                    assertThat(store.rows.get(task.id).state()).as("the policy rolls back a task that failed: %s", task)
                            .isEqualTo(TaskState.FAILED);
                    assertThat(task.rollbackOf).as("the policy rolls back no rollback: %s", task).isNull();
                    assertThat(store.effects.getOrDefault(task.id, Map.of())).as("the policy rolls back a task that committed "
                            + "a chunk: %s", task).isNotEmpty();
                    rollbackOf(task, link).storedByPolicy = true;
                    POLICY_ROLLBACKS.incrementAndGet();
                }
            }
        }

        /** Checks the store against the model; {@code settled}: at the end, with every task final. */
        void check(boolean settled) throws SQLException {
            assertThat(engine.pauseOf(GatedTaskType.ID).isPresent()).as("the type is paused as the operator left it, "
                    + "across restarts too").isEqualTo(paused);
            if (paused) {
                // a step a slot began before the pause still runs its chunk, at most twice (in a group,
                // then alone after the group rolled back); no slot begins another
                assertThat(plugin.chunkRuns() - chunkRunsAtPause).as("chunk runs since the type was paused")
                        .isLessThanOrEqualTo(2 * SLOTS);
            }
            if (suspended) {
                // only steps under way at the suspend still run a chunk (as for a pause); none starts
                assertThat(plugin.chunkRuns() - chunkRunsAtSuspend).as("chunk runs since the engine was suspended")
                        .isLessThanOrEqualTo(2 * SLOTS);
            }
            Snapshot store = Snapshot.read();
            adoptPolicyRollbacks(store);
            for (ModelTask task : tasks) {
                if (task.id == null) {
                    assertThat(store.keys).as("a task whose submission failed is not stored: %s", task).doesNotContainKey(task.key);
                    continue;
                }
                TaskRecord row = store.rows.get(task.id);
                assertThat(row).as("an accepted task is stored: %s", task).isNotNull();
                assertThat(store.rolledBackBy.get(task.id)).as("the link from %s to its rollback", task)
                        .isEqualTo(task.rolledBackBy == null ? null : task.rolledBackBy.id);
                assertThat(row.runGeneration()).as("generation of %s", task).isEqualTo(task.generation);
                assertThat(row.runAt()).as("when %s was to run", task).isEqualTo(task.runAt);
                if (task.runAt != null && task.generation == 0) {
                    if (row.startedAt() != null) {
                        assertThat(row.startedAt()).as("%s starts at its time, not before", task).isAfterOrEqualTo(task.runAt);
                    }
                    if (!task.cancelled && store.readAt.isBefore(task.runAt)) {
                        assertThat(row.state()).as("%s waits until its time", task).isEqualTo(TaskState.SCHEDULED);
                    }
                }
                if (task.cancelled) {
                    assertThat(row.state()).as("a cancelled task stays cancelled until it is retried: %s", task)
                            .isEqualTo(TaskState.CANCELLED);
                }
                if (task.ended != null) {
                    assertThat(row.state()).as("a finished task stays so until it is retried: %s", task).isEqualTo(task.ended);
                }
                if (row.state() == TaskState.SUCCEEDED || row.state() == TaskState.FAILED) {
                    task.ended = row.state();
                }
                assertThat(row.chunksDone()).as("progress of %s never goes back within a run", task)
                        .isGreaterThanOrEqualTo(task.chunksDone);
                task.chunksDone = row.chunksDone();

                List<Integer> markers = store.markers.getOrDefault(task.id, List.of());
                Map<Integer, Integer> effects = store.effects.getOrDefault(task.id, Map.of());
                assertThat(markers).as("effect markers of %s: the chunks before the first that did not commit", task)
                        .isEqualTo(IntStream.range(0, markers.size()).boxed().toList());
                assertThat(markers.size()).as("markers of %s: the last chunk has none, its record is the success", task)
                        .isLessThanOrEqualTo(task.chunks - 1);
                // a chunk committed: its marker, or for the last chunk, the task's success
                List<Integer> committed = new ArrayList<>(markers);
                if (row.state() == TaskState.SUCCEEDED) {
                    committed.add(task.chunks - 1);
                }
                if (task.rollbackOf == null) {
                    assertThat(effects.values()).as("no chunk's effect of %s committed twice", task).allMatch(count -> count == 1);
                    assertThat(effects.keySet()).as("effects of %s committed with their records, and only with them", task)
                            .containsExactlyInAnyOrderElementsOf(committed);
                } else {
                    // its chunk i undoes the original's chunk n - 1 - i
                    List<Undo> undos = store.undos.stream().filter(undo -> undo.rollbackId().equals(task.id)).toList();
                    assertThat(effects).as("a rollback's chunks write no effect of the task type's own: %s", task).isEmpty();
                    assertThat(undos).as("undos of %s, committed with their records, and only with them", task)
                            .extracting(Undo::taskId).allMatch(task.rollbackOf.id::equals);
                    assertThat(undos).extracting(Undo::chunk).as("undos of %s, committed with their records, and only with "
                            + "them", task).containsExactlyInAnyOrderElementsOf(committed.stream().map(chunk -> task.chunks - 1 - chunk)
                            .toList());
                }
                assertThat(row.chunksDone()).as("progress of %s is never ahead of its committed chunks", task)
                        .isLessThanOrEqualTo(committed.size());
                assertThat(row.chunksTotal()).as("chunks of %s", task).isIn(0, task.chunks);
                if (row.state() == TaskState.SUCCEEDED) {
                    assertThat(committed).as("every chunk of succeeded %s committed", task).hasSize(task.chunks);
                    assertThat(row.chunksDone()).as("chunks done of succeeded %s", task).isEqualTo(task.chunks);
                    assertThat(row.itemsDone()).as("items done of succeeded %s", task)
                            .isEqualTo((long) GatedTaskType.ITEMS_PER_CHUNK * task.chunks);
                    assertThat(row.result()).as("result of %s", task).isEqualTo(task.rollbackOf != null
                            ? GatedTaskType.expectedRollbackResult(task.chunks)
                            : GatedTaskType.expectedResult(IntStream.range(0, task.chunks).mapToObj(Integer::toString).toList()));
                }
                if (row.state() == TaskState.FAILED) {
                    assertThat(task.failedInThisRun).as("%s failed, but no chunk of its run was failed: %s", task,
                            row.errorMessage()).isTrue();
                    assertThat(row.errorMessage()).as("failure of %s", task).contains("is broken (scripted)");
                }
                if (settled) {
                    if (task.cancelled) {
                        continue; // checked above
                    }
                    if (!task.failedInThisRun) {
                        assertThat(row.state()).as("a task, retried or not, whose chunks succeed ends SUCCEEDED: %s", task)
                                .isEqualTo(TaskState.SUCCEEDED);
                    } else if (!disrupted && task.generation == 0) {
                        assertThat(row.state()).as("a task whose run was failed on purpose ends FAILED: %s", task)
                                .isEqualTo(TaskState.FAILED);
                    } else {
                        // A fault or restart may have made its slot forget the failure, so the chunk ran again and
                        // succeeded; and after a retry, the chunk failed may have been the cancelled run's (a chunk
                        // knows the task's generation when it came to the gate, not its run's)
                        assertThat(row.state()).as("%s", task).isIn(TaskState.FAILED, TaskState.SUCCEEDED);
                    }
                }
            }
            for (Undo undo : store.undos) {
                ModelTask original = byId(undo.taskId());
                assertThat(original != null && original.rolledBackBy != null && original.rolledBackBy.id.equals(undo.rollbackId()))
                        .as("%s by the one rollback of its task the model knows: %s", undo, original).isTrue();
                assertThat(undo.count()).as("%s undone once, whatever ran it", undo).isEqualTo(1);
                assertThat(store.effects.getOrDefault(undo.taskId(), Map.of())).as("%s undoes a chunk its task committed", undo)
                        .containsKey(undo.chunk());
            }
            assertThat(store.undos.stream().map(undo -> undo.taskId() + "/" + undo.chunk()).distinct().count())
                    .as("no chunk undone by two rollbacks: %s", store.undos).isEqualTo(store.undos.size());
            if (settled) {
                UNDOS.addAndGet(store.undos.size());
            }
            for (ModelTask earlier : tasks) {
                for (ModelTask later : tasks) {
                    if (earlier.goesBefore(later) && store.rows.get(later.id).startedAt() != null) {
                        TaskRecord before = store.rows.get(earlier.id);
                        assertThat(before.state().isFinal()).as("%s started while %s, earlier with its key, is %s",
                                later, earlier, before.state()).isTrue();
                        assertThat(before.endedAt()).as("%s started after %s, earlier with its key, ended", later, earlier)
                                .isBeforeOrEqualTo(store.rows.get(later.id).startedAt());
                    }
                }
            }
            assertThat(engine.liveSlotActors()).as("no slot actor is gone").isEqualTo(Map.of(GatedTaskType.ID, SLOTS));
        }
    }

    // --- reading the database past its faults --------------------------------------------------

    /**
     * The task store's rows, effect markers and effects, read in one snapshot.
     *
     * @param readAt a moment after the snapshot was taken
     */
    private record Snapshot(Instant readAt, Map<String, TaskRecord> rows, Map<String, String> keys, Map<String, List<Integer>> markers,
                            Map<String, Map<Integer, Integer>> effects, List<Undo> undos, Map<String, String> rolledBackBy) {

        static Snapshot read() throws SQLException {
            try (Connection connection = h2.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SNAPSHOT");
                }
                connection.setAutoCommit(false);
                try {
                    Map<String, TaskRecord> rows = readRows(connection);
                    Map<String, String> keys = rows.values().stream()
                            .collect(Collectors.toMap(TaskRecord::idempotencyKey, TaskRecord::id));
                    Map<String, List<Integer>> markers = new HashMap<>();
                    try (Statement select = connection.createStatement();
                         ResultSet row = select.executeQuery("SELECT task_id, chunk FROM tb_chunk_marker ORDER BY task_id, chunk")) {
                        while (row.next()) {
                            markers.computeIfAbsent(row.getString(1), id -> new ArrayList<>()).add(row.getInt(2));
                        }
                    }
                    Map<String, Map<Integer, Integer>> effects = new HashMap<>();
                    try (Statement select = connection.createStatement();
                         ResultSet row = select.executeQuery("SELECT task_id, chunk, COUNT(*) FROM mt_effect GROUP BY task_id, chunk")) {
                        while (row.next()) {
                            effects.computeIfAbsent(row.getString(1), id -> new TreeMap<>()).put(row.getInt(2), row.getInt(3));
                        }
                    }
                    List<Undo> undos = new ArrayList<>();
                    try (Statement select = connection.createStatement();
                         ResultSet row = select.executeQuery("SELECT rollback_id, task_id, chunk, COUNT(*) FROM mt_undo "
                                 + "GROUP BY rollback_id, task_id, chunk")) {
                        while (row.next()) {
                            undos.add(new Undo(row.getString(1), row.getString(2), row.getInt(3), row.getInt(4)));
                        }
                    }
                    Map<String, String> rolledBackBy = new HashMap<>();
                    try (Statement select = connection.createStatement();
                         ResultSet row = select.executeQuery("SELECT id, rolled_back_by FROM tb_task WHERE rolled_back_by IS NOT NULL")) {
                        while (row.next()) {
                            rolledBackBy.put(row.getString(1), row.getString(2));
                        }
                    }
                    return new Snapshot(Instant.now(), rows, keys, markers, effects, undos, rolledBackBy);
                } finally {
                    connection.rollback();
                }
            }
        }
    }

    /** Chunk {@code chunk} of task {@code taskId} undone by rollback {@code rollbackId}, {@code count} times. */
    private record Undo(String rollbackId, String taskId, int chunk, int count) {
    }

    /** Every task row, by id. */
    private static Map<String, TaskRecord> rows() {
        try (Connection connection = h2.getConnection()) {
            return readRows(connection);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, TaskRecord> readRows(Connection connection) throws SQLException {
        Map<String, TaskRecord> rows = new TreeMap<>();
        try (Statement select = connection.createStatement();
             ResultSet row = select.executeQuery("SELECT id, idempotency_key, status, chunks_done, chunks_total, items_done, "
                     + "result, error_message, run_generation, started_at, run_at, ended_at FROM tb_task")) {
            while (row.next()) {
                rows.put(row.getString(1), new TaskRecord(row.getString(1), GatedTaskType.ID, 1, OWNER, row.getString(2),
                        TaskState.valueOf(row.getString(3)), row.getInt(4), row.getInt(5), row.getLong(6), 0, 0, null,
                        instant(row.getObject(10, OffsetDateTime.class)), instant(row.getObject(12, OffsetDateTime.class)), row.getString(7), row.getString(8), null,
                        null, null, row.getInt(9), null, instant(row.getObject(11, OffsetDateTime.class)), 0, null));
            }
        }
        return rows;
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    private static TaskRecord rowOfKey(String key) {
        return rows().values().stream().filter(row -> key.equals(row.idempotencyKey())).findFirst().orElse(null);
    }

    private static void emptyTables() throws SQLException {
        try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
            for (String table : List.of("tb_chunk_marker", "tb_task_event", "tb_task", "mt_effect", "mt_undo")) {
                statement.executeUpdate("DELETE FROM " + table);
            }
        }
    }
}

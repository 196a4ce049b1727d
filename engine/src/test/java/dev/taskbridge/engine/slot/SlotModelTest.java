package dev.taskbridge.engine.slot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.typesafe.config.ConfigFactory;
import dev.taskbridge.engine.TaskMetrics;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TransientTaskException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;

/**
 * A model-based test of a slot: random sequences of submissions (of mixed priorities), repeated hand-overs, cancels,
 * retries, chunk failures, transient faults of the store, journal write failures and slot
 * restarts, run against a real {@link Slot} (Pekko persistence, with its test kit's in-memory
 * journal, failures injected into it) and checked after every step against a small model of the
 * task store.
 *
 * <p>The store is a model ({@link ModelStore}): it keeps the task store's rules (a run's writes
 * match its generation and a non-final status; a chunk commits its effects and its marker
 * together, or not at all; a cancel ends only a run that is not final; a retry starts a new
 * generation), which {@code TaskEngineTest} checks against the real store on H2 and PostgreSQL.
 * Here it lets a thousand sequences run in a minute and see every write.
 *
 * <p>Checked after every step: no chunk's effect committed twice, progress never goes back
 * within a run, and the slot answers. At the end of a sequence, once the slot is idle: no
 * accepted task is lost (every task is final), a task that was not cancelled last ends SUCCEEDED
 * unless its first run failed on purpose and it was not retried, and every chunk of a task that
 * succeeded committed exactly once. jqwik prints the seed of a failing sequence, and shrinks it.
 */
class SlotModelTest {

    /**
     * A slot whose journal failed on every start of a few (a sequence may inject failures faster
     * than the slot restarts) waits up to its longest restart pause before it answers; a slot that
     * is wedged never does.
     */
    private static final Duration ASK = Slot.LONGEST_RESTART_PAUSE.plusSeconds(5);
    /** A hand-over the slot lost (its journal write failed) is repeated after this, as the engine repeats it. */
    private static final Duration HAND_OVER_ASK = Duration.ofMillis(250);
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** Enough tries that the transient faults of one sequence never use them up. */
    private static final RetrySettings RETRIES = new RetrySettings(30, Duration.ofMillis(1), Duration.ofMillis(5));
    private static final AtomicInteger SEQUENCES = new AtomicInteger();

    private static ActorTestKit testKit;
    private static PersistenceTestKit journal;
    private static ExecutorService blocking;

    @BeforeContainer
    static void start() {
        testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
                .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
                .withFallback(ConfigFactory.parseString("""
                        pekko.actor.serialization-bindings { "dev.taskbridge.engine.JsonSerializable" = jackson-json }
                        pekko.persistence.testkit.events.serialize = on
                        pekko.loglevel = ERROR
                        """)));
        journal = PersistenceTestKit.create(testKit.system());
        blocking = Executors.newFixedThreadPool(4);
    }

    @AfterContainer
    static void stop() {
        testKit.shutdownTestKit();
        blocking.shutdownNow();
    }

    // --- the steps ----------------------------------------------------------------------------

    sealed interface Step {
    }

    /**
     * A new task of 1-4 chunks, a priority and an order key (or none); its first run fails at
     * {@code failAt} on purpose, unless that is out of range.
     */
    record Submit(int chunks, int failAt, int priority, String orderKey) implements Step {
    }

    /** The engine hands a task over again (a repeat after a lost acknowledgement, or a restart's resume). */
    record HandOverAgain(int task) implements Step {
    }

    record Cancel(int task) implements Step {
    }

    record Retry(int task) implements Step {
    }

    /** The next few store calls fail as a database that is away makes them fail. */
    record StoreFaults(int count) implements Step {
    }

    /** The next journal write fails: the slot stops and is started again from its journal. */
    record JournalFailure() implements Step {
    }

    /** The slot is stopped and started again, as a redeploy or a crash would. */
    record RestartSlot() implements Step {
    }

    /** Time passes: steps run. */
    record Pause(int millis) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<Integer> task = Arbitraries.integers().between(0, 7);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, net.jqwik.api.Combinators.combine(Arbitraries.integers().between(1, 4),
                        Arbitraries.integers().between(-1, 4), Arbitraries.of(0, 0, 0, -1, 1, 2),
                        Arbitraries.of("", "", "k0", "k1")).as((chunks, failAt, priority, key) ->
                        new Submit(chunks, failAt, priority, key.isEmpty() ? null : key))),
                net.jqwik.api.Tuple.of(2, task.map(HandOverAgain::new)),
                net.jqwik.api.Tuple.of(3, task.map(Cancel::new)),
                net.jqwik.api.Tuple.of(3, task.map(Retry::new)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(1, 3).map(StoreFaults::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new JournalFailure())),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(new RestartSlot())),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 15).map(Pause::new)));
        return step.list().ofMinSize(1).ofMaxSize(24);
    }

    @Property(tries = 1000)
    void noSequenceOfCommandsFaultsAndRestartsLosesATaskRepeatsAChunkOrWedgesTheSlot(
            @ForAll("sequences") List<Step> steps, @ForAll @IntRange(min = 1, max = 3) int runsAtOnce) throws Exception {
        journal.resetPolicy(); // a journal failure a sequence injected but did not reach is not the next one's
        ModelStore store = new ModelStore(runsAtOnce);
        SlotId slotId = new SlotId("model", SEQUENCES.incrementAndGet());
        // a slot that fails is started again with a new runner: the old one's chunks may still run
        SlotReporting reporting = new SlotReporting("node-1", new TaskMetrics() {
            @Override
            public void slotRestarted(String taskType) {
                store.restarted();
            }
        });
        Supplier<SlotHandle> spawn = () -> new SlotHandle(testKit.spawn(
                Slot.create(slotId, new ModelWork(store, blocking), RETRIES, 5, reporting, runsAtOnce)));
        SlotHandle slot = spawn.get();
        List<String> ids = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Submit submit) {
                String id = store.submit(submit.chunks(), submit.failAt(), submit.priority(), submit.orderKey());
                ids.add(id);
                slot.handOver(id, 0, submit.priority(), submit.orderKey());
            } else if (step instanceof HandOverAgain again) {
                for (String id : pick(ids, again.task())) {
                    Integer generation = store.unfinishedGeneration(id);
                    if (generation != null) {
                        slot.handOver(id, generation, store.priority(id), store.orderKey(id));
                    }
                }
            } else if (step instanceof Cancel cancel) {
                for (String id : pick(ids, cancel.task())) {
                    Integer generation = store.cancel(id);
                    if (generation != null) {
                        slot.ref().tell(new Slot.Cancel(id, generation, testKit.system().ignoreRef()));
                    }
                }
            } else if (step instanceof Retry retry) {
                for (String id : pick(ids, retry.task())) {
                    Integer generation = store.retry(id);
                    if (generation != null) {
                        slot.handOver(id, generation, store.priority(id), store.orderKey(id));
                    }
                }
            } else if (step instanceof StoreFaults faults) {
                store.faults.addAndGet(faults.count());
            } else if (step instanceof JournalFailure) {
                journal.failNextPersisted();
                store.slotRestarted = true;
            } else if (step instanceof RestartSlot) {
                testKit.stop(slot.ref(), Duration.ofSeconds(10));
                store.restarted(); // once stopped: its runner starts no step after this
                slot = spawn.get();
                // what the engine does at start: hand every unfinished task over again
                for (String id : ids) {
                    Integer generation = store.unfinishedGeneration(id);
                    if (generation != null) {
                        slot.handOver(id, generation, store.priority(id), store.orderKey(id));
                    }
                }
            } else if (step instanceof Pause pause) {
                Thread.sleep(pause.millis());
            }
            store.assertInvariants();
            slot.queue(); // answers: the slot is not dead
        }

        SlotHandle last = slot;
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!(store.allFinal() && last.queue().head() == null)) {
            assertThat(System.nanoTime()).as("every task ends and the slot is idle; tasks: %s", store.describe())
                    .isLessThan(deadline);
            Thread.sleep(2);
        }
        store.assertInvariants();
        store.assertOutcomes();
        assertThat(last.queue().waiting()).isEmpty();
        testKit.stop(last.ref(), Duration.ofSeconds(10));
    }

    /** The task a step names, if there is any task yet. */
    private static List<String> pick(List<String> ids, int index) {
        return ids.isEmpty() ? List.of() : List.of(ids.get(index % ids.size()));
    }

    /** The slot as the engine talks to it. */
    private record SlotHandle(ActorRef<Slot.Command> ref) {

        /** Hands a task over until the slot acknowledges it, as the engine's hand-overs do. */
        void handOver(String id, int generation, int priority, String orderKey) {
            for (int attempt = 1; ; attempt++) {
                try {
                    AskPattern.<Slot.Command, Slot.Accepted>ask(ref,
                            replyTo -> new Slot.Accept(List.of(new Slot.QueuedTask(id, generation, priority, orderKey)), replyTo),
                            HAND_OVER_ASK, testKit.system().scheduler()).toCompletableFuture().get(ASK.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (Exception e) {
                    if (attempt == 100) {
                        throw new AssertionError("the slot never acknowledged task " + id, e);
                    }
                }
            }
        }

        Slot.QueueView queue() {
            try {
                return AskPattern.<Slot.Command, Slot.QueueView>ask(ref, Slot.GetQueue::new, ASK, testKit.system().scheduler())
                        .toCompletableFuture().get(ASK.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("the slot did not answer", e);
            }
        }
    }

    // --- the model of the task store ----------------------------------------------------------

    enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED }

    private static final class ModelTask {
        final String id;
        /** Its place among the submissions. */
        final int index;
        final int chunks;
        final int failAt;
        final int priority;
        final String orderKey;
        /** The restart epoch of each of its chunks under way now. */
        final List<Integer> executing = new ArrayList<>();
        /** Its first run's first chunk has started. */
        boolean firstRunStarted;
        Status status = Status.QUEUED;
        int generation;
        int chunksDone;
        boolean failedOnPurpose;
        boolean cancelledLast;
        final Map<Integer, ChunkOutcome> markers = new LinkedHashMap<>();
        final int[] effects;

        ModelTask(String id, int index, int chunks, int failAt, int priority, String orderKey) {
            this.id = id;
            this.index = index;
            this.chunks = chunks;
            this.failAt = failAt;
            this.priority = priority;
            this.orderKey = orderKey;
            this.effects = new int[chunks];
        }

        boolean isFinal() {
            return status == Status.SUCCEEDED || status == Status.FAILED || status == Status.CANCELLED;
        }

        @Override
        public String toString() {
            return id + "[" + status + " gen " + generation + ", " + chunksDone + "/" + chunks + ", failAt " + failAt + "]";
        }
    }

    /** The task store's rules, on one lock; it records every breach of an invariant it sees. */
    private static final class ModelStore {

        final Map<String, ModelTask> tasks = new LinkedHashMap<>();
        final AtomicInteger faults = new AtomicInteger();
        final List<String> breaches = new ArrayList<>();
        /** The most tasks the slot may run at once. */
        final int runsAtOnce;
        /** The slot was restarted, or failed on a journal write, at least once. */
        volatile boolean slotRestarted;
        /**
         * Restarts so far. A slot started again may leave a chunk of its earlier runner still
         * running, and resumes its queue's head even if a run of the same key was under way
         * before: the overlap and order rules are checked among runs started since the same restart.
         */
        private int epoch;
        private int next;
        /** Per order key, the run that last started a chunk: task id, generation, epoch. */
        private final Map<String, int[]> lastRunOfKey = new LinkedHashMap<>();
        private final Map<String, String> lastRunTaskOfKey = new LinkedHashMap<>();
        /** Per order key and priority, the submission index of the task whose first run started last. */
        private final Map<String, Integer> lastFirstStart = new LinkedHashMap<>();

        ModelStore(int runsAtOnce) {
            this.runsAtOnce = runsAtOnce;
        }

        synchronized String submit(int chunks, int failAt, int priority, String orderKey) {
            int index = next++;
            String id = "t" + index;
            tasks.put(id, new ModelTask(id, index, chunks, failAt, priority, orderKey));
            return id;
        }

        synchronized int priority(String id) {
            return tasks.get(id).priority;
        }

        synchronized String orderKey(String id) {
            return tasks.get(id).orderKey;
        }

        synchronized void restarted() {
            slotRestarted = true;
            epoch++;
        }

        /**
         * A chunk starts its work: never a second chunk of its task at once, never more tasks at
         * once than the slot may run, never two tasks of one key at once or one after another's
         * start before that one ended, and the first runs of one key and priority in the order
         * they were submitted.
         */
        synchronized int epoch() {
            return epoch;
        }

        /** @return the epoch it started in, for {@link #chunkEnds} */
        synchronized int chunkStarts(PreparedTask prepared, int chunk, int epoch) {
            ModelTask task = tasks.get(prepared.taskId());
            if (task.executing.contains(epoch)) {
                breaches.add(task.id + ": chunk " + chunk + " started while another chunk of it ran");
            }
            task.executing.add(epoch);
            long atOnce = tasks.values().stream().filter(any -> any.executing.contains(epoch)).count();
            if (atOnce > runsAtOnce) {
                breaches.add(atOnce + " tasks ran chunks at once in a slot that runs " + runsAtOnce + ": " + tasks.values());
            }
            String key = task.orderKey;
            if (key == null) {
                return epoch;
            }
            for (ModelTask other : tasks.values()) {
                if (other != task && key.equals(other.orderKey) && other.executing.contains(epoch)) {
                    breaches.add(task.id + " and " + other.id + " of key " + key + " ran chunks at once");
                }
            }
            int[] last = lastRunOfKey.get(key);
            String lastTask = lastRunTaskOfKey.get(key);
            if (last != null && !(lastTask.equals(task.id) && last[0] == prepared.generation()) && last[1] == epoch) {
                ModelTask before = tasks.get(lastTask);
                if (!before.isFinal() && before.generation == last[0]) {
                    breaches.add(task.id + " of key " + key + " started while " + before + " had not ended");
                }
            }
            lastRunOfKey.put(key, new int[] {prepared.generation(), epoch});
            lastRunTaskOfKey.put(key, task.id);
            if (prepared.generation() == 0 && !task.firstRunStarted) {
                task.firstRunStarted = true;
                Integer earlier = lastFirstStart.put(key + "/" + task.priority, task.index);
                if (earlier != null && earlier > task.index) {
                    breaches.add(task.id + " of key " + key + " started before t" + earlier + ", submitted before it");
                }
            }
            return epoch;
        }

        synchronized void chunkEnds(String id, int startedIn) {
            tasks.get(id).executing.remove(Integer.valueOf(startedIn));
        }

        /** The generation of a task that is not final, or null. */
        synchronized Integer unfinishedGeneration(String id) {
            ModelTask task = tasks.get(id);
            return task.isFinal() ? null : task.generation;
        }

        /** As {@code markCancelled}: the generation cancelled, or null when the task was final. */
        synchronized Integer cancel(String id) {
            ModelTask task = tasks.get(id);
            if (task.isFinal()) {
                return null;
            }
            task.status = Status.CANCELLED;
            task.cancelledLast = true;
            return task.generation;
        }

        /** As {@code requeue}: the new generation, or null when the task was not failed or cancelled. */
        synchronized Integer retry(String id) {
            ModelTask task = tasks.get(id);
            if (task.status != Status.FAILED && task.status != Status.CANCELLED) {
                return null;
            }
            task.status = Status.QUEUED;
            task.cancelledLast = false;
            task.generation++;
            task.chunksDone = 0;
            return task.generation;
        }

        void maybeFail() {
            if (faults.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw new java.util.concurrent.CompletionException(new TransientTaskException("the database is away (scripted)"));
            }
        }

        synchronized PreparedTask prepare(SlotId slot, String id) {
            ModelTask task = tasks.get(id);
            if (task == null || task.isFinal()) {
                return PreparedTask.alreadyFinished(slot, id, task == null ? Integer.MAX_VALUE : task.generation);
            }
            List<ChunkOutcome> committed = new ArrayList<>();
            while (task.markers.containsKey(committed.size())) {
                committed.add(task.markers.get(committed.size()));
            }
            task.status = Status.RUNNING;
            progress(task, committed.size());
            return new PreparedTask(slot, id, task.generation, "clerk", null, null, task.chunks, java.time.Instant.now(),
                    false, committed);
        }

        /** A chunk's transaction: effects, marker and progress (and the end, for the last chunk) together, or nothing. */
        synchronized ChunkOutcome runChunk(PreparedTask prepared, int chunk) {
            ModelTask task = tasks.get(prepared.taskId());
            if (task.generation == 0 && chunk == task.failAt && !task.failedOnPurpose) {
                task.failedOnPurpose = true;
                throw new IllegalStateException("chunk " + chunk + " fails on purpose (scripted)");
            }
            if (chunk != prepared.committed().size()) {
                breaches.add(task.id + ": chunk " + chunk + " run after " + prepared.committed().size() + " committed");
            }
            ChunkOutcome recorded = task.markers.get(chunk);
            if (recorded != null) {
                return recorded;
            }
            if (task.generation != prepared.generation() || task.isFinal()) {
                throw new RunOverException("run over (scripted store)");
            }
            ChunkOutcome outcome = new ChunkOutcome(1, 0, "");
            task.effects[chunk]++;
            task.markers.put(chunk, outcome);
            progress(task, chunk + 1);
            if (chunk + 1 == task.chunks) {
                task.status = Status.SUCCEEDED;
            }
            return outcome;
        }

        synchronized boolean succeed(PreparedTask prepared) {
            ModelTask task = tasks.get(prepared.taskId());
            if (task.generation != prepared.generation() || task.isFinal()) {
                return false;
            }
            task.status = Status.SUCCEEDED;
            return true;
        }

        synchronized boolean fail(String id, int generation) {
            ModelTask task = tasks.get(id);
            if (task.generation != generation || task.isFinal()) {
                return false;
            }
            task.status = Status.FAILED;
            return true;
        }

        private void progress(ModelTask task, int chunksDone) {
            if (chunksDone < task.chunksDone) {
                breaches.add(task.id + ": progress went back from " + task.chunksDone + " to " + chunksDone
                        + " in generation " + task.generation);
            }
            task.chunksDone = chunksDone;
        }

        synchronized boolean allFinal() {
            return tasks.values().stream().allMatch(ModelTask::isFinal);
        }

        synchronized String describe() {
            return tasks.values().toString();
        }

        synchronized void assertInvariants() {
            assertThat(breaches).as("breaches of the store's rules").isEmpty();
            for (ModelTask task : tasks.values()) {
                for (int chunk = 0; chunk < task.chunks; chunk++) {
                    assertThat(task.effects[chunk]).as("effects of %s chunk %d", task.id, chunk).isLessThanOrEqualTo(1);
                }
            }
        }

        synchronized void assertOutcomes() {
            for (ModelTask task : tasks.values()) {
                if (task.cancelledLast) {
                    assertThat(task.status).as("%s", task).isEqualTo(Status.CANCELLED);
                    continue;
                }
                boolean failsOnPurpose = task.generation == 0 && task.failAt >= 0 && task.failAt < task.chunks;
                if (failsOnPurpose && !slotRestarted) {
                    assertThat(task.status).as("a task whose only run failed on purpose: %s", task).isEqualTo(Status.FAILED);
                } else if (failsOnPurpose) {
                    // a restart may come before the failure is stored: the run resumes, and its chunk fails only once
                    assertThat(task.status).as("%s", task).isIn(Status.FAILED, Status.SUCCEEDED);
                } else {
                    assertThat(task.status).as("a task that was not cancelled last, and whose chunks succeed: %s", task)
                            .isEqualTo(Status.SUCCEEDED);
                }
                if (task.status == Status.SUCCEEDED) {
                    for (int chunk = 0; chunk < task.chunks; chunk++) {
                        assertThat(task.effects[chunk]).as("effects of %s chunk %d", task.id, chunk).isEqualTo(1);
                    }
                }
            }
        }
    }

    /** The slot's blocking side on the model store, on threads of its own, as the engine's runner is. */
    private record ModelWork(ModelStore store, ExecutorService threads) implements TaskWork {

        private <T> CompletionStage<T> async(Supplier<T> step) {
            return CompletableFuture.supplyAsync(() -> {
                store.maybeFail();
                return step.get();
            }, threads);
        }

        @Override
        public CompletionStage<PreparedTask> prepare(SlotId slot, String taskId) {
            return async(() -> store.prepare(slot, taskId));
        }

        @Override
        public CompletionStage<ChunkOutcome> runChunk(PreparedTask task, int chunk, int attempt, Progress before) {
            int askedIn = store.epoch(); // by the runner of this epoch, though its work may start after a restart
            return async(() -> {
                int epoch = store.chunkStarts(task, chunk, askedIn);
                try {
                    if (ThreadLocalRandom.current().nextInt(3) == 0) {
                        Thread.sleep(1); // its work takes a while: runs overlap
                    }
                    return store.runChunk(task, chunk);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } finally {
                    store.chunkEnds(task.taskId(), epoch);
                }
            });
        }

        @Override
        public CompletionStage<Boolean> succeed(PreparedTask task) {
            return async(() -> store.succeed(task));
        }

        @Override
        public CompletionStage<Boolean> fail(SlotId slot, String taskId, int generation, Throwable failure, String reference) {
            return async(() -> store.fail(taskId, generation));
        }
    }
}

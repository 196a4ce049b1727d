package dev.taskbridge.engine.slot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskbridge.engine.JsonSerializable;
import dev.taskbridge.engine.TaskLog;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.plugin.ChunkOutcome;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.event.Level;

/**
 * One worker slot of a task type: runs the tasks routed to it one at a time, in the order they
 * were accepted, chunk by chunk.
 *
 * <p><b>What the slot's journal holds</b>: its queue, and nothing else. A task's place in the
 * queue is the one fact whose home is here ({@link TaskAccepted} when it joins, an end event when
 * its run leaves). Everything else about a task has its home elsewhere and is only read by the
 * slot: its status, progress and result in the task store, each chunk's commit and outcome in the
 * chunk's effect marker. So the slot journals two events per run, however many chunks the task
 * has, and its state is a list of ids with run generations. The task at the head of the queue is
 * the one the slot runs; after a restart it reads the task's committed chunks from their markers
 * and carries on after the last one (see {@code docs/design/002-one-home-per-fact.md}).
 *
 * <p><b>Commands</b>: {@link Accept} hands tasks to the slot, several at once (idempotent: a task
 * the slot already holds is acknowledged again, not queued twice); {@link Cancel} drops one;
 * {@link GetQueue} shows what it holds. The other commands are the slot's own: the results of work
 * it started off its thread.
 *
 * <p><b>Generations</b>: every entry names the run generation of its task
 * ({@link dev.taskbridge.engine.store.TaskRecord#runGeneration()}), and so does every result of a
 * step and every event that ends a run. A retry starts a new generation, so whatever a cancelled
 * run still reports after its task was retried is recognised as the old run's and changes nothing
 * of the new one.
 *
 * <p>All blocking work (loading, parsing, running chunks, storing results) goes through
 * {@link TaskWork} on another thread; the slot reacts to its results as messages, one at a time,
 * so a task's steps never overlap and no lock is needed. What the slot keeps in fields besides its
 * journaled state is only about the step in flight ({@link Run}): none of it is a fact that is
 * not durable elsewhere, and a restart rebuilds it from the store.
 */
public final class Slot extends EventSourcedBehaviorWithEnforcedReplies<Slot.Command, Slot.Event, Slot.State> {

    /** Persistence id prefix: {@code TaskSlot|<type>-<index>}. */
    public static final String PERSISTENCE_TYPE = "TaskSlot";

    /** Snapshot after this many events by default, keeping two. */
    public static final int DEFAULT_SNAPSHOT_EVERY = 100;

    private static final Duration JOURNAL_MIN_BACKOFF = Duration.ofMillis(200);
    /** The longest a slot waits after the database is back before it tries to recover again. */
    private static final Duration JOURNAL_MAX_BACKOFF = Duration.ofSeconds(5);
    /** A slot that fails for any other reason is started again as soon, and as patiently. */
    private static final Duration RESTART_MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration RESTART_MAX_BACKOFF = Duration.ofSeconds(5);

    // --- protocol ---------------------------------------------------------------------------

    /** Everything a slot handles. */
    public sealed interface Command {
    }

    /**
     * Hand tasks to this slot, in this order; it answers once the hand-over is journaled, all of
     * it in one write.
     *
     * @param tasks each in its run generation when it was handed over
     */
    public record Accept(List<QueuedTask> tasks, ActorRef<Accepted> replyTo) implements Command, JsonSerializable {

        public Accept {
            tasks = List.copyOf(tasks);
        }

        public Accept(String taskId, int generation, ActorRef<Accepted> replyTo) {
            this(List.of(new QueuedTask(taskId, generation)), replyTo);
        }
    }

    /** @param count tasks acknowledged: every task of the {@link Accept} */
    public record Accepted(int count) implements JsonSerializable {
    }

    /** What the slot holds right now. */
    public record GetQueue(ActorRef<QueueView> replyTo) implements Command, JsonSerializable {
    }

    /**
     * @param running         the task at the head of the queue, the one being run, or null
     * @param chunksCommitted chunks of the running task already committed, as far as the slot has read them
     * @param waiting         tasks behind it, in order
     */
    public record QueueView(String running, int chunksCommitted, List<String> waiting) implements JsonSerializable {
    }

    /**
     * Stop a task: drop it if it waits, or stop it after the step it is in. Its store status is already CANCELLED.
     *
     * @param generation the run generation that was cancelled
     */
    public record Cancel(String taskId, int generation, ActorRef<Cancelled> replyTo) implements Command, JsonSerializable {
    }

    /** @param held whether the slot still held the task */
    public record Cancelled(String taskId, boolean held) implements JsonSerializable {
    }

    // Results of the slot's own steps carry the step's number and the run generation they worked
    // for: a result from a step this incarnation did not start (before a restart), or of a run
    // that a cancel ended, is ignored.

    private record Prepared(long step, PreparedTask task) implements Command {
    }

    /** The chunk committed; the last chunk's transaction also stored the task's success. */
    private record ChunkDone(long step, String taskId, int generation, int chunk, ChunkOutcome outcome) implements Command {
    }

    /** @param stored false when the store refused the end: the run was over already (cancelled, or retried) */
    private record Finished(long step, String taskId, int generation, boolean stored) implements Command {
    }

    private record FailureStored(long step, String taskId, int generation, String message, boolean stored)
            implements Command {
    }

    /** @param generation of the run the step worked for */
    private record StepFailed(long step, String taskId, int generation, Throwable failure) implements Command {
    }

    private record RetryStep(long step) implements Command {
    }

    // --- events -----------------------------------------------------------------------------

    /** Everything a slot journals. */
    public sealed interface Event extends JsonSerializable {
    }

    /** An event that ends one run of a task: its entry leaves the queue. */
    public sealed interface RunEnded extends Event {
        String taskId();

        /** The run generation the event is about (0 in events journaled before generations existed). */
        int generation();
    }

    /** Tasks join the queue, in this order: one event for every hand-over, however many tasks it brings. */
    public record TasksAccepted(List<QueuedTask> tasks) implements Event {

        public TasksAccepted {
            tasks = List.copyOf(tasks);
        }
    }

    /** One task joins the queue: what slots journaled before hand-overs came in batches; still read. */
    public record TaskAccepted(String taskId, int generation) implements Event {
    }

    /**
     * Journaled by slots before the queue became the journal's only fact; still read from old
     * journals, where it changes nothing: the task it names is at the head of the queue already.
     */
    public record TaskStarted(String taskId, int chunkCount, int generation) implements Event {
    }

    /** Journaled by slots before chunks' commits were read from their effect markers; read as nothing. */
    public record ChunkCommitted(String taskId, int chunk, int itemsDone, int itemsFailed, int generation)
            implements Event {
    }

    public record TaskSucceeded(String taskId, int generation) implements RunEnded {
    }

    public record TaskFailed(String taskId, String error, int generation) implements RunEnded {
    }

    /**
     * The run of that generation is over without this slot ending it: the task was final already
     * (finished before a crash, cancelled, unknown), or the store refused the run's end because the
     * task was cancelled or retried meanwhile.
     */
    public record TaskSkipped(String taskId, int generation) implements RunEnded {
    }

    public record TaskCancelled(String taskId, int generation) implements RunEnded {
    }

    // --- state ------------------------------------------------------------------------------

    /** A chunk's counts, in snapshots written before chunks were read from their markers. */
    public record CommittedChunk(int itemsDone, int itemsFailed) implements JsonSerializable {
    }

    /** The running task, in snapshots written before the head of the queue was the running task. */
    public record RunningTask(String taskId, int chunkCount, List<CommittedChunk> chunks, int generation)
            implements JsonSerializable {
    }

    /** A task in a slot's queue, in the run generation it was handed over in. */
    public record QueuedTask(String taskId, int generation) implements JsonSerializable {

        /** Snapshots written before generations existed hold bare ids. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static QueuedTask fromId(String taskId) {
            return new QueuedTask(taskId, 0);
        }

        boolean is(String id, IntPredicate generations) {
            return taskId.equals(id) && generations.test(generation);
        }
    }

    /**
     * The slot's queue: accepted tasks whose run has not ended, oldest first. The first is the
     * one the slot runs.
     *
     * <p>Held as a {@link TaskQueue} (compact, immutable, cheap to change at its ends: see
     * {@code docs/design/004-compact-slot-queue.md}); its JSON is the list of its tasks, as it
     * has always been, and the class keeps its name, which is the serializer's manifest.
     */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class State implements JsonSerializable {

        static final State EMPTY = new State(TaskQueue.EMPTY);

        private final TaskQueue tasks;
        /** Decoded once per state: every step result and cancel asks for it. */
        private final QueuedTask head;

        public State(List<QueuedTask> queue) {
            this(TaskQueue.of(List.copyOf(queue)));
        }

        private State(TaskQueue tasks) {
            this(tasks, tasks.head());
        }

        private State(TaskQueue tasks, QueuedTask head) {
            this.tasks = tasks;
            this.head = head;
        }

        /** Reads snapshots of every version: older ones kept the running task apart from the queue behind it. */
        @JsonCreator
        static State read(@JsonProperty("queue") List<QueuedTask> queue, @JsonProperty("running") RunningTask running,
                          @JsonProperty("waiting") List<QueuedTask> waiting) {
            if (queue != null) {
                return new State(queue);
            }
            List<QueuedTask> all = new ArrayList<>();
            List<QueuedTask> behind = waiting == null ? List.of() : waiting;
            if (running != null) {
                // a retry of the running task may wait behind it already: the head keeps the newer generation
                int generation = behind.stream().filter(queued -> queued.taskId().equals(running.taskId()))
                        .mapToInt(QueuedTask::generation).reduce(running.generation(), Math::max);
                all.add(new QueuedTask(running.taskId(), generation));
            }
            behind.stream().filter(queued -> running == null || !queued.taskId().equals(running.taskId()))
                    .forEach(all::add);
            return new State(all);
        }

        /** Every task, oldest first: what a snapshot holds. Built on each call; the slot's steps do not use it. */
        @JsonProperty("queue")
        public List<QueuedTask> queue() {
            return tasks.toList();
        }

        int size() {
            return tasks.size();
        }

        /** The queue itself, for tests that ask it what the state does not. */
        TaskQueue tasks() {
            return tasks;
        }

        /** The tasks of a hand-over that the slot does not hold yet in their generation or a later one. */
        List<QueuedTask> notHeld(List<QueuedTask> handedOver) {
            return tasks.notHeld(handedOver);
        }

        /** Whether the slot holds the task in that generation or an earlier one. */
        boolean holdsUpTo(String taskId, int generation) {
            return tasks.holds(taskId, held -> held <= generation);
        }

        boolean isIdle() {
            return tasks.isEmpty();
        }

        /** The task the slot runs, or null. */
        QueuedTask head() {
            return head;
        }

        /** Whether the head of the queue is that task, in a generation that {@code generations} takes. */
        boolean headIs(String taskId, IntPredicate generations) {
            return head != null && head.is(taskId, generations);
        }

        /**
         * The queue with these tasks added at its end; a task that waits in an older generation
         * keeps its place, in the newer one. One pass over the queue, however many are added.
         */
        State accept(List<QueuedTask> accepted) {
            TaskQueue more = tasks.accept(accepted);
            if (head == null) {
                return new State(more);
            }
            // a hand-over adds at the end: the head stays, at most in a newer generation, and is not decoded again
            int generation = more.headGeneration();
            return new State(more, generation == head.generation() ? head : new QueuedTask(head.taskId(), generation));
        }

        /** Drops the task's entry if it is in that generation or an older one; a newer generation stays. */
        State remove(String taskId, int generation) {
            if (headIs(taskId, held -> held <= generation)) {
                return new State(tasks.withoutHead()); // the usual case: the run that ended was the head
            }
            TaskQueue kept = tasks.without(taskId, held -> held <= generation);
            return kept == tasks ? this : new State(kept);
        }

        /** The state an event leads to: what the event handler makes of it. */
        public State after(Event event) {
            if (event instanceof TasksAccepted accepted) {
                return accept(accepted.tasks());
            } else if (event instanceof TaskAccepted accepted) {
                return accept(List.of(new QueuedTask(accepted.taskId(), accepted.generation())));
            } else if (event instanceof RunEnded ended) {
                return remove(ended.taskId(), ended.generation());
            }
            return this; // TaskStarted, ChunkCommitted of old journals: their facts are in the store and the markers
        }

        QueueView view(int chunksCommitted) {
            return new QueueView(head == null ? null : head.taskId(), chunksCommitted, tasks.idsAfterHead());
        }

        @Override
        public boolean equals(Object other) {
            return this == other || other instanceof State that && tasks.equals(that.tasks);
        }

        @Override
        public int hashCode() {
            return tasks.hashCode();
        }

        @Override
        public String toString() {
            return "State[queue=" + tasks + "]";
        }
    }

    // --- behavior ---------------------------------------------------------------------------

    private final SlotId slot;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final TaskWork work;
    private final RetrySettings retry;
    private final int snapshotEvery;
    private final SlotReporting reporting;

    // The step in flight and what it works with. None of it is a durable fact: the task's plugin,
    // payload and committed chunks are read from the store, and a restart reads them again.

    /** The head task's plugin, parsed payload and committed chunks; null until it is read. */
    private PreparedTask prepared;
    /** A step is in flight (or waiting to be retried). */
    private boolean stepInFlight;
    /**
     * Number of the step last started; results of other steps are stale. Starts from the clock so
     * that a restarted incarnation never takes a number an earlier one used.
     */
    private long step = System.nanoTime();
    /** Tries of the current step that failed for a transient reason. */
    private int failedTries;
    /** A task's failure that must be stored before the slot moves on. */
    private PendingFailure pendingFailure;

    private record PendingFailure(String taskId, int generation, Throwable failure, String reference) {
    }

    private Slot(SlotId slot, ActorContext<Command> context, TimerScheduler<Command> timers, TaskWork work,
                 RetrySettings retry, int snapshotEvery, SlotReporting reporting) {
        super(PersistenceId.of(PERSISTENCE_TYPE, slot.key()),
                // A journal that fails is a database that is away: worth a warning, not an error per try.
                SupervisorStrategy.restartWithBackoff(JOURNAL_MIN_BACKOFF, JOURNAL_MAX_BACKOFF, 0.2)
                        .withLogLevel(Level.WARN));
        this.slot = slot;
        this.context = context;
        this.timers = timers;
        this.work = work;
        this.retry = retry;
        this.snapshotEvery = snapshotEvery;
        this.reporting = reporting;
    }

    /**
     * The slot's behavior. A slot that fails, whatever the reason, is started again with backoff
     * (and counted): it recovers its state from the journal and goes on, so no sequence of
     * commands can take a task type out of service. Until it has recovered it reports itself not
     * live, which readiness shows.
     */
    public static Behavior<Command> create(SlotId slot, TaskWork work, RetrySettings retry, int snapshotEvery,
                                           SlotReporting reporting) {
        AtomicInteger starts = new AtomicInteger();
        // Every line logged in the slot carries the slot's context; the command handler adds the
        // task's (see commandHandler). A per-message MDC here would be computed twice per message,
        // and Pekko's Java DSL copies it into a Scala map each time: 5% of the slots' CPU, profiled.
        Behavior<Command> slotBehavior = Behaviors.withMdc(Command.class, TaskLog.context(reporting.node(), slot, null),
                Behaviors.intercept(() -> new TimedMessages(slot.taskType(), reporting),
                        Behaviors.setup(context -> {
                            if (starts.getAndIncrement() > 0) {
                                reporting.metrics().slotRestarted(slot.taskType());
                                context.getLog().warn("Slot {} started again after a failure; it recovers from its journal", slot);
                            }
                            return Behaviors.withTimers(
                                    timers -> new Slot(slot, context, timers, work, retry, snapshotEvery, reporting));
                        })));
        return Behaviors.supervise(slotBehavior).onFailure(Exception.class,
                SupervisorStrategy.restartWithBackoff(RESTART_MIN_BACKOFF, RESTART_MAX_BACKOFF, 0.2));
    }

    /**
     * Measures how long the slot takes per message (a slot must never be the slow part), and marks
     * the slot not live when a message makes it fail.
     */
    private static final class TimedMessages extends BehaviorInterceptor<Command, Command> {

        private final String taskType;
        private final SlotReporting reporting;

        TimedMessages(String taskType, SlotReporting reporting) {
            super(Command.class);
            this.taskType = taskType;
            this.reporting = reporting;
        }

        @Override
        public Behavior<Command> aroundReceive(TypedActorContext<Command> context, Command message,
                                               ReceiveTarget<Command> target) {
            long started = System.nanoTime();
            try {
                return target.apply(context, message);
            } catch (RuntimeException | Error failure) {
                reporting.live().set(false);
                throw failure;
            } finally {
                reporting.metrics().messageProcessed(taskType, Duration.ofNanos(System.nanoTime() - started));
            }
        }
    }

    /** The task a command is about, or null. */
    private static String taskOf(Command command) {
        if (command instanceof Accept accept) {
            return accept.tasks().size() == 1 ? accept.tasks().get(0).taskId() : null;
        } else if (command instanceof Cancel cancel) {
            return cancel.taskId();
        } else if (command instanceof Prepared prepared) {
            return prepared.task().taskId();
        } else if (command instanceof ChunkDone done) {
            return done.taskId();
        } else if (command instanceof Finished finished) {
            return finished.taskId();
        } else if (command instanceof FailureStored stored) {
            return stored.taskId();
        } else if (command instanceof StepFailed failed) {
            return failed.taskId();
        }
        return null;
    }

    @Override
    public State emptyState() {
        return State.EMPTY;
    }

    /** Events older than the older of the two snapshots kept are deleted: the journal stays as small as the queue. */
    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (state, signal) -> {
                    // A failed journal write restarts this behavior in place, on this same object: the
                    // step that was in flight is lost with the incarnation, and its result, if it
                    // still comes, is stale. Without this the slot would wait for it forever.
                    forgetStepInFlight();
                    reporting.live().set(true);
                    if (!state.isIdle()) {
                        context.getLog().info("Slot {} resumes {} unfinished task(s)", slot, state.size());
                    }
                    proceed(state);
                })
                .build();
    }

    /**
     * The handlers, each run in the logging context of the task its command is about. The
     * behavior's MDC ({@link #create}) is not enough: a command that arrives while an event is
     * being written waits in the behavior's own stash and is handled later, outside it.
     */
    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        CommandHandlerWithReply<Command, Event, State> handlers = handlers();
        return (state, command) -> {
            String taskId = taskOf(command);
            if (taskId == null) {
                return handlers.apply(state, command);
            }
            Map<String, String> logContext = TaskLog.context(reporting.node(), slot, taskId);
            TaskLog.set(logContext);
            try {
                return handlers.apply(state, command);
            } finally {
                TaskLog.clear(logContext);
            }
        };
    }

    private CommandHandlerWithReply<Command, Event, State> handlers() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Accept.class, this::onAccept)
                .onCommand(GetQueue.class, (state, get) -> Effect().reply(get.replyTo(), state.view(chunksCommitted(state))))
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Prepared.class, (state, prepared) -> isCurrent(state, prepared)
                        ? onPrepared(state, prepared) : afterStaleStep(state, prepared.step()))
                .onCommand(ChunkDone.class, (state, done) -> isCurrentRun(state, done.step(), done.taskId(), done.generation())
                        && prepared != null && done.chunk() == prepared.committed().size()
                        ? onChunkDone(state, done) : afterStaleStep(state, done.step()))
                .onCommand(Finished.class, (state, done) -> isCurrentRun(state, done.step(), done.taskId(), done.generation())
                        ? moveOn(state, done.stored() ? new TaskSucceeded(done.taskId(), done.generation())
                                : new TaskSkipped(done.taskId(), done.generation()))
                        : afterStaleStep(state, done.step()))
                .onCommand(FailureStored.class, (state, stored) -> isCurrentRun(state, stored.step(), stored.taskId(), stored.generation())
                        ? moveOn(state, stored.stored() ? new TaskFailed(stored.taskId(), stored.message(), stored.generation())
                                : new TaskSkipped(stored.taskId(), stored.generation()))
                        : afterStaleStep(state, stored.step()))
                .onCommand(StepFailed.class, (state, failed) -> isCurrentRun(state, failed.step(), failed.taskId(), failed.generation())
                        ? onStepFailed(state, failed) : afterStaleStep(state, failed.step()))
                .onCommand(RetryStep.class, (state, retry) -> {
                    if (retry.step() == step) {
                        stepInFlight = false;
                        proceed(state);
                    }
                    return Effect().noReply();
                })
                .build();
    }

    private int chunksCommitted(State state) {
        QueuedTask head = state.head();
        return head != null && prepared != null && prepared.taskId().equals(head.taskId()) ? prepared.committed().size() : 0;
    }

    /**
     * The run generation the slot works on for its head task: the one it read from the store
     * once it has read it (a retry's hand-over may still be on its way), else the queue's.
     */
    private int runGeneration(QueuedTask head) {
        return prepared != null && prepared.taskId().equals(head.taskId()) ? prepared.generation() : head.generation();
    }

    /** Whether a step's result is the one the slot waits for, about the run it works on. */
    private boolean isCurrentRun(State state, long resultStep, String taskId, int generation) {
        QueuedTask head = state.head();
        return resultStep == step && head != null && head.taskId().equals(taskId) && runGeneration(head) == generation;
    }

    /**
     * Whether a prepared task is the one the slot waits for: the head of its queue, read in the
     * generation it waits in or a later one (its retry's hand-over may still be on its way).
     */
    private boolean isCurrent(State state, Prepared prepared) {
        QueuedTask head = state.head();
        return prepared.step() == step && head != null && head.taskId().equals(prepared.task().taskId())
                && prepared.task().generation() >= head.generation();
    }

    /**
     * A result the slot no longer wants: from before a restart (ignored) or about a run that a
     * cancel ended while its step ran (the step is over, so the slot moves on).
     */
    private ReplyEffect<Event, State> afterStaleStep(State state, long resultStep) {
        if (resultStep == step) {
            stepDone();
            prepared = null;
            pendingFailure = null;
            proceed(state);
        }
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> onCancel(State state, Cancel cancel) {
        if (!state.holdsUpTo(cancel.taskId(), cancel.generation())) {
            // not here, or here only in a later generation (retried since): nothing of this run to stop
            return Effect().reply(cancel.replyTo(), new Cancelled(cancel.taskId(), false));
        }
        if (state.headIs(cancel.taskId(), held -> held <= cancel.generation())) {
            if (stepInFlight && timers.isTimerActive(new RetryStep(step))) {
                timers.cancel(new RetryStep(step));
                stepDone();
            }
            prepared = null;
            pendingFailure = null;
        }
        context.getLog().info("Task {} cancelled in slot {}", cancel.taskId(), slot);
        // A step still in flight for it finishes first; its result is then stale and the slot moves on.
        return persist(new TaskCancelled(cancel.taskId(), cancel.generation()))
                .thenRun(this::proceed)
                .thenReply(cancel.replyTo(), s -> new Cancelled(cancel.taskId(), true));
    }

    private ReplyEffect<Event, State> onAccept(State state, Accept accept) {
        List<QueuedTask> fresh = state.notHeld(accept.tasks());
        Accepted acknowledged = new Accepted(accept.tasks().size());
        if (fresh.isEmpty()) {
            return Effect().reply(accept.replyTo(), acknowledged);
        }
        TasksAccepted accepted = new TasksAccepted(fresh);
        // An idle slot starts its next task while the hand-over is written (see persistAndGoOn): the
        // task is stored already, and its chunk's effect marker keeps a lost write from running it twice.
        proceed(state.after(accepted));
        return persist(accepted)
                .thenRun(this::proceed)
                .thenReply(accept.replyTo(), s -> acknowledged);
    }

    private ReplyEffect<Event, State> onPrepared(State state, Prepared message) {
        PreparedTask task = message.task();
        stepDone();
        if (task.finished()) {
            return moveOn(state, new TaskSkipped(task.taskId(), task.generation()));
        }
        prepared = task;
        proceed(state);
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> onChunkDone(State state, ChunkDone done) {
        stepDone();
        prepared = prepared.withChunk(done.outcome());
        if (prepared.committed().size() == prepared.chunkCount()) {
            // the last chunk's transaction stored the task's success with the chunk
            return moveOn(state, new TaskSucceeded(done.taskId(), done.generation()));
        }
        proceed(state);
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> onStepFailed(State state, StepFailed failed) {
        Throwable failure = failed.failure();
        if (failure instanceof RunOverException) {
            context.getLog().info("Task {} in slot {}: {}", failed.taskId(), slot, failure.getMessage());
            return moveOn(state, new TaskSkipped(failed.taskId(), failed.generation()));
        }
        boolean storingFailure = pendingFailure != null;
        if (storingFailure || Faults.isTransient(failure) && failedTries + 1 < retry.maxAttempts()) {
            // Storing a failure is retried for as long as it takes: the slot cannot move on without it.
            failedTries++;
            reporting.metrics().retried(slot.taskType());
            Duration wait = retry.backoff(failedTries);
            context.getLog().warn("Task {} in slot {}: try {} failed, retrying in {} ms: {}",
                    failed.taskId(), slot, failedTries, wait.toMillis(), failure.toString());
            timers.startSingleTimer(new RetryStep(step), wait);
            return Effect().noReply();
        }
        // The one place a task's failure is logged with its stack trace; the task keeps the reference.
        String reference = TaskLog.newReference();
        context.getLog().error("Task {} in slot {} failed, reference {}", failed.taskId(), slot, reference, failure);
        failedTries = 0;
        pendingFailure = new PendingFailure(failed.taskId(), failed.generation(), failure, reference);
        storeFailure();
        return Effect().noReply();
    }

    private ReplyEffect<Event, State> moveOn(State state, RunEnded end) {
        stepDone();
        prepared = null;
        pendingFailure = null;
        return persistAndGoOn(state, end);
    }

    /**
     * Persists the end of a run and starts the slot's next step at once, from the state the event
     * leads to: the next task is read (or, when this engine has just submitted it, its first chunk
     * runs) while the journal writes the end of the one before, instead of after it. Safe, because the end is recorded where it happened (in the store): if the
     * write is lost with a crash, the task is found final when it comes round again, and only its
     * removal from the queue is repeated. A result that arrives before the write is done waits
     * (the behavior stashes it), so events keep their order.
     */
    private ReplyEffect<Event, State> persistAndGoOn(State state, Event event) {
        proceed(state.after(event));
        return persist(event).thenRun(this::proceed).thenNoReply();
    }

    /** Persists an event and reports how long the journal took to take it. */
    private EffectBuilder<Event, State> persist(Event event) {
        long started = System.nanoTime();
        return Effect().persist(event).thenRun(state ->
                reporting.metrics().journalWrite(slot.taskType(), Duration.ofNanos(System.nanoTime() - started)));
    }

    private void forgetStepInFlight() {
        step = Math.max(step + 1, System.nanoTime());
        stepInFlight = false;
        failedTries = 0;
        prepared = null;
        pendingFailure = null;
    }

    private void stepDone() {
        stepInFlight = false;
        failedTries = 0;
    }

    /** Starts the next step of the slot's work, unless one is in flight. */
    private void proceed(State state) {
        reporting.queueDepth().set(state.size());
        if (stepInFlight) {
            return;
        }
        if (pendingFailure != null) {
            storeFailure();
            return;
        }
        QueuedTask head = state.head();
        if (head == null) {
            prepared = null;
            return;
        }
        if (prepared == null || !prepared.taskId().equals(head.taskId()) || prepared.generation() < head.generation()) {
            prepared = null;
            prepare(head);
        } else if (prepared.committed().size() < prepared.chunkCount()) {
            runChunk(prepared);
        } else {
            finish(prepared); // every chunk had committed before the task's end was stored
        }
    }

    private long startStep() {
        stepInFlight = true;
        return ++step;
    }

    /** @param head the entry it prepares; the store may hold a newer generation of it */
    private void prepare(QueuedTask head) {
        long thisStep = startStep();
        CompletableFuture<PreparedTask> preparing = work.prepare(slot, head.taskId()).toCompletableFuture();
        if (preparing.isDone() && !preparing.isCompletedExceptionally()) {
            // A task this engine has just submitted is ready at once: its first chunk starts now,
            // while the end of the task before it may still be being journaled, instead of after.
            PreparedTask task = preparing.join();
            if (!task.finished() && task.generation() >= head.generation()) {
                stepDone();
                prepared = task;
                runChunk(task);
                return;
            }
        }
        context.pipeToSelf(preparing, (task, failure) -> failure == null
                ? new Prepared(thisStep, task)
                : new StepFailed(thisStep, head.taskId(), head.generation(), Faults.unwrap(failure)));
    }

    private void runChunk(PreparedTask task) {
        long thisStep = startStep();
        int chunk = task.committed().size();
        context.pipeToSelf(work.runChunk(task, chunk, failedTries + 1, task.progress()),
                (outcome, failure) -> failure == null
                        ? new ChunkDone(thisStep, task.taskId(), task.generation(), chunk, outcome)
                        : new StepFailed(thisStep, task.taskId(), task.generation(), Faults.unwrap(failure)));
    }

    private void finish(PreparedTask task) {
        long thisStep = startStep();
        context.pipeToSelf(work.succeed(task),
                (stored, failure) -> failure == null
                        ? new Finished(thisStep, task.taskId(), task.generation(), stored)
                        : new StepFailed(thisStep, task.taskId(), task.generation(), Faults.unwrap(failure)));
    }

    private void storeFailure() {
        long thisStep = startStep();
        PendingFailure pending = pendingFailure;
        context.pipeToSelf(work.fail(slot, pending.taskId(), pending.generation(), pending.failure(), pending.reference()),
                (stored, storeFailure) -> storeFailure == null
                        ? new FailureStored(thisStep, pending.taskId(), pending.generation(), pending.failure().toString(), stored)
                        : new StepFailed(thisStep, pending.taskId(), pending.generation(), Faults.unwrap(storeFailure)));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onAnyEvent(State::after);
    }
}

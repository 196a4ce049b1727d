package dev.taskbridge.engine.slot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import dev.taskbridge.engine.JsonSerializable;
import dev.taskbridge.engine.TaskLog;
import com.fasterxml.jackson.annotation.JsonCreator;
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
 * <p><b>Commands</b>: {@link Accept} hands a task to the slot (idempotent: a task the slot already
 * holds is acknowledged again, not queued twice); {@link Cancel} drops one; {@link GetQueue} shows
 * what it holds. The other commands are the slot's own: the results of work it started off its
 * thread.
 *
 * <p><b>Events</b>: {@link TaskAccepted}, {@link TaskStarted}, {@link ChunkCommitted},
 * {@link TaskSucceeded}, {@link TaskFailed}, {@link TaskSkipped}, {@link TaskCancelled}.
 *
 * <p><b>State</b>: only unfinished work: the running task with the counts of the chunks it has
 * committed, and the ids of the tasks waiting behind it. Payloads, chunk outcomes and results stay
 * in the task store and the effect markers, so events, state and snapshots stay small whatever a
 * plugin reports.
 *
 * <p><b>Generations</b>: every entry names the run generation of its task
 * ({@link dev.taskbridge.engine.store.TaskRecord#runGeneration()}), and so does every result of a
 * step and every event that ends a run. A retry starts a new generation, so whatever a cancelled
 * run still reports after its task was retried is recognised as the old run's and changes nothing
 * of the new one.
 *
 * <p>All blocking work (loading, parsing, running chunks, storing results) goes through
 * {@link TaskWork} on another thread; the slot reacts to its results as messages, one at a time,
 * so a task's steps never overlap and no lock is needed. After a restart the slot recovers its
 * state from the journal and carries on where the last committed chunk left it.
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
     * Hand a task to this slot; it answers once the hand-over is journaled.
     *
     * @param generation the task's run generation when it was handed over
     */
    public record Accept(String taskId, int generation, ActorRef<Accepted> replyTo) implements Command, JsonSerializable {
    }

    public record Accepted(String taskId) implements JsonSerializable {
    }

    /** What the slot holds right now. */
    public record GetQueue(ActorRef<QueueView> replyTo) implements Command, JsonSerializable {
    }

    /**
     * @param running         the task being run, or null
     * @param chunksCommitted chunks of the running task already committed
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

    private record ChunkDone(long step, String taskId, int generation, int chunk, ChunkOutcome outcome) implements Command {
    }

    /** @param stored false when the store refused the end: the run was over already (cancelled, or retried) */
    private record Finished(long step, String taskId, int generation, boolean stored) implements Command {
    }

    private record FailureStored(long step, String taskId, int generation, String message, boolean stored)
            implements Command {
    }

    /** @param generation of the entry the step worked for */
    private record StepFailed(long step, String taskId, int generation, Throwable failure) implements Command {
    }

    private record RetryStep(long step) implements Command {
    }

    // --- events -----------------------------------------------------------------------------

    /** Everything a slot journals. */
    public sealed interface Event extends JsonSerializable {
        String taskId();

        /** The run generation the event is about (0 in events journaled before generations existed). */
        int generation();
    }

    public record TaskAccepted(String taskId, int generation) implements Event {
    }

    public record TaskStarted(String taskId, int chunkCount, int generation) implements Event {
    }

    /** Counts only: the chunk's outcome is in its effect marker, written with its effects. */
    public record ChunkCommitted(String taskId, int chunk, int itemsDone, int itemsFailed, int generation)
            implements Event {
    }

    public record TaskSucceeded(String taskId, int generation) implements Event {
    }

    public record TaskFailed(String taskId, String error, int generation) implements Event {
    }

    /**
     * The run of that generation is over without this slot ending it: the task was final already
     * (finished before a crash, cancelled, unknown), or the store refused the run's end because the
     * task was cancelled or retried meanwhile.
     */
    public record TaskSkipped(String taskId, int generation) implements Event {
    }

    public record TaskCancelled(String taskId, int generation) implements Event {
    }

    // --- state ------------------------------------------------------------------------------

    /** A committed chunk's counts (its outcome is in its effect marker). */
    public record CommittedChunk(int itemsDone, int itemsFailed) implements JsonSerializable {
    }

    /** A task waiting in a slot, in the run generation it was handed over in. */
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

    /** The task a slot is running, in which generation, and the chunks it committed so far. */
    public record RunningTask(String taskId, int chunkCount, List<CommittedChunk> chunks, int generation)
            implements JsonSerializable {

        RunningTask withChunk(CommittedChunk chunk) {
            List<CommittedChunk> more = new ArrayList<>(chunks);
            more.add(chunk);
            return new RunningTask(taskId, chunkCount, List.copyOf(more), generation);
        }

        boolean is(String id, int runGeneration) {
            return taskId.equals(id) && generation == runGeneration;
        }

        TaskWork.Progress progress() {
            long done = 0;
            long failed = 0;
            for (CommittedChunk chunk : chunks) {
                done += chunk.itemsDone();
                failed += chunk.itemsFailed();
            }
            return new TaskWork.Progress(done, failed);
        }
    }

    /**
     * @param running the task in progress, or null
     * @param waiting accepted tasks not started yet, oldest first
     */
    public record State(RunningTask running, List<QueuedTask> waiting) implements JsonSerializable {

        static final State EMPTY = new State(null, List.of());

        /** Whether the slot holds the task in that generation or a later one. */
        boolean holds(String taskId, int generation) {
            return holds(taskId, held -> held >= generation);
        }

        /** Whether the slot holds the task in that generation or an earlier one. */
        boolean holdsUpTo(String taskId, int generation) {
            return holds(taskId, held -> held <= generation);
        }

        private boolean holds(String taskId, IntPredicate generations) {
            return runs(taskId, generations) || waiting.stream().anyMatch(queued -> queued.is(taskId, generations));
        }

        /** Whether the task runs, in a generation that {@code generations} takes. */
        boolean runs(String taskId, IntPredicate generations) {
            return running != null && running.taskId().equals(taskId) && generations.test(running.generation());
        }

        boolean isIdle() {
            return running == null && waiting.isEmpty();
        }

        /** The task to start next, if nothing runs. */
        QueuedTask next() {
            return waiting.isEmpty() ? null : waiting.get(0);
        }

        State accept(String taskId, int generation) {
            List<QueuedTask> more = new ArrayList<>(waiting.size() + 1);
            boolean updated = false;
            for (QueuedTask queued : waiting) {
                if (queued.taskId().equals(taskId)) {
                    // an older generation of it still waits: it keeps its place, in the newer generation
                    more.add(new QueuedTask(taskId, Math.max(generation, queued.generation())));
                    updated = true;
                } else {
                    more.add(queued);
                }
            }
            if (!updated) {
                more.add(new QueuedTask(taskId, generation));
            }
            return new State(running, List.copyOf(more));
        }

        State start(String taskId, int chunkCount, int generation) {
            return new State(new RunningTask(taskId, chunkCount, List.of(), generation), without(taskId, generation));
        }

        State commit(ChunkCommitted committed) {
            if (running == null || !running.is(committed.taskId(), committed.generation())
                    || committed.chunk() != running.chunks().size()) {
                return this; // never journaled by a slot that checks its results; tolerated on replay
            }
            return new State(running.withChunk(new CommittedChunk(committed.itemsDone(), committed.itemsFailed())), waiting);
        }

        /** Drops the task's entries of that generation and older ones; a newer generation stays. */
        State remove(String taskId, int generation) {
            RunningTask stillRunning = runs(taskId, held -> held <= generation) ? null : running;
            return new State(stillRunning, without(taskId, generation));
        }

        private List<QueuedTask> without(String taskId, int generation) {
            List<QueuedTask> kept = waiting.stream().filter(queued -> !queued.is(taskId, held -> held <= generation)).toList();
            return kept.size() == waiting.size() ? waiting : kept;
        }

        /** The state an event leads to: what the event handler makes of it. */
        State after(Event event) {
            if (event instanceof TaskAccepted accepted) {
                return accept(accepted.taskId(), accepted.generation());
            } else if (event instanceof TaskStarted started) {
                return start(started.taskId(), started.chunkCount(), started.generation());
            } else if (event instanceof ChunkCommitted committed) {
                return commit(committed);
            }
            // TaskSucceeded, TaskFailed, TaskSkipped, TaskCancelled: that run of the task is over
            return remove(event.taskId(), event.generation());
        }

        QueueView view() {
            return new QueueView(running == null ? null : running.taskId(),
                    running == null ? 0 : running.chunks().size(),
                    waiting.stream().map(QueuedTask::taskId).toList());
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

    /** The running task's plugin and parsed payload; rebuilt after a restart. */
    private PreparedTask prepared;
    /** A step of the running task is in flight (or waiting to be retried). */
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
        // Every line the slot logs while handling a message about a task carries that task's context.
        Behavior<Command> slotBehavior = Behaviors.withMdc(Command.class, TaskLog.context(reporting.node(), slot, null),
                command -> {
                    String taskId = taskOf(command);
                    return taskId == null ? Map.of() : TaskLog.context(reporting.node(), slot, taskId);
                },
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
            return accept.taskId();
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

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (state, signal) -> {
                    reporting.live().set(true);
                    if (!state.isIdle()) {
                        context.getLog().info("Slot {} resumes {} unfinished task(s)", slot,
                                state.waiting().size() + (state.running() == null ? 0 : 1));
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
                .onCommand(GetQueue.class, (state, get) -> Effect().reply(get.replyTo(), state.view()))
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Prepared.class, (state, prepared) -> isCurrent(state, prepared)
                        ? onPrepared(state, prepared) : afterStaleStep(state, prepared.step()))
                .onCommand(ChunkDone.class, (state, done) -> isCurrent(state, done.step(), done.taskId(), done.generation())
                        && done.chunk() == state.running().chunks().size()
                        ? onChunkDone(state, done) : afterStaleStep(state, done.step()))
                .onCommand(Finished.class, (state, done) -> isCurrent(state, done.step(), done.taskId(), done.generation())
                        ? moveOn(state, done.stored() ? new TaskSucceeded(done.taskId(), done.generation())
                                : new TaskSkipped(done.taskId(), done.generation()))
                        : afterStaleStep(state, done.step()))
                .onCommand(FailureStored.class, (state, stored) -> isCurrentFailure(state, stored)
                        ? moveOn(state, stored.stored() ? new TaskFailed(stored.taskId(), stored.message(), stored.generation())
                                : new TaskSkipped(stored.taskId(), stored.generation()))
                        : afterStaleStep(state, stored.step()))
                .onCommand(StepFailed.class, (state, failed) -> isCurrentFailure(state, failed)
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

    /** Whether a step's result is the one the slot waits for, about the run it is running. */
    private boolean isCurrent(State state, long resultStep, String taskId, int generation) {
        return resultStep == step && state.running() != null && state.running().is(taskId, generation);
    }

    /**
     * Whether a prepared task is the one the slot waits for: the running task (resumed after a
     * restart), or the next waiting one, read in the generation it waits in or a later one (its
     * retry's hand-over may still be on its way).
     */
    private boolean isCurrent(State state, Prepared prepared) {
        if (prepared.step() != step) {
            return false;
        }
        PreparedTask task = prepared.task();
        RunningTask running = state.running();
        if (running != null) {
            return running.taskId().equals(task.taskId()) && task.generation() >= running.generation();
        }
        QueuedTask next = state.next();
        return next != null && next.taskId().equals(task.taskId()) && task.generation() >= next.generation();
    }

    /** A failure of the step in flight, or of storing a failure: about the running task, or the one being prepared. */
    private boolean isCurrentFailure(State state, StepFailed failed) {
        return isCurrentFailure(state, failed.step(), failed.taskId(), failed.generation());
    }

    private boolean isCurrentFailure(State state, FailureStored stored) {
        return isCurrentFailure(state, stored.step(), stored.taskId(), stored.generation());
    }

    private boolean isCurrentFailure(State state, long resultStep, String taskId, int generation) {
        if (resultStep != step) {
            return false;
        }
        RunningTask running = state.running();
        if (running != null) {
            return running.is(taskId, generation);
        }
        QueuedTask next = state.next();
        return next != null && next.taskId().equals(taskId) && next.generation() == generation;
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
        IntPredicate cancelledRun = held -> held <= cancel.generation();
        boolean runningNow = state.runs(cancel.taskId(), cancelledRun);
        boolean preparingNow = state.running() == null && state.next() != null
                && state.next().is(cancel.taskId(), cancelledRun);
        boolean waitingForRetry = stepInFlight && timers.isTimerActive(new RetryStep(step));
        if ((runningNow || preparingNow) && waitingForRetry) {
            timers.cancel(new RetryStep(step));
            stepDone();
        }
        if (runningNow || preparingNow) {
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
        if (state.holds(accept.taskId(), accept.generation())) {
            return Effect().reply(accept.replyTo(), new Accepted(accept.taskId()));
        }
        TaskAccepted accepted = new TaskAccepted(accept.taskId(), accept.generation());
        // an idle slot prepares the task while the hand-over is written (see persistAndGoOn)
        proceed(state.after(accepted));
        return persist(accepted)
                .thenRun(this::proceed)
                .thenReply(accept.replyTo(), s -> new Accepted(accept.taskId()));
    }

    private ReplyEffect<Event, State> onPrepared(State state, Prepared message) {
        PreparedTask task = message.task();
        stepDone();
        if (task.finished()) {
            return moveOn(state, new TaskSkipped(task.taskId(), task.generation()));
        }
        prepared = task;
        RunningTask running = state.running();
        if (running != null && running.is(task.taskId(), task.generation())) {
            proceed(state); // resumed after a restart: carry on after the last committed chunk
            return Effect().noReply();
        }
        return persistAndGoOn(state, new TaskStarted(task.taskId(), task.chunkCount(), task.generation()));
    }

    private ReplyEffect<Event, State> onChunkDone(State state, ChunkDone done) {
        stepDone();
        ChunkOutcome outcome = done.outcome();
        return persistAndGoOn(state, new ChunkCommitted(done.taskId(), done.chunk(), outcome.itemsDone(),
                outcome.itemsFailed(), done.generation()));
    }

    private ReplyEffect<Event, State> onStepFailed(State state, StepFailed failed) {
        Throwable failure = failed.failure();
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

    private ReplyEffect<Event, State> moveOn(State state, Event finalEvent) {
        stepDone();
        prepared = null;
        pendingFailure = null;
        return persistAndGoOn(state, finalEvent);
    }

    /**
     * Persists an event and starts the slot's next step at once, from the state the event leads
     * to: the next chunk runs while the journal writes the one before, instead of after it. Safe,
     * because what a step did is recorded where it happened (a chunk's outcome in its effect
     * marker, a task's end in the store): if the write is lost with a crash, the step is found
     * done when it comes round again, and only its record is repeated. A result that arrives
     * before the write is done waits (the behavior stashes it), so events keep their order.
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

    private void stepDone() {
        stepInFlight = false;
        failedTries = 0;
    }

    /** Starts the next step of the slot's work, unless one is in flight. */
    private void proceed(State state) {
        reporting.queueDepth().set(state.waiting().size() + (state.running() == null ? 0 : 1));
        if (stepInFlight) {
            return;
        }
        if (pendingFailure != null) {
            storeFailure();
            return;
        }
        RunningTask running = state.running();
        if (running == null) {
            if (!state.waiting().isEmpty()) {
                prepare(state.next().taskId(), state.next().generation());
            }
            return;
        }
        if (prepared == null || !prepared.taskId().equals(running.taskId()) || prepared.generation() != running.generation()) {
            prepare(running.taskId(), running.generation());
        } else if (running.chunks().size() < running.chunkCount()) {
            runChunk(running);
        } else {
            finish(running);
        }
    }

    private long startStep() {
        stepInFlight = true;
        return ++step;
    }

    /** @param generation of the entry it prepares; the store may hold a newer one */
    private void prepare(String taskId, int generation) {
        long thisStep = startStep();
        context.pipeToSelf(work.prepare(slot, taskId), (task, failure) -> failure == null
                ? new Prepared(thisStep, task)
                : new StepFailed(thisStep, taskId, generation, Faults.unwrap(failure)));
    }

    private void runChunk(RunningTask running) {
        long thisStep = startStep();
        int chunk = running.chunks().size();
        int generation = running.generation();
        context.pipeToSelf(work.runChunk(prepared, chunk, failedTries + 1, running.progress()),
                (outcome, failure) -> failure == null
                        ? new ChunkDone(thisStep, running.taskId(), generation, chunk, outcome)
                        : new StepFailed(thisStep, running.taskId(), generation, Faults.unwrap(failure)));
    }

    private void finish(RunningTask running) {
        long thisStep = startStep();
        int generation = running.generation();
        context.pipeToSelf(work.succeed(prepared),
                (stored, failure) -> failure == null
                        ? new Finished(thisStep, running.taskId(), generation, stored)
                        : new StepFailed(thisStep, running.taskId(), generation, Faults.unwrap(failure)));
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

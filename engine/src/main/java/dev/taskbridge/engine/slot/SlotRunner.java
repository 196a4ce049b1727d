package dev.taskbridge.engine.slot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import dev.taskbridge.engine.TaskLog;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.Slot.QueuedTask;
import dev.taskbridge.plugin.ChunkOutcome;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs the tasks at the head of its slot's queue, started in the queue's order, chunk by chunk,
 * at most {@code runsAtOnce} of them at a time (one, unless the task type says its tasks may
 * overlap: note 034), and tells the slot which runs ended, in batches. A child of its {@link Slot}.
 *
 * <p>The slot holds what is durable (its queue, in its journal) and changes it only in its
 * event handlers. Everything about the work in flight lives here instead: which runs are under
 * way, their plugins and parsed payloads, the step in flight of each and its tries, failures still
 * to be stored, runs that ended but are still in the queue. None of it is a fact without a home
 * elsewhere (the task's row and its chunks' effect markers), so none of it is journaled: a runner
 * that starts afresh reads it back from the store.
 *
 * <p>Because the runner is not the slot, it goes on with the next task while the slot journals
 * the end of the one before: a slot's journal write no longer holds up its next chunk, and the
 * ends that come while one is being written are journaled together, as one event.
 *
 * <p>The slot sends the head of its queue ({@link Work}) after every event; the runner works
 * through it, skipping the runs it has ended and not yet seen leave the queue. A run whose entry
 * leaves the queue without the runner ending it was cancelled; one whose entry comes back in a
 * later generation was retried: either way its run is over, whatever its step in flight still
 * reports (every step has a number, and a result of any step but a run's current one is stale).
 * A run that is over keeps its place among the runs under way until its step in flight reports:
 * until then no other run of its task, or of its order key, starts.
 *
 * <p>Whatever {@code runsAtOnce} allows, a task never has two steps in flight (so never two
 * chunks), and a task with an order key starts only when no run of its key is under way and none
 * waits before it in the queue: the tasks of one key still run one after another, in order.
 */
final class SlotRunner extends AbstractBehavior<SlotRunner.Command> {

    /** Queue entries the slot sends at most: how far the runner can run ahead of the slot's journal. */
    static final int AHEAD = 64; // four times the most tasks a slot runs at once: room for ends the journal has yet to take

    /** No report of ended runs is in flight, or confirmed. */
    static final long NO_REPORT = -1;
    /** How soon a runner of a paused task type looks again: how long a resume may take to show. */
    static final Duration PAUSED_LOOK_EVERY = Duration.ofMillis(200);

    sealed interface Command {
    }

    /**
     * The slot's queue after its latest event (immutable: the runner reads it, never the slot's
     * field). The runner works through its first {@link #AHEAD} entries.
     *
     * @param confirmed the report of ended runs whose event this queue has applied, or {@link #NO_REPORT}
     * @param recovered the slot has recovered from its journal: reports it did not confirm are lost
     */
    record Work(Slot.State queue, long confirmed, boolean recovered) implements Command {
    }

    private record Prepared(long step, PreparedTask task) implements Command {
    }

    private record ChunkDone(long step, int chunk, ChunkOutcome outcome) implements Command {
    }

    /** @param stored false when the store refused the end: the run was over already (cancelled, or retried) */
    private record Finished(long step, boolean stored) implements Command {
    }

    private record FailureStored(long step, boolean stored) implements Command {
    }

    private record StepFailed(long step, Throwable failure) implements Command {
    }

    /** The runner's task type was paused when it last looked: it looks again. */
    private enum LookAgain implements Command { INSTANCE }

    private record RetryStep(long step) implements Command {
    }

    /**
     * The slot hands itself over to another node ({@link Slot.HandOff}): start no step from now
     * on, and tell it once no step is under way and every end is journaled.
     */
    record Drain(ActorRef<Slot.Command> slot) implements Command {
    }

    /** Why a run ended, for the log: the slot journals only that it ended. */
    private enum End { SUCCEEDED, FAILED, SKIPPED }

    /** A run under way: one queue entry, and what the runner has read and tried of it. */
    private static final class Run {

        final String taskId;
        /** The entry's generation; the store may hold a newer one, read into {@link #prepared}. */
        final int entryGeneration;
        /** The priority under which its entry waits in the slot's queue. */
        final int priority;
        /** Its task's order key, or null. */
        final String orderKey;
        /** Every message about the run is handled in it; with the task's trace id once it is read. */
        Map<String, String> logContext;
        /** Its plugin, parsed payload and committed chunks; null until read. */
        PreparedTask prepared;
        /** Tries of the current step that failed for a transient reason. */
        int failedTries;
        /** Its failure, logged under {@code reference}, still to be stored. */
        Throwable failure;
        String reference;
        /** The number of its step in flight, while {@link #stepInFlight}. */
        long step;
        /** A step is under way, or waits for its retry. */
        boolean stepInFlight;
        /** Its entry left the queue (cancelled, or retried): it ends when its step in flight reports. */
        boolean over;

        Run(QueuedTask entry, Map<String, String> logContext) {
            this.taskId = entry.taskId();
            this.entryGeneration = entry.generation();
            this.priority = entry.priority();
            this.orderKey = entry.orderKey();
            this.logContext = logContext;
        }

        int generation() {
            return prepared != null ? prepared.generation() : entryGeneration;
        }
    }

    private final SlotId slot;
    private final ActorRef<Slot.Command> slotRef;
    private final TimerScheduler<Command> timers;
    private final TaskWork work;
    private final RetrySettings retry;
    private final SlotReporting reporting;
    private final int runsAtOnce;

    /** The slot's queue, as last sent. */
    private Slot.State queue = Slot.State.EMPTY;
    /** Its first {@link #AHEAD} entries, in the order they start. */
    private List<QueuedTask> head = List.of();
    /** Runs ended and still in the queue (their removal not journaled yet): task id to generation. */
    private final Map<String, Integer> ended = new HashMap<>();
    /** Ended runs not reported to the slot yet. */
    private final List<QueuedTask> unreported = new ArrayList<>();
    /** The report the slot is journaling, or null. */
    private List<QueuedTask> reportInFlight;
    /** Starts from the clock, so that a report of an earlier runner of the slot is never taken for one of this runner's. */
    private long reportNumber = System.nanoTime();

    /** The runs under way, by task id, in the order they started. */
    private final Map<String, Run> runs = new LinkedHashMap<>();
    /**
     * Number of the step last started; results of steps no run waits for are stale. Starts from
     * the clock so that a runner started again never takes a number an earlier one used.
     */
    private long lastStep = System.nanoTime();
    /** The slot that hands itself over and waits for the steps under way to end, or null. */
    private ActorRef<Slot.Command> drainingFor;
    /** {@link #proceed} is under way: a call from within it (a step that completed at once) makes it look again instead. */
    private boolean proceeding;
    private boolean proceedAgain;

    private SlotRunner(ActorContext<Command> context, TimerScheduler<Command> timers, SlotId slot,
                       ActorRef<Slot.Command> slotRef, TaskWork work, RetrySettings retry, SlotReporting reporting,
                       int runsAtOnce) {
        super(context);
        this.slot = slot;
        this.slotRef = slotRef;
        this.timers = timers;
        this.work = work;
        this.retry = retry;
        this.reporting = reporting;
        this.runsAtOnce = runsAtOnce;
    }

    static Behavior<Command> create(SlotId slot, ActorRef<Slot.Command> slotRef, TaskWork work, RetrySettings retry,
                                    SlotReporting reporting, int runsAtOnce) {
        if (runsAtOnce < 1) {
            throw new IllegalArgumentException("a slot runs at least 1 task at once, was " + runsAtOnce);
        }
        return Behaviors.withMdc(Command.class, TaskLog.context(reporting.node(), slot, null),
                Behaviors.setup(context -> Behaviors.withTimers(
                        timers -> new SlotRunner(context, timers, slot, slotRef, work, retry, reporting, runsAtOnce))));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Work.class, this::onWork)
                .onMessage(Prepared.class, prepared -> onResult(prepared.step(), run -> onPrepared(run, prepared.task())))
                .onMessage(ChunkDone.class, done -> onResult(done.step(), run -> onChunkDone(run, done.outcome())))
                .onMessage(Finished.class, finished -> onResult(finished.step(),
                        run -> end(run, finished.stored() ? End.SUCCEEDED : End.SKIPPED)))
                .onMessage(FailureStored.class, stored -> onResult(stored.step(),
                        run -> end(run, stored.stored() ? End.FAILED : End.SKIPPED)))
                .onMessage(StepFailed.class, failed -> onResult(failed.step(), run -> onStepFailed(run, failed.failure())))
                .onMessage(Drain.class, drain -> {
                    drainingFor = drain.slot();
                    proceed();
                    return this;
                })
                .onMessage(LookAgain.class, again -> {
                    proceed();
                    return this;
                })
                .onMessage(RetryStep.class, retryStep -> {
                    Run run = waitingFor(retryStep.step());
                    if (run != null) {
                        run.stepInFlight = false;
                        proceed();
                    }
                    return this;
                })
                .build();
    }

    /**
     * Handles the result of a step in the logging context of its run, if a run waits for it: a
     * result of any other step is stale, and one of a run that is over ends that run.
     */
    private Behavior<Command> onResult(long step, Consumer<Run> handler) {
        Run run = waitingFor(step);
        if (run == null) {
            return this; // from before a reset, or of a step whose retry was cancelled
        }
        run.stepInFlight = false;
        if (run.over) {
            runs.remove(run.taskId); // its result changes nothing; its task, or its key, may start again
            proceed();
            return this;
        }
        try (TaskLog.Scope scope = TaskLog.enter(run.logContext)) {
            handler.accept(run);
        }
        return this;
    }

    /** The run whose step in flight is {@code step}, or null. */
    private Run waitingFor(long step) {
        for (Run run : runs.values()) {
            if (run.stepInFlight && run.step == step) {
                return run;
            }
        }
        return null;
    }

    // --- the slot's queue ---------------------------------------------------------------------

    private Behavior<Command> onWork(Work work) {
        if (work.recovered()) {
            // the slot's journal lost what was being written: report every end again
            reportInFlight = null;
            unreported.clear();
            ended.forEach((taskId, generation) -> unreported.add(new QueuedTask(taskId, generation)));
        } else if (reportInFlight != null && work.confirmed() == reportNumber) {
            for (QueuedTask journaled : reportInFlight) {
                ended.remove(journaled.taskId(), journaled.generation());
            }
            reportInFlight = null;
        }
        queue = work.queue();
        head = queue.first(AHEAD);
        for (Run run : List.copyOf(runs.values())) {
            if (!run.over && !stillQueued(run)) {
                try (TaskLog.Scope scope = TaskLog.enter(run.logContext)) {
                    getContext().getLog().info("Task {} left slot {} while it ran (cancelled, or retried)", run.taskId, slot);
                }
                run.over = true;
                if (run.stepInFlight && timers.isTimerActive(new RetryStep(run.step))) {
                    timers.cancel(new RetryStep(run.step)); // nothing in flight: only a retry was waiting
                    run.stepInFlight = false;
                }
                if (!run.stepInFlight) {
                    runs.remove(run.taskId);
                }
            }
        }
        report();
        proceed();
        return this;
    }

    /**
     * Whether the run's entry is still in the queue, in the run's generation or an earlier one.
     * Looked for in the head first, where it almost always is; tasks of a higher priority that
     * came after it started may have pushed it further back.
     */
    private boolean stillQueued(Run candidate) {
        for (QueuedTask entry : head) {
            if (entry.taskId().equals(candidate.taskId)) {
                return entry.generation() <= candidate.generation();
            }
        }
        return head.size() == AHEAD && queue.holdsUpTo(candidate.taskId, candidate.generation(), candidate.priority);
    }

    private boolean hasEnded(QueuedTask entry) {
        Integer generation = ended.get(entry.taskId());
        return generation != null && generation >= entry.generation();
    }

    /** Tells the slot the runs that ended since the last report, unless it is journaling one. */
    private void report() {
        if (reportInFlight != null || unreported.isEmpty()) {
            return;
        }
        reportInFlight = List.copyOf(unreported);
        unreported.clear();
        slotRef.tell(new Slot.ReportEnds(++reportNumber, reportInFlight));
    }

    // --- the steps of a run -------------------------------------------------------------------

    /**
     * Starts the next step of every run under way that has none in flight, and starts runs while
     * there is room. A step that completes at once calls back into it; it then looks once more.
     */
    private void proceed() {
        if (drainingFor != null) {
            tellIfDrained();
            return; // handing over: the slot's next incarnation, on another node, takes the next steps
        }
        if (proceeding) {
            proceedAgain = true;
            return;
        }
        proceeding = true;
        try {
            do {
                proceedAgain = false;
                for (Run run : List.copyOf(runs.values())) {
                    if (!run.stepInFlight && runs.get(run.taskId) == run) {
                        advance(run);
                    }
                }
                while (runs.size() < runsAtOnce) {
                    QueuedTask next = nextToStart();
                    if (next == null) {
                        break; // idle, or ahead of the journal by as much as the slot shows
                    }
                    Run run = new Run(next, TaskLog.context(reporting.node(), slot, next.taskId()));
                    runs.put(run.taskId, run);
                    advance(run);
                }
            } while (proceedAgain);
        } finally {
            proceeding = false;
        }
    }

    /** Tells the slot that hands itself over when nothing of it runs or waits to be journaled any more. */
    private void tellIfDrained() {
        // While the engine stops, the steps asked for since its drain began never start nor answer,
        // and the drain waited for those under way: none of this slot's is still coming.
        if (!work.stopping()) {
            for (Run run : runs.values()) {
                if (run.stepInFlight && !timers.isTimerActive(new RetryStep(run.step))) {
                    return; // its result comes; a step that only waits for its retry is not under way
                }
            }
        }
        if (reportInFlight == null && unreported.isEmpty()) {
            drainingFor.tell(Slot.Drained.INSTANCE);
        }
    }

    /**
     * The first entry of the head that may start: not ended, not under way, and, if it has an
     * order key, none of its key under way or waiting before it. A task whose key is not known
     * runs alone, as every task did before keys were journaled.
     */
    private QueuedTask nextToStart() {
        for (Run run : runs.values()) {
            if (QueuedTask.KEY_NOT_KNOWN.equals(run.orderKey)) {
                return null; // it runs alone
            }
        }
        Set<String> keysTaken = null;
        for (QueuedTask entry : head) {
            if (hasEnded(entry)) {
                continue;
            }
            String key = entry.orderKey();
            if (QueuedTask.KEY_NOT_KNOWN.equals(key)) {
                // queued before keys were journaled: it may share a key with any task, so it starts
                // when nothing runs, and nothing after it starts before it
                return runs.isEmpty() ? entry : null;
            }
            if (key != null) {
                if (keysTaken == null) {
                    keysTaken = keysUnderWay();
                }
                if (!keysTaken.add(key)) {
                    continue; // its key runs, or waits before it: so it waits too
                }
            }
            if (!runs.containsKey(entry.taskId())) {
                return entry; // else: under way, or its earlier run's step has yet to report
            }
        }
        return null;
    }

    private Set<String> keysUnderWay() {
        Set<String> keys = new HashSet<>();
        for (Run run : runs.values()) {
            if (run.orderKey != null) {
                keys.add(run.orderKey);
            }
        }
        return keys;
    }

    /** Starts the run's next step, which it has none in flight for. */
    private void advance(Run run) {
        try (TaskLog.Scope scope = TaskLog.enter(run.logContext)) {
            if (run.failure != null) {
                storeFailure(run); // an outcome decided already is stored, paused or not: no plugin code runs
            } else if (run.prepared != null && run.prepared.committed().size() == run.prepared.chunkCount()) {
                finish(run); // every chunk had committed before the task's end was stored
            } else if (pausedNow()) {
                return;
            } else if (run.prepared == null) {
                prepare(run);
            } else {
                runChunk(run);
            }
        }
    }

    /**
     * Whether the task type is paused; if so, the runner looks again a little later. On a timer,
     * not told: a resume reaches every runner of the type so, with no message a restarting slot
     * could lose. Only a runner with work waiting looks: a hand-over to an idle one brings its own.
     */
    private boolean pausedNow() {
        if (!work.paused(slot.taskType())) {
            return false;
        }
        if (!timers.isTimerActive(LookAgain.INSTANCE)) {
            timers.startSingleTimer(LookAgain.INSTANCE, PAUSED_LOOK_EVERY);
        }
        return true;
    }

    private long startStep(Run run) {
        run.stepInFlight = true;
        run.step = ++lastStep;
        return run.step;
    }

    private void prepare(Run run) {
        long thisStep = startStep(run);
        CompletableFuture<PreparedTask> preparing = work.prepare(slot, run.taskId).toCompletableFuture();
        if (preparing.isDone() && !preparing.isCompletedExceptionally()) {
            // a task this engine has just submitted is ready at once: its first chunk starts now
            run.stepInFlight = false;
            onPrepared(run, preparing.join());
            return;
        }
        getContext().pipeToSelf(preparing, (task, failure) -> failure == null
                ? new Prepared(thisStep, task)
                : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void onPrepared(Run run, PreparedTask task) {
        if (task.finished()) {
            end(run, End.SKIPPED); // final already (finished before a crash, or cancelled), or unknown
            return;
        }
        if (task.generation() < run.entryGeneration) {
            // an earlier run's submission, kept from before a cancel and retry: read the task again
            proceed();
            return;
        }
        run.prepared = task;
        run.failedTries = 0;
        if (task.traceParent() != null) {
            run.logContext = TaskLog.context(reporting.node(), slot, run.taskId, task.traceParent());
        }
        proceed();
    }

    private void runChunk(Run run) {
        long thisStep = startStep(run);
        PreparedTask task = run.prepared;
        int chunk = task.committed().size();
        getContext().pipeToSelf(work.runChunk(task, chunk, run.failedTries + 1, task.progress()),
                (outcome, failure) -> failure == null
                        ? new ChunkDone(thisStep, chunk, outcome)
                        : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void onChunkDone(Run run, ChunkOutcome outcome) {
        run.prepared = run.prepared.withChunk(outcome);
        run.failedTries = 0;
        if (run.prepared.committed().size() == run.prepared.chunkCount()) {
            end(run, End.SUCCEEDED); // the last chunk's transaction stored the task's success with the chunk
        } else {
            proceed();
        }
    }

    private void finish(Run run) {
        long thisStep = startStep(run);
        getContext().pipeToSelf(work.succeed(run.prepared), (stored, failure) -> failure == null
                ? new Finished(thisStep, stored)
                : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void storeFailure(Run run) {
        long thisStep = startStep(run);
        getContext().pipeToSelf(work.fail(slot, run.taskId, run.generation(), run.failure, run.reference),
                (stored, failure) -> failure == null
                        ? new FailureStored(thisStep, stored)
                        : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void onStepFailed(Run run, Throwable failure) {
        if (failure instanceof RunOverException) {
            getContext().getLog().info("Task {} in slot {}: {}", run.taskId, slot, failure.getMessage());
            end(run, End.SKIPPED);
            return;
        }
        boolean storingFailure = run.failure != null;
        if (storingFailure || Faults.isTransient(failure) && run.failedTries + 1 < retry.maxAttempts()) {
            // Storing a failure is retried for as long as it takes: the slot cannot move on without it.
            run.failedTries++;
            reporting.metrics().retried(slot.taskType());
            Duration wait = retry.backoff(run.failedTries);
            getContext().getLog().warn("Task {} in slot {}: try {} failed, retrying in {} ms: {}",
                    run.taskId, slot, run.failedTries, wait.toMillis(), failure.toString());
            run.stepInFlight = true; // the step is not over until its retry
            timers.startSingleTimer(new RetryStep(run.step), wait);
            return;
        }
        // The one place a task's failure is logged with its stack trace; the task keeps the reference.
        run.reference = TaskLog.newReference();
        getContext().getLog().error("Task {} in slot {} failed, reference {}", run.taskId, slot, run.reference, failure);
        run.failedTries = 0;
        run.failure = failure;
        proceed();
    }

    /** The run is over: the slot is told, and the next task starts at once. */
    private void end(Run run, End how) {
        getContext().getLog().debug("Run {} of task {} in slot {} ended: {}", run.generation(), run.taskId, slot, how);
        ended.merge(run.taskId, run.generation(), Math::max);
        unreported.add(new QueuedTask(run.taskId, run.generation()));
        runs.remove(run.taskId);
        report();
        proceed();
    }
}

package dev.taskbridge.engine.slot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
 * Runs the tasks at the head of its slot's queue, one at a time, in order, chunk by chunk, and
 * tells the slot which runs ended, in batches. A child of its {@link Slot}.
 *
 * <p>The slot holds what is durable (its queue, in its journal) and changes it only in its
 * event handlers. Everything about the work in flight lives here instead: which run is current,
 * its plugin and parsed payload, the step in flight and its tries, a failure still to be stored,
 * runs that ended but are still in the queue. None of it is a fact without a home elsewhere (the
 * task's row and its chunks' effect markers), so none of it is journaled: a runner that starts
 * afresh reads it back from the store.
 *
 * <p>Because the runner is not the slot, it goes on with the next task while the slot journals
 * the end of the one before: a slot's journal write no longer holds up its next chunk, and the
 * ends that come while one is being written are journaled together, as one event.
 *
 * <p>The slot sends the head of its queue ({@link Work}) after every event; the runner works
 * through it, skipping the runs it has ended and not yet seen leave the queue. A run whose entry
 * leaves the queue without the runner ending it was cancelled; one whose entry comes back in a
 * later generation was retried: either way its run is over, whatever its step in flight still
 * reports (every step has a number, and a result of any other than the current one is stale).
 */
final class SlotRunner extends AbstractBehavior<SlotRunner.Command> {

    /** Queue entries the slot sends at most: how far the runner can run ahead of the slot's journal. */
    static final int AHEAD = 64;

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

    /** Why a run ended, for the log: the slot journals only that it ended. */
    private enum End { SUCCEEDED, FAILED, SKIPPED }

    /** The run the runner works on: one queue entry, and what it has read and tried of it. */
    private static final class Run {

        final String taskId;
        /** The entry's generation; the store may hold a newer one, read into {@link #prepared}. */
        final int entryGeneration;
        /** The priority under which its entry waits in the slot's queue. */
        final int priority;
        /** Every message about the run is handled in it; with the task's trace id once it is read. */
        Map<String, String> logContext;
        /** Its plugin, parsed payload and committed chunks; null until read. */
        PreparedTask prepared;
        /** Tries of the current step that failed for a transient reason. */
        int failedTries;
        /** Its failure, logged under {@code reference}, still to be stored. */
        Throwable failure;
        String reference;

        Run(QueuedTask entry, Map<String, String> logContext) {
            this.taskId = entry.taskId();
            this.entryGeneration = entry.generation();
            this.priority = entry.priority();
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

    private Run run;
    /**
     * Number of the step last started; results of other steps are stale. Starts from the clock so
     * that a runner started again never takes a number an earlier one used.
     */
    private long step = System.nanoTime();
    /** The run the step in flight works for: another one than {@link #run} if that was cancelled meanwhile. */
    private Run stepRun;
    private boolean stepInFlight;

    private SlotRunner(ActorContext<Command> context, TimerScheduler<Command> timers, SlotId slot,
                       ActorRef<Slot.Command> slotRef, TaskWork work, RetrySettings retry, SlotReporting reporting) {
        super(context);
        this.slot = slot;
        this.slotRef = slotRef;
        this.timers = timers;
        this.work = work;
        this.retry = retry;
        this.reporting = reporting;
    }

    static Behavior<Command> create(SlotId slot, ActorRef<Slot.Command> slotRef, TaskWork work, RetrySettings retry,
                                    SlotReporting reporting) {
        return Behaviors.withMdc(Command.class, TaskLog.context(reporting.node(), slot, null),
                Behaviors.setup(context -> Behaviors.withTimers(
                        timers -> new SlotRunner(context, timers, slot, slotRef, work, retry, reporting))));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Work.class, work -> inRunContext(() -> onWork(work)))
                .onMessage(Prepared.class, prepared -> inRunContext(() -> onPrepared(prepared)))
                .onMessage(ChunkDone.class, done -> inRunContext(() -> onChunkDone(done)))
                .onMessage(Finished.class, finished -> inRunContext(() -> {
                    if (isCurrent(finished.step())) {
                        end(finished.stored() ? End.SUCCEEDED : End.SKIPPED);
                    }
                }))
                .onMessage(FailureStored.class, stored -> inRunContext(() -> {
                    if (isCurrent(stored.step())) {
                        end(stored.stored() ? End.FAILED : End.SKIPPED);
                    }
                }))
                .onMessage(StepFailed.class, failed -> inRunContext(() -> {
                    if (isCurrent(failed.step())) {
                        onStepFailed(failed.failure());
                    }
                }))
                .onMessage(LookAgain.class, again -> inRunContext(this::proceed))
                .onMessage(RetryStep.class, retryStep -> inRunContext(() -> {
                    if (retryStep.step() == step && stepInFlight) {
                        stepInFlight = false;
                        proceed();
                    }
                }))
                .build();
    }

    /** Handles a message in the logging context of the run it is about. */
    private Behavior<Command> inRunContext(Runnable handler) {
        if (run == null) {
            handler.run();
        } else {
            try (TaskLog.Scope scope = TaskLog.enter(run.logContext)) {
                handler.run();
            }
        }
        return this;
    }

    // --- the slot's queue ---------------------------------------------------------------------

    private void onWork(Work work) {
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
        if (run != null && !stillQueued(run)) {
            getContext().getLog().info("Task {} left slot {} while it ran (cancelled, or retried)", run.taskId, slot);
            run = null; // a step in flight for it finishes first; its result is then stale
            if (stepInFlight && timers.isTimerActive(new RetryStep(step))) {
                timers.cancel(new RetryStep(step)); // nothing in flight: only a retry was waiting
                stepInFlight = false;
            }
        }
        report();
        proceed();
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

    /** Starts the next step, unless one is in flight. */
    private void proceed() {
        if (stepInFlight) {
            return;
        }
        if (run == null) {
            QueuedTask next = head.stream().filter(entry -> !hasEnded(entry)).findFirst().orElse(null);
            if (next == null) {
                return; // idle, or ahead of the journal by as much as the slot shows
            }
            run = new Run(next, TaskLog.context(reporting.node(), slot, next.taskId()));
        }
        if (run.failure != null) {
            storeFailure(); // an outcome decided already is stored, paused or not: no plugin code runs
        } else if (run.prepared != null && run.prepared.committed().size() == run.prepared.chunkCount()) {
            finish(); // every chunk had committed before the task's end was stored
        } else if (pausedNow()) {
            return;
        } else if (run.prepared == null) {
            prepare();
        } else {
            runChunk();
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

    private long startStep() {
        stepInFlight = true;
        stepRun = run;
        return ++step;
    }

    /** Whether a result is of the step in flight for the current run; a result of any step in flight ends that step. */
    private boolean isCurrent(long resultStep) {
        if (resultStep != step || !stepInFlight) {
            return false; // from before a reset, or of a step whose retry was cancelled
        }
        stepInFlight = false;
        if (stepRun != run) {
            proceed(); // the run it worked for is over: its result changes nothing
            return false;
        }
        return true;
    }

    private void prepare() {
        long thisStep = startStep();
        CompletableFuture<PreparedTask> preparing = work.prepare(slot, run.taskId).toCompletableFuture();
        if (preparing.isDone() && !preparing.isCompletedExceptionally()) {
            // a task this engine has just submitted is ready at once: its first chunk starts now
            onPrepared(new Prepared(thisStep, preparing.join()));
            return;
        }
        getContext().pipeToSelf(preparing, (task, failure) -> failure == null
                ? new Prepared(thisStep, task)
                : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void onPrepared(Prepared message) {
        if (!isCurrent(message.step())) {
            return;
        }
        PreparedTask task = message.task();
        if (task.finished()) {
            end(End.SKIPPED); // final already (finished before a crash, or cancelled), or unknown
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

    private void runChunk() {
        long thisStep = startStep();
        PreparedTask task = run.prepared;
        int chunk = task.committed().size();
        getContext().pipeToSelf(work.runChunk(task, chunk, run.failedTries + 1, task.progress()),
                (outcome, failure) -> failure == null
                        ? new ChunkDone(thisStep, chunk, outcome)
                        : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void onChunkDone(ChunkDone done) {
        if (!isCurrent(done.step())) {
            return;
        }
        run.prepared = run.prepared.withChunk(done.outcome());
        run.failedTries = 0;
        if (run.prepared.committed().size() == run.prepared.chunkCount()) {
            end(End.SUCCEEDED); // the last chunk's transaction stored the task's success with the chunk
        } else {
            proceed();
        }
    }

    private void finish() {
        long thisStep = startStep();
        getContext().pipeToSelf(work.succeed(run.prepared), (stored, failure) -> failure == null
                ? new Finished(thisStep, stored)
                : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void storeFailure() {
        long thisStep = startStep();
        getContext().pipeToSelf(work.fail(slot, run.taskId, run.generation(), run.failure, run.reference),
                (stored, failure) -> failure == null
                        ? new FailureStored(thisStep, stored)
                        : new StepFailed(thisStep, Faults.unwrap(failure)));
    }

    private void onStepFailed(Throwable failure) {
        if (failure instanceof RunOverException) {
            getContext().getLog().info("Task {} in slot {}: {}", run.taskId, slot, failure.getMessage());
            end(End.SKIPPED);
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
            stepInFlight = true; // the step is not over until its retry
            timers.startSingleTimer(new RetryStep(step), wait);
            return;
        }
        // The one place a task's failure is logged with its stack trace; the task keeps the reference.
        run.reference = TaskLog.newReference();
        getContext().getLog().error("Task {} in slot {} failed, reference {}", run.taskId, slot, run.reference, failure);
        run.failedTries = 0;
        run.failure = failure;
        proceed();
    }

    /** The current run is over: the slot is told, and the next task starts at once. */
    private void end(End how) {
        getContext().getLog().debug("Run {} of task {} in slot {} ended: {}", run.generation(), run.taskId, slot, how);
        ended.merge(run.taskId, run.generation(), Math::max);
        unreported.add(new QueuedTask(run.taskId, run.generation()));
        run = null;
        report();
        proceed();
    }
}

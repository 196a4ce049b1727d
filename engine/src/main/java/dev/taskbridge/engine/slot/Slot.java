package dev.taskbridge.engine.slot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.taskbridge.engine.JsonSerializable;
import dev.taskbridge.engine.TaskLog;
import dev.taskbridge.engine.routing.SlotId;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * One worker slot of a task type: the queue of the tasks routed to it, run chunk by chunk by its
 * {@link SlotRunner}, one at a time unless the type allows more at once (note 034), started higher
 * priority first and in the order they were accepted within one priority.
 *
 * <p><b>What the slot's journal holds</b>: its queue, and nothing else. A task's place in the
 * queue is the one fact whose home is here ({@link TasksAccepted} when it joins, {@link RunsEnded}
 * or {@link TaskCancelled} when its run leaves). Everything else about a task has its home
 * elsewhere and is only read: its status, progress and result in the task store, each chunk's
 * commit and outcome in the chunk's effect marker. So a run costs the slot a share of a hand-over
 * event and a share of an end event, however many chunks the task has, and its state is a list of
 * ids with run generations, changed only by its event handler: the slot has no other state (see
 * {@code docs/design/002-one-home-per-fact.md} and {@code 005-*}).
 *
 * <p><b>Commands</b>: {@link Accept} hands tasks to the slot, several at once (idempotent: a task
 * the slot already holds is acknowledged again, not queued twice); {@link Cancel} drops one;
 * {@link GetQueue} shows what it holds; {@link ReportEnds} comes from its runner.
 *
 * <p><b>The runner</b>, a child actor, holds what is about the work in flight: which run is
 * current, its plugin and payload, its step and tries. After every event the slot shows it the
 * head of the queue; the runner reports the runs it ended, and the slot journals them together.
 * While the slot writes, the runner goes on with the next task: the journal is not in a task's
 * path. A restarted slot recovers its queue and the runner carries on from it, reading back from
 * the store what it needs (after a restart, a task's committed chunks from their markers).
 *
 * <p><b>Generations</b>: every entry names the run generation of its task
 * ({@link dev.taskbridge.engine.store.TaskRecord#runGeneration()}), and so does every event that
 * ends a run. A retry starts a new generation, so whatever a cancelled run still reports after
 * its task was retried is recognised as the old run's and changes nothing of the new one.
 */
public final class Slot extends EventSourcedBehaviorWithEnforcedReplies<Slot.Command, Slot.Event, Slot.State> {

    /** Persistence id prefix: {@code TaskSlot|<type>-<index>}. */
    public static final String PERSISTENCE_TYPE = "TaskSlot";

    /**
     * Snapshot after this many events by default, keeping two. Each snapshot writes the queue whole
     * and deletes old events and snapshots: every 100 events, that cost tasks 6% of their
     * throughput on H2 and 9-21% on PostgreSQL in {@code bench/run.sh} (design note 003).
     */
    public static final int DEFAULT_SNAPSHOT_EVERY = 1000;

    private static final Duration JOURNAL_MIN_BACKOFF = Duration.ofMillis(200);
    /** The longest a slot waits after the database is back before it tries to recover again. */
    private static final Duration JOURNAL_MAX_BACKOFF = Duration.ofSeconds(5);
    /** A slot that fails for any other reason is started again as soon, and as patiently. */
    private static final Duration RESTART_MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration RESTART_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Spreads the restarts of slots that failed together, so they do not all try again at once. */
    private static final double BACKOFF_RANDOM_FACTOR = 0.2;
    /**
     * The longest a slot that failed again and again is away before it starts once more; what is
     * sent to it meanwhile waits and is answered then.
     */
    static final Duration LONGEST_RESTART_PAUSE = Duration.ofMillis(
            (long) (Math.max(JOURNAL_MAX_BACKOFF.toMillis(), RESTART_MAX_BACKOFF.toMillis()) * (1 + BACKOFF_RANDOM_FACTOR)));

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

    }

    /** @param count tasks acknowledged: every task of the {@link Accept} */
    public record Accepted(int count) implements JsonSerializable {
    }

    /** What the slot holds right now. */
    public record GetQueue(ActorRef<QueueView> replyTo) implements Command, JsonSerializable {
    }

    /**
     * @param head    the task at the head of the queue, or null: the one running, one whose end is being
     *                journaled, or one of a higher priority that starts when the one running ends
     * @param waiting tasks behind it, in the order they start
     */
    public record QueueView(String head, List<String> waiting) implements JsonSerializable {
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

    /**
     * From the slot's {@link SlotRunner}: these runs ended (their ends are stored in the task
     * store), so their entries leave the queue. The slot answers with the queue, once journaled.
     *
     * @param report the report's number, which the answer confirms
     */
    record ReportEnds(long report, List<QueuedTask> runs) implements Command {

        ReportEnds {
            runs = List.copyOf(runs);
        }
    }

    /**
     * Cluster sharding's stop message, when the slot's shard moves to another node (one joins, or
     * this one leaves): the slot starts no new step, lets those under way end and their ends be
     * journaled, then stops, so that its next incarnation on the other node finds every chunk
     * committed or not begun, and no chunk runs twice (design note 036).
     */
    public enum HandOff implements Command { INSTANCE }

    /** From the slot's runner, once it hands over: no step is under way and every end is journaled. */
    enum Drained implements Command { INSTANCE }

    /** The slot's runner stopped: it failed (a bug in what it calls), and the slot must start again with a new one. */
    private record RunnerStopped(ActorRef<SlotRunner.Command> runner) implements Command {
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

    /**
     * Tasks join the queue, in this order: one event for every hand-over, however many tasks it brings.
     *
     * @param keysKnown every task's order key is in it (null for none); false in events journaled
     *                  before keys were (note 034), whose tasks may have a key it does not say
     */
    public record TasksAccepted(List<QueuedTask> tasks,
                                @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean keysKnown) implements Event {

        @JsonCreator
        public TasksAccepted {
            tasks = List.copyOf(tasks);
        }

        public TasksAccepted(List<QueuedTask> tasks) {
            this(tasks, true);
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

    /**
     * Runs that ended, whatever their outcome (which their tasks' rows hold), in the order they
     * ended: one event for all the ends that came while the one before was written.
     */
    public record RunsEnded(List<QueuedTask> runs) implements Event {

        public RunsEnded {
            runs = List.copyOf(runs);
        }
    }

    // --- state ------------------------------------------------------------------------------

    /** A chunk's counts, in snapshots written before chunks were read from their markers. */
    public record CommittedChunk(int itemsDone, int itemsFailed) implements JsonSerializable {
    }

    /** The running task, in snapshots written before the head of the queue was the running task. */
    public record RunningTask(String taskId, int chunkCount, List<CommittedChunk> chunks, int generation)
            implements JsonSerializable {
    }

    /**
     * A task in a slot's queue, in the run generation it was handed over in, with its priority and
     * order key.
     *
     * <p>The priority and the order key are the task's own, fixed when it is submitted (the task
     * store keeps them); only the queue needs them, the priority to place the task and the key to
     * keep the tasks of one key from overlapping when a slot runs several at once (note 034), so
     * every other use (the ends of runs) leaves them 0 and null. Each is written to JSON only when
     * it is set: journals and snapshots of tasks without them read as they did before they existed,
     * in older versions too. The key is a copy of the row's, as the priority is: the slot's queue
     * could not decide what starts without reading every waiting task's row.
     */
    public record QueuedTask(String taskId, int generation,
                             @JsonInclude(JsonInclude.Include.NON_DEFAULT) int priority,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String orderKey) implements JsonSerializable {

        public QueuedTask(String taskId, int generation) {
            this(taskId, generation, 0, null);
        }

        public QueuedTask(String taskId, int generation, int priority) {
            this(taskId, generation, priority, null);
        }

        /**
         * The order key of a task queued before keys were journaled (note 034): it may have one. Never
         * a real key, which cannot hold control characters. Such a task runs alone, in turn, as every
         * task did then.
         */
        public static final String KEY_NOT_KNOWN = "\u0000not known";

        /** This task, marked as one whose key is not known if it names none. */
        QueuedTask keyNotKnownIfNone() {
            return orderKey != null ? this : new QueuedTask(taskId, generation, priority, KEY_NOT_KNOWN);
        }

        /** These tasks, read from a journal or snapshot that did not hold keys. */
        static List<QueuedTask> keysNotKnown(List<QueuedTask> tasks) {
            return tasks.stream().map(QueuedTask::keyNotKnownIfNone).toList();
        }

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
     * The slot's queue: accepted tasks whose run has not ended, in the order they start: higher
     * priority first, and in the order they were accepted within one priority. The first is the
     * next to start; the runner may be running another one still (a task is never stopped for one
     * of a higher priority that came after it started).
     *
     * <p>Held as one {@link TaskQueue} per priority (compact, immutable, cheap to change at its
     * ends: see {@code docs/design/004-compact-slot-queue.md}), highest first; there is almost
     * always only one (see {@code 024-priorities.md}). Its JSON is the list of its tasks in that
     * order, as it has always been, and the class keeps its name, which is the serializer's manifest.
     */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class State implements JsonSerializable {

        static final State EMPTY = new State(new Level[0], null);

        /** The tasks of one priority, in the order they were accepted; never empty in a state. */
        private record Level(int priority, TaskQueue tasks) {
        }

        /** Highest priority first, each priority at most once. */
        private final Level[] levels;
        /** Decoded once per state: every step result and cancel asks for it. */
        private final QueuedTask head;

        /** The state of these tasks: in the order they are given within each priority, higher priorities first. */
        public State(List<QueuedTask> queue) {
            this(levelsOf(queue));
        }

        private State(Level[] levels) {
            this(levels, levels.length == 0 ? null : headOf(levels[0]));
        }

        private State(Level[] levels, QueuedTask head) {
            this.levels = levels;
            this.head = head;
        }

        private static Level[] levelsOf(List<QueuedTask> queue) {
            Map<Integer, List<QueuedTask>> byPriority = new TreeMap<>(Comparator.reverseOrder());
            for (QueuedTask task : queue) {
                byPriority.computeIfAbsent(task.priority(), any -> new ArrayList<>()).add(task);
            }
            return byPriority.entrySet().stream()
                    .map(level -> new Level(level.getKey(), TaskQueue.of(level.getValue())))
                    .toArray(Level[]::new);
        }

        private static QueuedTask headOf(Level level) {
            return withPriority(level.tasks().head(), level.priority());
        }

        private static QueuedTask withPriority(QueuedTask task, int priority) {
            return priority == 0 ? task : new QueuedTask(task.taskId(), task.generation(), priority, task.orderKey());
        }

        /**
         * Reads snapshots of every version: older ones kept the running task apart from the queue
         * behind it, and ones before note 034 did not hold order keys.
         */
        @JsonCreator
        static State read(@JsonProperty("queue") List<QueuedTask> queue, @JsonProperty("running") RunningTask running,
                          @JsonProperty("waiting") List<QueuedTask> waiting, @JsonProperty("keysKnown") Boolean keysKnown) {
            if (queue != null) {
                return new State(Boolean.TRUE.equals(keysKnown) ? queue : QueuedTask.keysNotKnown(queue));
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
            return new State(QueuedTask.keysNotKnown(all));
        }

        /** Snapshots hold every task's order key (null for none; {@link QueuedTask#KEY_NOT_KNOWN} kept as it is). */
        @JsonProperty("keysKnown")
        public boolean keysKnown() {
            return true;
        }

        /** Every task, in the order they start: what a snapshot holds. Built on each call; the slot's steps do not use it. */
        @JsonProperty("queue")
        public List<QueuedTask> queue() {
            return first(Integer.MAX_VALUE);
        }

        int size() {
            int size = 0;
            for (Level level : levels) {
                size += level.tasks().size();
            }
            return size;
        }

        /**
         * The tasks of a hand-over that the slot does not hold yet in their generation or a later
         * one, under any priority: one pass over the queue, however many priorities it holds.
         */
        List<QueuedTask> notHeld(List<QueuedTask> handedOver) {
            if (levels.length == 0) {
                return List.copyOf(handedOver);
            }
            List<QueuedTask> fresh = handedOver;
            for (Level level : levels) {
                fresh = level.tasks().notHeld(fresh);
            }
            return fresh;
        }

        /**
         * Whether the slot holds the task in that generation or an earlier one under that
         * priority: for the runner, which knows under which priority its run waits, and so looks
         * through one queue, where the run is near the front.
         */
        boolean holdsUpTo(String taskId, int generation, int priority) {
            Level level = level(priority);
            return level != null && level.tasks().holds(taskId, held -> held <= generation);
        }

        /** Whether the slot holds the task in that generation or an earlier one. */
        boolean holdsUpTo(String taskId, int generation) {
            for (Level level : levels) {
                if (level.tasks().holds(taskId, held -> held <= generation)) {
                    return true;
                }
            }
            return false;
        }

        boolean isIdle() {
            return levels.length == 0;
        }

        /** The task that starts next, or null. */
        QueuedTask head() {
            return head;
        }

        /** Whether the head of the queue is that task, in a generation that {@code generations} takes. */
        boolean headIs(String taskId, IntPredicate generations) {
            return head != null && head.is(taskId, generations);
        }

        /**
         * The queue with these tasks added behind the tasks of their priority; a task that waits
         * in an older generation keeps its place, in the newer one, under whatever priority it
         * waits (a task's priority is fixed when it is submitted, but a snapshot written by a
         * version that did not know priorities holds it under the usual one). One pass over the
         * queue, however many tasks are added.
         */
        State accept(List<QueuedTask> accepted) {
            if (accepted.isEmpty()) {
                return this;
            }
            Level[] changed = levels;
            List<QueuedTask> added = accepted;
            if (levels.length > 1 || levels.length == 1 && !allOf(accepted, levels[0].priority())) {
                // the uncommon case: the hand-over may name a task held under another priority
                boolean[] held = new boolean[accepted.size()];
                changed = levels.clone();
                for (int at = 0; at < changed.length; at++) {
                    changed[at] = new Level(changed[at].priority(), changed[at].tasks().raiseHeld(accepted, held));
                }
                List<QueuedTask> notHeld = new ArrayList<>(accepted.size());
                for (int i = 0; i < held.length; i++) {
                    if (!held[i]) {
                        notHeld.add(accepted.get(i));
                    }
                }
                added = notHeld;
            }
            for (Map.Entry<Integer, List<QueuedTask>> group : byPriority(added).entrySet()) {
                if (!group.getValue().isEmpty()) {
                    changed = withAccepted(changed, group.getKey(), group.getValue());
                }
            }
            if (head != null && changed[0].priority() == levels[0].priority()) {
                // added at the end of the first priority, or behind it: the head stays, at most in a
                // newer generation, and is not decoded again
                int generation = changed[0].tasks().headGeneration();
                return new State(changed, generation == head.generation() ? head
                        : new QueuedTask(head.taskId(), generation, head.priority(), head.orderKey()));
            }
            return new State(changed);
        }

        private static boolean allOf(List<QueuedTask> tasks, int priority) {
            for (QueuedTask task : tasks) {
                if (task.priority() != priority) {
                    return false;
                }
            }
            return true;
        }

        private static Level[] withAccepted(Level[] levels, int priority, List<QueuedTask> accepted) {
            int at = 0;
            while (at < levels.length && levels[at].priority() > priority) {
                at++;
            }
            if (at < levels.length && levels[at].priority() == priority) {
                Level[] changed = levels.clone();
                changed[at] = new Level(priority, levels[at].tasks().accept(accepted));
                return changed;
            }
            Level[] changed = new Level[levels.length + 1];
            System.arraycopy(levels, 0, changed, 0, at);
            changed[at] = new Level(priority, TaskQueue.EMPTY.accept(accepted));
            System.arraycopy(levels, at, changed, at + 1, levels.length - at);
            return changed;
        }

        /** Drops the task's entry if it is in that generation or an older one; a newer generation stays. */
        State remove(String taskId, int generation) {
            if (headIs(taskId, held -> held <= generation)) {
                // the usual case: the run that ended was the head
                return new State(replaced(levels, 0, levels[0].tasks().withoutHead()));
            }
            Level[] changed = levels;
            for (int at = changed.length - 1; at >= 0; at--) {
                TaskQueue kept = changed[at].tasks().without(taskId, held -> held <= generation);
                if (kept != changed[at].tasks()) {
                    changed = replaced(changed, at, kept);
                }
            }
            return changed == levels ? this : new State(changed);
        }

        /** The levels with the one at {@code at} holding {@code tasks} instead, or gone if they are none. */
        private static Level[] replaced(Level[] levels, int at, TaskQueue tasks) {
            if (tasks.isEmpty()) {
                Level[] changed = new Level[levels.length - 1];
                System.arraycopy(levels, 0, changed, 0, at);
                System.arraycopy(levels, at + 1, changed, at, levels.length - at - 1);
                return changed;
            }
            Level[] changed = levels.clone();
            changed[at] = new Level(levels[at].priority(), tasks);
            return changed;
        }

        private Level level(int priority) {
            for (Level level : levels) {
                if (level.priority() == priority) {
                    return level;
                }
            }
            return null;
        }

        /** The tasks grouped by priority, each group in the order given: a hand-over is mostly one group. */
        private static Map<Integer, List<QueuedTask>> byPriority(List<QueuedTask> tasks) {
            int first = tasks.isEmpty() ? 0 : tasks.get(0).priority();
            if (tasks.stream().allMatch(task -> task.priority() == first)) {
                return Map.of(first, tasks);
            }
            Map<Integer, List<QueuedTask>> groups = new LinkedHashMap<>();
            for (QueuedTask task : tasks) {
                groups.computeIfAbsent(task.priority(), any -> new ArrayList<>()).add(task);
            }
            return groups;
        }

        /** The state an event leads to: what the event handler makes of it. */
        public State after(Event event) {
            if (event instanceof TasksAccepted accepted) {
                return accept(accepted.keysKnown() ? accepted.tasks() : QueuedTask.keysNotKnown(accepted.tasks()));
            } else if (event instanceof TaskAccepted accepted) {
                return accept(List.of(new QueuedTask(accepted.taskId(), accepted.generation()).keyNotKnownIfNone()));
            } else if (event instanceof RunsEnded ended) {
                State after = this;
                for (QueuedTask run : ended.runs()) {
                    after = after.remove(run.taskId(), run.generation());
                }
                return after;
            } else if (event instanceof RunEnded ended) {
                return remove(ended.taskId(), ended.generation());
            }
            return this; // TaskStarted, ChunkCommitted of old journals: their facts are in the store and the markers
        }

        QueueView view() {
            List<QueuedTask> all = queue();
            return new QueueView(head == null ? null : head.taskId(),
                    all.stream().skip(1).map(QueuedTask::taskId).toList());
        }

        /** The first {@code count} tasks (fewer if it holds fewer), in the order they start, with their priorities. */
        List<QueuedTask> first(int count) {
            List<QueuedTask> tasks = new ArrayList<>(Math.min(count, Math.min(size(), 1024)));
            for (Level level : levels) {
                if (tasks.size() >= count) {
                    break;
                }
                for (QueuedTask task : level.tasks().first(count - tasks.size())) {
                    tasks.add(withPriority(task, level.priority()));
                }
            }
            return Collections.unmodifiableList(tasks);
        }

        /** The generation of the first entry of that task, or -1 when the queue does not hold it. */
        int generationOf(String taskId) {
            for (Level level : levels) {
                int generation = level.tasks().generationOf(taskId);
                if (generation >= 0) {
                    return generation;
                }
            }
            return -1;
        }

        @Override
        public boolean equals(Object other) {
            return this == other || other instanceof State that && Arrays.equals(levels, that.levels);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(levels);
        }

        @Override
        public String toString() {
            return "State[queue=" + queue() + "]";
        }
    }

    // --- behavior ---------------------------------------------------------------------------

    private final SlotId slot;
    private final ActorContext<Command> context;
    private final ActorRef<SlotRunner.Command> runner;
    private final int snapshotEvery;
    private final SlotReporting reporting;
    private final TaskWork work;
    /** Set once sharding told the slot to hand itself over; outlives a restart of the slot meanwhile. */
    private final AtomicBoolean handingOver;

    private Slot(SlotId slot, ActorContext<Command> context, ActorRef<SlotRunner.Command> runner, int snapshotEvery,
                 SlotReporting reporting, TaskWork work, AtomicBoolean handingOver) {
        super(PersistenceId.of(PERSISTENCE_TYPE, slot.key()),
                // A journal that fails is a database that is away: worth a warning, not an error per try.
                // The runner lives on through the restart; the recovered slot tells it what the journal holds.
                SupervisorStrategy.restartWithBackoff(JOURNAL_MIN_BACKOFF, JOURNAL_MAX_BACKOFF, BACKOFF_RANDOM_FACTOR)
                        .withLogLevel(Level.WARN).withStopChildren(false));
        this.slot = slot;
        this.context = context;
        this.runner = runner;
        this.snapshotEvery = snapshotEvery;
        this.reporting = reporting;
        this.work = work;
        this.handingOver = handingOver;
    }

    /**
     * The slot's behavior, with its {@link SlotRunner} as a child. A slot that fails, whatever the
     * reason, is started again with backoff (and counted), with a new runner: it recovers its state
     * from the journal and goes on, so no sequence of commands can take a task type out of service.
     * Until it has recovered it reports itself not live, which readiness shows.
     */
    public static Behavior<Command> create(SlotId slot, TaskWork work, RetrySettings retry, int snapshotEvery,
                                           SlotReporting reporting) {
        return create(slot, work, retry, snapshotEvery, reporting, 1);
    }

    /**
     * The same, for a slot that runs up to {@code runsAtOnce} of its tasks at a time (note 034): as
     * its task type allows.
     */
    public static Behavior<Command> create(SlotId slot, TaskWork work, RetrySettings retry, int snapshotEvery,
                                           SlotReporting reporting, int runsAtOnce) {
        AtomicInteger starts = new AtomicInteger();
        AtomicBoolean handingOver = new AtomicBoolean();
        // Every line logged in the slot carries the slot's context; the command handler adds the
        // task's (see commandHandler). A per-message MDC here would be computed twice per message,
        // and Pekko's Java DSL copies it into a Scala map each time: 5% of the slots' CPU, profiled.
        Behavior<Command> slotBehavior = Behaviors.withMdc(Command.class, TaskLog.context(reporting.node(), slot, null),
                Behaviors.intercept(() -> new TimedMessages(slot.taskType(), reporting),
                        Behaviors.setup(context -> {
                            int start = starts.getAndIncrement();
                            reporting.incarnation().incrementAndGet();
                            if (start > 0) {
                                reporting.metrics().slotRestarted(slot.taskType());
                                context.getLog().warn("Slot {} started again after a failure; it recovers from its journal", slot);
                            }
                            ActorRef<SlotRunner.Command> runner = context.spawn(
                                    SlotRunner.create(slot, context.getSelf(), work, retry, reporting, runsAtOnce), "runner-" + start);
                            context.watchWith(runner, new RunnerStopped(runner));
                            return new Slot(slot, context, runner, snapshotEvery, reporting, work, handingOver);
                        })));
        return Behaviors.supervise(slotBehavior).onFailure(Exception.class,
                SupervisorStrategy.restartWithBackoff(RESTART_MIN_BACKOFF, RESTART_MAX_BACKOFF, BACKOFF_RANDOM_FACTOR));
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
                    reporting.live().set(true);
                    if (!state.isIdle()) {
                        context.getLog().info("Slot {} resumes {} unfinished task(s)", slot, state.size());
                    }
                    // after a failed journal write too: what was being written is lost, and the runner reports it again
                    tellRunner(state, SlotRunner.NO_REPORT, true);
                    if (handingOver.get()) {
                        runner.tell(new SlotRunner.Drain(context.getSelf()));
                    }
                })
                .onSignal(PostStop.class, (state, signal) -> {
                    // stopped for good here: the engine stops, or (a node of a cluster) the slot moved to another node
                    reporting.live().set(false);
                    reporting.queueDepth().set(0);
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
            try (TaskLog.Scope scope = TaskLog.enter(TaskLog.context(reporting.node(), slot, taskId))) {
                return handlers.apply(state, command); // the slot's own context comes back after it
            }
        };
    }

    private CommandHandlerWithReply<Command, Event, State> handlers() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Accept.class, this::onAccept)
                .onCommand(GetQueue.class, (state, get) -> Effect().reply(get.replyTo(), state.view()))
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(ReportEnds.class, this::onReportEnds)
                .onCommand(HandOff.class, (state, handOff) -> {
                    context.getLog().info("Slot {} moves to another node once its steps under way have ended", slot);
                    handingOver.set(true); // a restart of the slot meanwhile drains its new runner too
                    runner.tell(new SlotRunner.Drain(context.getSelf()));
                    return Effect().noReply();
                })
                .onCommand(Drained.class, (state, drained) -> Effect().stop().thenNoReply())
                .onCommand(RunnerStopped.class, (state, stopped) -> {
                    if (stopped.runner().equals(runner)) {
                        throw new IllegalStateException("the runner of slot " + slot + " failed; the slot starts again");
                    }
                    return Effect().noReply(); // the runner of an earlier incarnation, stopped with it
                })
                .build();
    }

    private ReplyEffect<Event, State> onAccept(State state, Accept accept) {
        List<QueuedTask> fresh = state.notHeld(accept.tasks());
        Accepted acknowledged = new Accepted(accept.tasks().size());
        if (fresh.isEmpty()) {
            return Effect().reply(accept.replyTo(), acknowledged);
        }
        return persist(new TasksAccepted(fresh))
                .thenRun(after -> tellRunner(after, SlotRunner.NO_REPORT, false))
                .thenReply(accept.replyTo(), after -> acknowledged);
    }

    private ReplyEffect<Event, State> onCancel(State state, Cancel cancel) {
        // a submission kept on this node (the slot's) must not start the task: it may come after the
        // cancel, from the submitting node's hand-over, while the cancel was made on another node
        work.forgetSubmission(cancel.taskId());
        if (!state.holdsUpTo(cancel.taskId(), cancel.generation())) {
            // not here, or here only in a later generation (retried since): nothing of this run to stop
            return Effect().reply(cancel.replyTo(), new Cancelled(cancel.taskId(), false));
        }
        context.getLog().info("Task {} cancelled in slot {}", cancel.taskId(), slot);
        // The runner sees the entry gone: a step still in flight for it finishes first, then it moves on.
        return persist(new TaskCancelled(cancel.taskId(), cancel.generation()))
                .thenRun(after -> tellRunner(after, SlotRunner.NO_REPORT, false))
                .thenReply(cancel.replyTo(), after -> new Cancelled(cancel.taskId(), true));
    }

    /**
     * Journals the ends the runner reports, all in one event: the runner went on meanwhile, so
     * the ends that come while one is written are written together. Runs the queue no longer
     * holds (cancelled meanwhile) are left out.
     */
    private ReplyEffect<Event, State> onReportEnds(State state, ReportEnds report) {
        List<QueuedTask> held = report.runs().stream()
                .filter(run -> state.holdsUpTo(run.taskId(), run.generation()))
                .toList();
        if (held.isEmpty()) {
            tellRunner(state, report.report(), false);
            return Effect().noReply();
        }
        return persist(new RunsEnded(held))
                .thenRun(after -> tellRunner(after, report.report(), false))
                .thenNoReply();
    }

    /** Shows the runner the head of the queue as the journal now holds it. */
    private void tellRunner(State state, long confirmedReport, boolean recovered) {
        reporting.queueDepth().set(state.size());
        runner.tell(new SlotRunner.Work(state, confirmedReport, recovered));
    }

    /** Persists an event and reports how long the journal took to take it. */
    private EffectBuilder<Event, State> persist(Event event) {
        long started = System.nanoTime();
        return Effect().persist(event).thenRun(state ->
                reporting.metrics().journalWrite(slot.taskType(), Duration.ofNanos(System.nanoTime() - started)));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onAnyEvent(State::after);
    }
}

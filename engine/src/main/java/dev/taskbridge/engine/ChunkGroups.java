package dev.taskbridge.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs short chunks of many tasks in shared transactions (group commit). A task's chunk is
 * mostly its commit when its work is short: a tiny task's whole cost on H2 was its chunk's
 * commit. So at most a few groups run at once ({@link EngineSettings#chunkGroups}), each on a blocking thread; the
 * chunks that come while they run queue, and the next group takes all of them (up to
 * {@link #MAX_GROUP}): one transaction, one commit, for as many chunks as came meanwhile. Under
 * little load a chunk finds a group free and runs alone, as it would without groups.
 *
 * <p>A group commits all its chunks or none. When a chunk's work fails, the group rolls back: that
 * chunk fails as it would have alone (its work is not run again), and each of the others runs
 * again in a transaction of its own. When anything else fails (a record's statement, the commit),
 * no chunk is to blame, and each runs again on its own, so that only a chunk that fails alone fails.
 *
 * <p>A group runs its chunks one after the other, so a long chunk would hold up the others, and
 * long chunks gain nothing from sharing a commit. Chunks of a task type whose chunks' work has
 * lately taken {@link #SHORT_WORK} or longer (or is not known yet) run alone, each on a blocking
 * thread of its own, as many at once as there are. Each slot has at most one chunk in flight, so
 * a group never holds two chunks of one task.
 *
 * <p>A chunk of a short type can still be slow once (a lock it waits for, a slow query): then the
 * chunks behind it would wait as long, those of its group and those queued for the next. When a
 * chunk's work has run for {@link #STUCK_WORK}, the chunks of its group that have not started
 * leave the group and run on their own, and its runner gives up its place among the
 * {@link EngineSettings#chunkGroups} so that another takes the queue; the stuck runner commits
 * what it has run once the slow chunk is done, and ends. Without that, two stuck chunks held
 * every short chunk of the engine (the peers' W4 ran two bodies of ten at once).
 *
 * @see ChunkTransactions#runAllOnce
 */
final class ChunkGroups {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkGroups.class);

    static final int MAX_GROUP = 64;
    static final Duration SHORT_WORK = Duration.ofMillis(5);
    private static final long SHORT_WORK_NANOS = SHORT_WORK.toNanos();
    /** Ten times a short chunk's work: the chunks behind one that works this long leave its group. */
    static final Duration STUCK_WORK = Duration.ofMillis(50);
    private static final long STUCK_WORK_NANOS = STUCK_WORK.toNanos();
    /** What a chunk that left its group answers to the group's transaction instead of its record: none. */
    private static final ChunkOutcome LEFT_THE_GROUP = new ChunkOutcome(0, 0, "");

    private final ChunkTransactions transactions;
    private final Executor blocking;
    private final Alarms alarms;
    private final int groupsAtOnce;
    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger groupsRunning = new AtomicInteger();
    /** Per task type: a moving average of its chunks' work, in nanoseconds. */
    private final Map<String, Long> typicalWork = new ConcurrentHashMap<>();

    /**
     * @param alarms       where a group's check for a stuck chunk runs: not on the blocking threads,
     *                     which may all be held
     * @param groupsAtOnce groups that may run at once; 0 runs every chunk alone
     */
    ChunkGroups(ChunkTransactions transactions, Executor blocking, Alarms alarms, int groupsAtOnce) {
        this.transactions = transactions;
        this.blocking = blocking;
        this.alarms = alarms;
        this.groupsAtOnce = groupsAtOnce;
    }

    /** Runs an action once after a delay. */
    @FunctionalInterface
    interface Alarms {

        /** @return cancels the action, if it has not run */
        Runnable after(Duration delay, Runnable action);
    }

    /** A chunk to run, with what follows its commit. */
    interface Entry {

        ChunkTransactions.Chunk chunk();

        /** The chunk's task: a group records its chunks in the order of their tasks' ids. */
        String taskId();

        String taskType();

        /** The logging context of the chunk's task, set while anything of the chunk runs. */
        Map<String, String> logContext();

        /**
         * After the chunk committed (or was found committed before), on the thread that ran it,
         * in its logging context.
         *
         * @param took from the start of the chunk's work to its commit
         * @return what the chunk's step answers
         */
        ChunkOutcome committed(ChunkOutcome outcome, Duration took) throws Exception;

        /** The chunk's failure as its step reports it. */
        Throwable failed(Throwable failure);
    }

    /** Runs the chunk, alone or in a group; the answer completes on a blocking thread. */
    CompletionStage<ChunkOutcome> run(Entry entry) {
        Queued queued = new Queued(entry, new Timed(entry), new CompletableFuture<>());
        if (!isShort(entry.taskType())) {
            blocking.execute(() -> runAlone(queued));
            return queued.answer;
        }
        queue.add(queued);
        startGroupIfRoom();
        return queued.answer;
    }

    /** Whether the type's chunks lately took less than {@link #SHORT_WORK}: those run in groups. */
    boolean isShort(String taskType) {
        Long typical = typicalWork.get(taskType);
        return groupsAtOnce > 0 && typical != null && typical < SHORT_WORK_NANOS;
    }

    private void startGroupIfRoom() {
        while (!queue.isEmpty()) {
            int running = groupsRunning.get();
            if (running >= groupsAtOnce) {
                return; // a running group takes the queue when it is done
            }
            if (groupsRunning.compareAndSet(running, running + 1)) {
                try {
                    blocking.execute(this::runGroups);
                } catch (RuntimeException refused) { // the engine is stopping and its threads with it
                    groupsRunning.decrementAndGet();
                    throw refused;
                }
                return;
            }
        }
    }

    /**
     * Runs groups while chunks queue and it holds its place, then leaves; the last look after
     * leaving finds any chunk queued meanwhile.
     */
    private void runGroups() {
        Place place = new Place();
        try {
            while (place.held()) {
                List<Queued> group = take();
                if (group.isEmpty()) {
                    return;
                }
                StuckWatch watch = new StuckWatch(group, place);
                boolean foundStuck;
                try {
                    if (group.size() == 1) {
                        runAlone(group.get(0));
                    } else {
                        runTogether(group);
                    }
                } finally {
                    foundStuck = !watch.stop();
                }
                if (foundStuck) {
                    return; // the watch gives up this runner's place: another takes the queue, this one must not
                }
            }
        } finally {
            place.giveUp();
        }
    }

    /** A runner's place among the {@code groupsAtOnce}: given up once, when the runner ends or its chunk is stuck. */
    private final class Place {

        private final AtomicBoolean held = new AtomicBoolean(true);

        boolean held() {
            return held.get();
        }

        void giveUp() {
            if (held.compareAndSet(true, false)) {
                groupsRunning.decrementAndGet();
                startGroupIfRoom();
            }
        }
    }

    /** Runners that hold a place now: for tests. */
    int runnersNow() {
        return groupsRunning.get();
    }

    /** The next group, in the order it runs: by its tasks' ids. */
    private List<Queued> take() {
        List<Queued> group = new ArrayList<>();
        for (Queued next = queue.poll(); next != null; next = group.size() < MAX_GROUP ? queue.poll() : null) {
            group.add(next);
        }
        // Every writer of several task rows in one transaction locks them in id order (the starts
        // written behind too), so that none can wait for another in a cycle: PostgreSQL broke such
        // deadlocks after a second, and when it chose a group, all its chunks ran their work again.
        if (group.size() > 1) {
            group.sort(Comparator.comparing((Queued queued) -> queued.entry().taskId()));
        }
        return group;
    }

    private void runTogether(List<Queued> group) {
        group.forEach(queued -> queued.timed.place.set(Timed.IN_GROUP));
        List<ChunkOutcome> outcomes;
        try {
            outcomes = transactions.runAllOnce(group.stream().map(Queued::timed).toList());
        } catch (Throwable failure) {
            // still watched: a chunk that runs again here and is stuck frees this runner's place too
            LOG.debug("A group of {} chunks rolled back; the others run again on their own", group.size(), failure);
            for (Queued queued : group) {
                if (!queued.timed.keep()) {
                    continue; // it left the group, and runs on its own already
                }
                if (queued.timed.workFailure != null) {
                    fail(queued, queued.timed.workFailure);
                } else {
                    runAlone(queued);
                }
            }
            return;
        }
        long committed = System.nanoTime();
        for (int i = 0; i < group.size(); i++) {
            if (group.get(i).timed.keep()) {
                settle(group.get(i), outcomes.get(i), committed);
            }
        }
    }

    /**
     * Looks at a running group (or a chunk its runner runs alone) every {@link #STUCK_WORK}: once
     * a chunk's work has run that long, the chunks that have not started leave the group and run
     * on their own, each on a blocking thread, and the runner gives up its place. One alarm per
     * group, and most groups are done before it rings.
     */
    private final class StuckWatch {

        private final List<Queued> group;
        private final Place place;
        /** Set once, by whichever comes first: the group's end ({@link #stop}) or a look that finds a chunk stuck. */
        private final AtomicBoolean watching = new AtomicBoolean(true);
        private volatile Runnable cancel;

        StuckWatch(List<Queued> group, Place place) {
            this.group = group;
            this.place = place;
            this.cancel = lookLater();
        }

        /** An alarm to look again; none when the scheduler is gone or refuses (the engine stops): the group runs unwatched. */
        private Runnable lookLater() {
            try {
                return alarms.after(STUCK_WORK, this::look);
            } catch (RuntimeException stopped) {
                return () -> { };
            }
        }

        private void look() {
            if (!watching.get()) {
                return;
            }
            long now = System.nanoTime();
            boolean stuck = group.stream().map(Queued::timed).anyMatch(timed -> {
                long begun = timed.workBegun; // once: the work may end between two reads
                return begun != 0 && now - begun >= STUCK_WORK_NANOS;
            });
            if (!stuck) {
                cancel = lookLater();
                if (!watching.get()) {
                    cancel.run(); // the group ended while this look was under way
                }
                return;
            }
            if (!watching.compareAndSet(true, false)) {
                return; // the group ended first, and its runner goes on with the queue
            }
            List<Queued> leaving = group.stream().filter(queued -> queued.timed.leave()).toList();
            if (!leaving.isEmpty()) {
                LOG.debug("{} chunk(s) leave a group whose chunk has worked for {} ms; they run on their own",
                        leaving.size(), STUCK_WORK.toMillis());
            }
            for (Queued queued : leaving) {
                Queued alone = new Queued(queued.entry, new Timed(queued.entry), queued.answer);
                try {
                    blocking.execute(() -> runAlone(alone));
                } catch (RuntimeException refused) { // the engine is stopping
                    fail(alone, refused);
                }
            }
            try {
                place.giveUp();
            } catch (RuntimeException refused) { // the engine is stopping: no runner to start
                LOG.debug("No runner starts after a stuck one: the engine is stopping", refused);
            }
        }

        /**
         * Stops watching, at the group's end.
         *
         * @return false if a look found a chunk stuck first: it gives up the runner's place, so the
         *         runner must not take another group
         */
        boolean stop() {
            boolean first = watching.getAndSet(false);
            cancel.run();
            return first;
        }
    }

    private void runAlone(Queued queued) {
        ChunkOutcome outcome;
        try (TaskLog.Scope scope = TaskLog.enter(queued.entry.logContext())) {
            outcome = transactions.runOnce(queued.timed);
        } catch (Throwable failure) {
            fail(queued, failure);
            return;
        }
        settle(queued, outcome, System.nanoTime());
    }

    private void settle(Queued queued, ChunkOutcome outcome, long committedAt) {
        try (TaskLog.Scope scope = TaskLog.enter(queued.entry.logContext())) {
            Duration took = Duration.ofNanos(committedAt - queued.timed.started);
            queued.answer.complete(queued.entry.committed(outcome, took));
        } catch (Throwable failure) {
            fail(queued, failure);
        }
    }

    private static void fail(Queued queued, Throwable failure) {
        queued.answer.completeExceptionally(queued.entry.failed(failure));
    }

    private void workTook(String taskType, long nanos) {
        // weight 1/4 for the newest: a type whose chunks grow long stops grouping after a few of them
        typicalWork.merge(taskType, nanos, (before, now) -> before - (before >> 2) + (now >> 2));
    }

    private record Queued(Entry entry, Timed timed, CompletableFuture<ChunkOutcome> answer) {
    }

    /** The entry's chunk, in its task's logging context, its work timed. */
    private final class Timed implements ChunkTransactions.Chunk {

        /** Where the chunk is: run alone, or waiting in a group, started in it, or gone from it. */
        static final int ALONE = 0;
        static final int IN_GROUP = 1;
        static final int STARTED_IN_GROUP = 2;
        static final int LEFT_GROUP = 3;

        private final Entry entry;
        private final AtomicInteger place = new AtomicInteger(ALONE);
        private volatile long started = System.nanoTime();
        /** When its work began, while it works; 0 otherwise. */
        private volatile long workBegun;
        /** What the chunk's work threw, if it did. */
        private volatile Throwable workFailure;

        Timed(Entry entry) {
            this.entry = entry;
        }

        /** Takes the chunk out of its group if it has not started in it; false if it had. */
        boolean leave() {
            return place.compareAndSet(IN_GROUP, LEFT_GROUP);
        }

        /**
         * Keeps the chunk with the thread that asks (its group's, in a transaction or done with the
         * group): true unless it left; from now on it cannot.
         */
        boolean keep() {
            return place.compareAndSet(IN_GROUP, STARTED_IN_GROUP) || place.get() != LEFT_GROUP;
        }

        /**
         * The first thing a transaction asks of a chunk: a chunk that left its group answers that
         * it was recorded (as none), so the group's transaction neither works nor records it.
         */
        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) throws SQLException {
            if (!keep()) {
                return Optional.of(LEFT_THE_GROUP);
            }
            started = System.nanoTime();
            try (TaskLog.Scope scope = TaskLog.enter(entry.logContext())) {
                return entry.chunk().recorded(connection);
            }
        }

        @Override
        public ChunkOutcome work() throws Exception {
            long begun = System.nanoTime();
            workBegun = begun;
            try (TaskLog.Scope scope = TaskLog.enter(entry.logContext())) {
                return entry.chunk().work();
            } catch (Exception | Error failure) {
                workFailure = failure;
                throw failure;
            } finally {
                workBegun = 0;
                workTook(entry.taskType(), System.nanoTime() - begun);
            }
        }

        @Override
        public void commit(WriteBatch records, ChunkOutcome outcome) throws Exception {
            try (TaskLog.Scope scope = TaskLog.enter(entry.logContext())) {
                entry.chunk().commit(records, outcome);
            }
        }
    }
}

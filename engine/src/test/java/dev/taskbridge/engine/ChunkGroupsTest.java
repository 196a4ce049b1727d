package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.taskbridge.engine.store.WriteBatch;
import dev.taskbridge.plugin.ChunkOutcome;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * Chunks of many tasks sharing transactions ({@link ChunkGroups}), on a real database: whatever
 * mix of chunks shares a group, each chunk's answer is what it would have been alone, a chunk
 * that succeeds has its effect committed exactly once, one that fails has none, and a chunk whose
 * work failed is not run again.
 */
class ChunkGroupsTest {

    private static final ExecutorService BLOCKING = Executors.newFixedThreadPool(4);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor();
    private static final ChunkGroups.Alarms ALARMS = (delay, action) -> {
        ScheduledFuture<?> alarm = TIMER.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> alarm.cancel(false);
    };
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final JdbcDataSource DATABASE = database();
    /** The transactions of every test, so that each chunk writes its effect through their data source whatever test made it. */
    private static final LocalChunkTransactions TRANSACTIONS = new LocalChunkTransactions(DATABASE);

    /** What a chunk does when it runs. */
    enum Behaviour {
        /** writes its effect, and its record */
        SUCCEEDS,
        /** writes its effect, then its work throws */
        WORK_FAILS,
        /** writes its effect; its record's statement fails every time (a task cancelled meanwhile) */
        RECORD_FAILS,
        /** writes its effect; its record's statement fails the first time only (a passing database fault) */
        RECORD_FAILS_ONCE,
        /** works for longer than {@link ChunkGroups#STUCK_WORK}, then writes its effect and its record: the chunks behind it leave its group */
        SLOW
    }

    @AfterContainer
    static void stopThreads() {
        BLOCKING.shutdownNow();
        TIMER.shutdownNow();
    }

    @Provide
    Arbitrary<List<Behaviour>> groups() {
        // a slow chunk now and then: each costs its group more than STUCK_WORK
        return Arbitraries.frequency(Tuple.of(4, Behaviour.SUCCEEDS), Tuple.of(4, Behaviour.WORK_FAILS),
                Tuple.of(4, Behaviour.RECORD_FAILS), Tuple.of(4, Behaviour.RECORD_FAILS_ONCE), Tuple.of(1, Behaviour.SLOW))
                .list().ofMinSize(2).ofMaxSize(12);
    }

    /**
     * The chunks queue behind a chunk that holds the only group, so they go in one group when it
     * lets go; the group's outcome then depends on the mix, and every chunk's must not.
     */
    @Property(tries = 300)
    void eachChunkOfAGroupEndsAsItWouldAloneAndCommitsItsEffectOnceOrNotAtAll(@ForAll("groups") List<Behaviour> mix)
            throws Exception {
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        ChunkGroups groups = new ChunkGroups(transactions, BLOCKING, ALARMS, 1);
        warmUpUntilShort(groups, "t");
        HeldGroup held = holdTheOnlyGroup(groups);

        List<TestChunk> chunks = new ArrayList<>();
        List<CompletableFuture<ChunkOutcome>> answers = new ArrayList<>();
        for (Behaviour behaviour : mix) {
            TestChunk chunk = new TestChunk("t", behaviour, null);
            chunks.add(chunk);
            answers.add(groups.run(chunk).toCompletableFuture());
        }
        int groupsBefore = transactions.groups.get();
        assertThat(held.letGo()).isEqualTo(TestChunk.OUTCOME);

        for (int i = 0; i < chunks.size(); i++) {
            TestChunk chunk = chunks.get(i);
            CompletableFuture<ChunkOutcome> answer = answers.get(i);
            answer.handle((outcome, failure) -> null).get(10, TimeUnit.SECONDS);
            // a passing fault passes for a chunk whose record met it in the group and that ran again alone
            boolean succeeds = chunk.behaviour == Behaviour.SUCCEEDS || chunk.behaviour == Behaviour.SLOW
                    || chunk.behaviour == Behaviour.RECORD_FAILS_ONCE && chunk.records.get() == 2;
            if (succeeds) {
                assertThat(answer.get()).as(chunk.toString()).isEqualTo(TestChunk.OUTCOME);
            } else {
                assertThat(answer).as(chunk.toString()).isCompletedExceptionally();
            }
            assertThat(committed("cg_effect", chunk.id)).as("effects of " + chunk).isEqualTo(succeeds ? 1 : 0);
            assertThat(committed("cg_record", chunk.id)).as("records of " + chunk).isEqualTo(succeeds ? 1 : 0);
            if (chunk.behaviour == Behaviour.WORK_FAILS) {
                assertThat(chunk.works.get()).as("a chunk whose work failed runs once: " + chunk).isEqualTo(1);
                assertThat(answer.handle((outcome, failure) -> failure).get())
                        .as("it fails with what its work threw").hasMessage("work of " + chunk.id + " fails");
            }
        }
        assertThat(transactions.groups.get() - groupsBefore).as("the queued chunks went in one group").isEqualTo(1);
    }

    /**
     * A group records its chunks in the order of their tasks' ids, whatever order they came in:
     * every writer of several task rows locks them in that order, so none waits for another in a
     * cycle (see {@code TaskRowLockOrderTest}).
     */
    @Test
    void aGroupRunsItsChunksInTheOrderOfTheirTasksIdsNotAsTheyCame() throws Exception {
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        List<String> recorded = new CopyOnWriteArrayList<>();
        ChunkGroups groups = new ChunkGroups(transactions, BLOCKING, ALARMS, 1);
        warmUpUntilShort(groups, "ordered");
        HeldGroup held = holdTheOnlyGroup(groups);
        List<TestChunk> chunks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestChunk chunk = new TestChunk("ordered", Behaviour.SUCCEEDS, null);
            chunk.recordedInto = recorded;
            chunks.add(chunk);
        }
        int groupsBefore = transactions.groups.get();
        List<CompletableFuture<ChunkOutcome>> answers = new ArrayList<>();
        for (int i = chunks.size() - 1; i >= 0; i--) {
            answers.add(groups.run(chunks.get(i)).toCompletableFuture());
        }
        held.letGo();
        for (CompletableFuture<ChunkOutcome> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        }
        assertThat(transactions.groups.get() - groupsBefore).as("the queued chunks went in one group").isEqualTo(1);
        assertThat(recorded).as("queued newest first, recorded in id order")
                .containsExactlyElementsOf(chunks.stream().map(chunk -> chunk.id).sorted().toList());
    }

    /**
     * A chunk of a short type that is slow once (a lock it waits for) must not hold up the chunks
     * queued behind it in its group: once it has worked for {@link ChunkGroups#STUCK_WORK}, they
     * leave the group and commit on their own; it commits when it is done, each exactly once.
     */
    @Test
    void theChunksBehindOneStuckInItsWorkLeaveItsGroupAndCommitOnTheirOwn() throws Exception {
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        ChunkGroups groups = new ChunkGroups(transactions, BLOCKING, ALARMS, 1);
        for (int i = 0; i < 20; i++) { // until the groups have seen that its work is short, even in a cold JVM
            warmUp(groups, "short");
        }
        HeldGroup held = holdTheOnlyGroup(groups);
        CountDownLatch unstick = new CountDownLatch(1);
        TestChunk stuck = new TestChunk("a-stuck", "short", Behaviour.SUCCEEDS, unstick, null); // first in task id order
        CompletableFuture<ChunkOutcome> stuckAnswer = groups.run(stuck).toCompletableFuture();
        List<TestChunk> behind = new ArrayList<>();
        List<CompletableFuture<ChunkOutcome>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TestChunk chunk = new TestChunk("short", Behaviour.SUCCEEDS, null);
            behind.add(chunk);
            answers.add(groups.run(chunk).toCompletableFuture());
        }
        int groupsBefore = transactions.groups.get();
        held.letGo();
        assertThat(stuck.started.await(10, TimeUnit.SECONDS)).as("the stuck chunk works").isTrue();

        for (int i = 0; i < behind.size(); i++) {
            assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).as("the chunk behind it, " + behind.get(i)).isEqualTo(TestChunk.OUTCOME);
        }
        assertThat(stuckAnswer).as("still stuck").isNotDone();
        assertThat(transactions.groups.get() - groupsBefore).as("they went in one group first").isEqualTo(1);
        unstick.countDown();
        assertThat(stuckAnswer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        for (TestChunk chunk : concat(stuck, behind)) {
            assertThat(chunk.works.get()).as("works of " + chunk).isEqualTo(1);
            assertThat(committed("cg_effect", chunk.id)).as("effects of " + chunk).isEqualTo(1);
            assertThat(committed("cg_record", chunk.id)).as("records of " + chunk).isEqualTo(1);
        }
    }

    /** A scheduler that is gone (the engine stops while a group starts) leaves the group unwatched, not lost. */
    @Test
    void aGroupWhoseAlarmCannotBeSetRunsUnwatched() throws Exception {
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        ChunkGroups groups = new ChunkGroups(transactions, BLOCKING, (delay, action) -> {
            throw new IllegalStateException("the scheduler has stopped");
        }, 1);
        for (int i = 0; i < 20; i++) {
            warmUp(groups, "unwatched");
        }
        HeldGroup held = holdTheOnlyGroup(groups);
        List<CompletableFuture<ChunkOutcome>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(groups.run(new TestChunk("unwatched", Behaviour.SUCCEEDS, null)).toCompletableFuture());
        }
        int groupsBefore = transactions.groups.get();
        held.letGo();
        for (CompletableFuture<ChunkOutcome> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        }
        assertThat(transactions.groups.get() - groupsBefore).as("they went in one group").isEqualTo(1);
    }

    /**
     * A runner whose chunk is stuck in its work gives up its place, so that the chunks queued
     * behind it do not wait for it: with both runners' chunks stuck (a lock each waits for), a
     * third chunk of the same short type still commits. Before, every short chunk of the engine
     * waited until one of them was done (seen in the peers' W4: two bodies ran of ten).
     */
    @Test
    void chunksQueuedWhileEveryRunnerIsStuckCommitWithoutWaitingForThem() throws Exception {
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        ChunkGroups groups = new ChunkGroups(transactions, BLOCKING, ALARMS, 2);
        for (int i = 0; i < 20; i++) { // until the groups have seen that its work is short, even in a cold JVM
            warmUp(groups, "quick");
        }
        CountDownLatch unstick = new CountDownLatch(1);
        TestChunk first = new TestChunk("quick", Behaviour.SUCCEEDS, unstick);
        CompletableFuture<ChunkOutcome> firstAnswer = groups.run(first).toCompletableFuture();
        assertThat(first.started.await(10, TimeUnit.SECONDS)).as("the first runner's chunk works").isTrue();
        TestChunk second = new TestChunk("quick", Behaviour.SUCCEEDS, unstick);
        CompletableFuture<ChunkOutcome> secondAnswer = groups.run(second).toCompletableFuture();
        assertThat(second.started.await(10, TimeUnit.SECONDS)).as("the second runner's chunk works").isTrue();

        TestChunk third = new TestChunk("quick", Behaviour.SUCCEEDS, null);
        assertThat(groups.run(third).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        assertThat(firstAnswer).as("still stuck").isNotDone();
        assertThat(secondAnswer).as("still stuck").isNotDone();

        unstick.countDown();
        assertThat(firstAnswer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        assertThat(secondAnswer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        for (TestChunk chunk : List.of(first, second, third)) {
            assertThat(chunk.works.get()).as("works of " + chunk).isEqualTo(1);
            assertThat(committed("cg_effect", chunk.id)).as("effects of " + chunk).isEqualTo(1);
            assertThat(committed("cg_record", chunk.id)).as("records of " + chunk).isEqualTo(1);
        }
        // each stuck runner gave up its place once: none is counted twice, none forever
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (groups.runnersNow() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the last runner leaves just after its chunks' answers
        }
        assertThat(groups.runnersNow()).as("runners once all is done").isZero();
    }

    /**
     * A look that finds a chunk stuck and the end of that chunk's group can come at the same time;
     * only one of them may decide what happens to the runner's place. Found by a cold review: the
     * runner took the next group while the look, still under way, gave up its place, so a second
     * runner started beside it and more runners ran than {@code groupsAtOnce}. Here the look is held
     * (in the executor that runs the chunk that left the group) until the runner has gone on, and
     * then, with one group at most, a chunk queued behind a running one must still wait for it.
     */
    @Test
    void aRunnerWhoseStuckLookCameFirstTakesNoOtherGroup() throws Exception {
        ManualAlarms alarms = new ManualAlarms();
        CountDownLatch lookMayGoOn = new CountDownLatch(1);
        String lookThread = "the look"; // the executor holds the calls of the thread so named
        java.util.concurrent.Executor heldForTheLook = command -> {
            if (Thread.currentThread().getName().equals(lookThread)) {
                try {
                    lookMayGoOn.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            BLOCKING.execute(command);
        };
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        ChunkGroups groups = new ChunkGroups(transactions, heldForTheLook, alarms, 1);
        for (int i = 0; i < 20; i++) { // both types short, each on its own average: the stuck one's work does not lengthen the other's
            warmUp(groups, "stuck-once");
            warmUp(groups, "other");
        }
        HeldGroup held = holdTheOnlyGroup(groups);
        CountDownLatch unstick = new CountDownLatch(1);
        TestChunk stuck = new TestChunk("a-stuck-" + IDS.incrementAndGet(), "stuck-once", Behaviour.SUCCEEDS, unstick, null);
        TestChunk behind = new TestChunk("other", Behaviour.SUCCEEDS, null); // after it in id order: not started when the look comes
        CompletableFuture<ChunkOutcome> stuckAnswer = groups.run(stuck).toCompletableFuture();
        CompletableFuture<ChunkOutcome> behindAnswer = groups.run(behind).toCompletableFuture();
        held.letGo();
        assertThat(stuck.started.await(10, TimeUnit.SECONDS)).as("the stuck chunk works").isTrue();
        Thread.sleep(ChunkGroups.STUCK_WORK.toMillis() + 20);

        // the look finds it stuck; the chunk behind it leaves, and the look is held as it hands that chunk on
        Thread look = new Thread(alarms::ringTheLast, lookThread);
        look.start();
        CountDownLatch secondRunning = new CountDownLatch(1);
        TestChunk second = new TestChunk("other", Behaviour.SUCCEEDS, null, null);
        CountDownLatch letSecondGo = new CountDownLatch(1);
        second.holdInWork = letSecondGo;
        second.working = secondRunning;
        waitUntil(() -> look.getState() == Thread.State.WAITING || look.getState() == Thread.State.TIMED_WAITING, "the look to be held");
        CompletableFuture<ChunkOutcome> secondAnswer = groups.run(second).toCompletableFuture(); // queued: the only place is the stuck runner's
        unstick.countDown(); // the stuck group ends: its runner must not take the second chunk, the look decided first
        assertThat(stuckAnswer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        assertThat(secondRunning.await(10, TimeUnit.SECONDS)).as("the second chunk runs, on the runner that took the place").isTrue();

        lookMayGoOn.countDown(); // the look goes on: the chunk that left runs, and the look gives up a place it no longer decides
        assertThat(behindAnswer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        look.join(10_000);
        TestChunk third = new TestChunk("other", Behaviour.SUCCEEDS, null);
        CompletableFuture<ChunkOutcome> thirdAnswer = groups.run(third).toCompletableFuture();
        Thread.sleep(200);
        assertThat(thirdAnswer).as("one group at most: the third waits while the second's runner holds the place").isNotDone();
        assertThat(groups.runnersNow()).isEqualTo(1);

        letSecondGo.countDown();
        assertThat(secondAnswer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        assertThat(thirdAnswer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        for (TestChunk chunk : List.of(stuck, behind, second, third)) {
            assertThat(chunk.works.get()).as("works of " + chunk).isEqualTo(1);
            assertThat(committed("cg_effect", chunk.id)).as("effects of " + chunk).isEqualTo(1);
        }
    }

    /** Alarms that ring only when the test rings them. */
    private static final class ManualAlarms implements ChunkGroups.Alarms {

        private final List<Runnable> set = new CopyOnWriteArrayList<>();
        private final List<Runnable> cancelled = new CopyOnWriteArrayList<>();

        @Override
        public Runnable after(Duration delay, Runnable action) {
            set.add(action);
            return () -> cancelled.add(action);
        }

        /** Rings the alarm set last, on the calling thread; it must not be cancelled. */
        void ringTheLast() {
            Runnable last = set.get(set.size() - 1);
            if (cancelled.contains(last)) {
                throw new IllegalStateException("the last alarm was cancelled");
            }
            last.run();
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static List<TestChunk> concat(TestChunk first, List<TestChunk> rest) {
        List<TestChunk> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** Long chunks would hold each other up in a group: they run alone, side by side. */
    @Test
    void chunksOfATypeWhoseWorkIsLongRunAloneAtTheSameTime() throws Exception {
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        ChunkGroups groups = new ChunkGroups(transactions, BLOCKING, ALARMS, 1);
        CountDownLatch bothRunning = new CountDownLatch(2);
        TestChunk first = new TestChunk("long", Behaviour.SUCCEEDS, null, bothRunning);
        TestChunk second = new TestChunk("long", Behaviour.SUCCEEDS, null, bothRunning);
        CompletableFuture<ChunkOutcome> one = groups.run(first).toCompletableFuture();
        CompletableFuture<ChunkOutcome> two = groups.run(second).toCompletableFuture();

        assertThat(one.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        assertThat(two.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        assertThat(transactions.groups.get()).isZero();
    }

    /** With no groups configured, short chunks run alone too: each its own transaction, as before groups. */
    @Test
    void noGroupsRunsEveryChunkAlone() throws Exception {
        CountingTransactions transactions = new CountingTransactions(TRANSACTIONS);
        ChunkGroups groups = new ChunkGroups(transactions, BLOCKING, ALARMS, 0);
        warmUp(groups, "t");
        List<CompletableFuture<ChunkOutcome>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(groups.run(new TestChunk("t", Behaviour.SUCCEEDS, null)).toCompletableFuture());
        }
        for (CompletableFuture<ChunkOutcome> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(TestChunk.OUTCOME);
        }
        assertThat(transactions.groups.get()).isZero();
        assertThat(transactions.alone.get()).isEqualTo(21);
    }

    /**
     * Runs a chunk that holds the only group until let go, so that the chunks run meanwhile queue
     * and go in one group when it lets go. It holds before its work (as if its marker's lookup
     * waited), not in it: a runner whose chunk is stuck in its work gives up its place to another.
     */
    private static HeldGroup holdTheOnlyGroup(ChunkGroups groups) throws Exception {
        warmUpUntilShort(groups, "blocker");
        CountDownLatch letGo = new CountDownLatch(1);
        TestChunk blocker = new TestChunk("blocker", Behaviour.SUCCEEDS, null);
        blocker.holdBeforeWork = letGo;
        CompletableFuture<ChunkOutcome> blocked = groups.run(blocker).toCompletableFuture();
        assertThat(blocker.started.await(10, TimeUnit.SECONDS)).as("the blocker started").isTrue();
        return new HeldGroup(letGo, blocked);
    }

    private record HeldGroup(CountDownLatch gate, CompletableFuture<ChunkOutcome> blocked) {

        /** Lets the blocker finish; returns its outcome. */
        ChunkOutcome letGo() throws Exception {
            gate.countDown();
            return blocked.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Quick chunks of the type until the groups take its work for short: one chunk slowed by a
     * loaded machine (5 ms is little) would otherwise have the type's chunks run alone, not grouped.
     */
    private static void warmUpUntilShort(ChunkGroups groups, String type) throws Exception {
        for (int i = 0; i < 50 && !groups.isShort(type); i++) {
            warmUp(groups, type);
        }
        assertThat(groups.isShort(type)).as("the work of " + type + " taken for short").isTrue();
    }

    /** One quick chunk of the type, so that the groups know its work is short. */
    private static void warmUp(ChunkGroups groups, String type) throws Exception {
        groups.run(new TestChunk(type, Behaviour.SUCCEEDS, null)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static int committed(String table, String id) throws SQLException {
        try (Connection connection = DATABASE.getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE id = ?")) {
            count.setString(1, id);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static JdbcDataSource database() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:chunk-groups;DB_CLOSE_DELAY=-1");
        try (Connection connection = h2.getConnection(); Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE cg_effect (id VARCHAR(20) NOT NULL)");
            ddl.execute("CREATE TABLE cg_record (id VARCHAR(20) PRIMARY KEY)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return h2;
    }

    /** The chunk transactions the groups are given, counting how they are asked to run chunks. */
    private record CountingTransactions(ChunkTransactions real, AtomicInteger alone, AtomicInteger groups)
            implements ChunkTransactions {

        CountingTransactions(ChunkTransactions real) {
            this(real, new AtomicInteger(), new AtomicInteger());
        }

        @Override
        public ChunkOutcome runOnce(Chunk chunk) throws Exception {
            alone.incrementAndGet();
            return real.runOnce(chunk);
        }

        @Override
        public List<ChunkOutcome> runAllOnce(List<? extends Chunk> chunks) throws Exception {
            groups.incrementAndGet();
            return real.runAllOnce(chunks);
        }
    }

    /** A chunk whose work writes its effect on the chunk transaction's connection, and whose record is a row keyed by its id. */
    private static final class TestChunk implements ChunkTransactions.Chunk, ChunkGroups.Entry {

        static final ChunkOutcome OUTCOME = new ChunkOutcome(1, 0, "");

        final String id;
        final String type;
        final Behaviour behaviour;
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicInteger works = new AtomicInteger();
        private final CountDownLatch waitFor;
        private final CountDownLatch meetAt;
        final AtomicInteger records = new AtomicInteger();
        /** Where its record notes its id, if anywhere: the order in which a group records its chunks. */
        List<String> recordedInto;
        /** If set, the chunk starts and waits for it before its work: it holds its runner without being stuck in work. */
        CountDownLatch holdBeforeWork;
        /** If set, counted down when its work begins, which then waits for {@link #holdInWork}. */
        CountDownLatch working;
        CountDownLatch holdInWork;

        TestChunk(String type, Behaviour behaviour, CountDownLatch waitFor) {
            this(type, behaviour, waitFor, null);
        }

        /** @param meetAt counted down, then awaited, by the work: chunks that meet there run at the same time */
        TestChunk(String type, Behaviour behaviour, CountDownLatch waitFor, CountDownLatch meetAt) {
            this("c" + IDS.incrementAndGet(), type, behaviour, waitFor, meetAt);
        }

        /** @param id its task's id, which places it in a group (groups run their chunks in id order) */
        TestChunk(String id, String type, Behaviour behaviour, CountDownLatch waitFor, CountDownLatch meetAt) {
            this.id = id;
            this.type = type;
            this.behaviour = behaviour;
            this.waitFor = waitFor;
            this.meetAt = meetAt;
        }

        @Override
        public Optional<ChunkOutcome> recorded(Connection connection) {
            if (holdBeforeWork != null) {
                started.countDown();
                try {
                    holdBeforeWork.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Optional.empty();
        }

        @Override
        public String taskId() {
            return id;
        }

        @Override
        public ChunkOutcome work() throws Exception {
            works.incrementAndGet();
            started.countDown();
            if (working != null) {
                working.countDown();
            }
            if (holdInWork != null) {
                holdInWork.await(10, TimeUnit.SECONDS);
            }
            if (waitFor != null) {
                waitFor.await(10, TimeUnit.SECONDS);
            }
            if (behaviour == Behaviour.SLOW) {
                // two looks of the group's alarm, so that one of them finds it stuck whatever their phase
                Thread.sleep(2 * ChunkGroups.STUCK_WORK.toMillis() + 20);
            }
            if (meetAt != null) {
                meetAt.countDown();
                if (!meetAt.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other chunk never ran alongside " + id);
                }
            }
            try (Connection connection = TRANSACTIONS.dataSource().getConnection()) {
                // off a chunk's thread the data source commits each write by itself: an effect no record commits with
                if (connection.getAutoCommit()) {
                    throw new IllegalStateException("no chunk transaction on this thread");
                }
                try (PreparedStatement effect = connection.prepareStatement("INSERT INTO cg_effect (id) VALUES (?)")) {
                    effect.setString(1, id);
                    effect.executeUpdate();
                }
            }
            if (behaviour == Behaviour.WORK_FAILS) {
                throw new IllegalStateException("work of " + id + " fails");
            }
            return OUTCOME;
        }

        @Override
        public void commit(WriteBatch batch, ChunkOutcome outcome) throws Exception {
            int attempt = records.incrementAndGet();
            if (behaviour == Behaviour.RECORD_FAILS || behaviour == Behaviour.RECORD_FAILS_ONCE && attempt == 1) {
                throw new SQLException("the record of " + id + " fails (attempt " + attempt + ")");
            }
            if (recordedInto != null) {
                recordedInto.add(id);
            }
            batch.add(WriteBatch.Rows.NEW, "INSERT INTO cg_record (id) VALUES (?)", WriteBatch.Check.NONE, id);
        }

        @Override
        public ChunkTransactions.Chunk chunk() {
            return this;
        }

        @Override
        public String taskType() {
            return type;
        }

        @Override
        public Map<String, String> logContext() {
            return Map.of("taskId", id);
        }

        @Override
        public ChunkOutcome committed(ChunkOutcome outcome, Duration took) {
            return outcome;
        }

        @Override
        public Throwable failed(Throwable failure) {
            return failure;
        }

        @Override
        public String toString() {
            return id + " " + behaviour;
        }
    }
}

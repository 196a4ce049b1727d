package dev.taskbridge.bench.peers;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.LocalChunkTransactions;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.store.TaskState;

/**
 * Taskbridge's engine embedded in a plain JVM: {@code TaskEngine.start} with default settings, one
 * task type whose slots are the workers, and {@link LocalChunkTransactions}, so that what a chunk
 * writes through the engine's data source commits with the chunk's record, exactly once, as the
 * bridge's JTA transactions do in WildFly (W3 counts it).
 *
 * <p>Per-key order: W5 submits every step with its key as the task's order key
 * ({@code TaskEngine.submit(..., orderKey)}, design note 032): the key picks the slot, and a slot
 * starts a key's tasks one at a time in the order they came (several keys' at once, note 034), so
 * the steps of one key run in turn while the keys spread over the slots ({@code taskbridge}). {@code taskbridge-chained} does in W5 what
 * db-scheduler's and JobRunr's users do (each step's body submits the next), so that those peers'
 * W5 figures have a like-for-like counterpart.
 */
final class TaskbridgePeer implements Peer {

    private static final String OWNER = "bench";
    /**
     * Blocking threads beyond one per worker: the engine's blocking pool runs the chunks' work and
     * its store writes (submissions, starts, group commits); see {@link #settings()}.
     */
    private static final int STORE_THREADS = 2;
    /**
     * Tasks each slot runs at once (design note 034): {@code bench.peers.at-once-per-slot}, 4 unless
     * set. As many bodies run at once as on every peer whatever this is (the blocking pool bounds
     * them); more than one lets a slot start a task while another's end is being journaled.
     */
    static final int AT_ONCE_PER_SLOT = Integer.getInteger("bench.peers.at-once-per-slot", 4);

    private final boolean chained;
    private TaskEngine engine;
    private LocalChunkTransactions transactions;
    private int blockingThreads;

    TaskbridgePeer(boolean chained) {
        this.chained = chained;
    }

    @Override
    public String name() {
        return chained ? "taskbridge-chained" : "taskbridge";
    }

    @Override
    public String library() {
        return "Taskbridge engine " + Versions.of("dev.taskbridge", "taskbridge-engine")
                + " (this checkout's, from the local repository)";
    }

    @Override
    public List<String> settings() {
        EngineSettings d = EngineSettings.DEFAULTS;
        return List.of(
                "`TaskEngine.start` with `EngineSettings.DEFAULTS` (" + d.dispatcherThreads() + " dispatcher threads, "
                        + d.journalThreads() + " journal threads, " + EngineSettings.DEFAULT_CHUNK_GROUPS
                        + " chunk groups); see `bench/README.md`",
                "blocking threads " + blockingThreads + " (`taskbridge.blocking-threads` in the server, default "
                        + d.blockingThreads() + "): one per worker, so that as many bodies run at once as on every peer, "
                        + "plus " + STORE_THREADS + " for the store's writes, which share the pool (README's settings table "
                        + "says what the pool runs)",
                "no JTA: `LocalChunkTransactions` on the harness's pool; the task's body writes through its "
                        + "`dataSource()`, so a chunk's writes commit with its record in one local transaction (exactly "
                        + "once, as the bridge's JTA transactions in WildFly); the engine itself gets the pool, so that a "
                        + "chained step's submit commits on its own, as the gateway's calls do in the server",
                "one task type, one no-op chunk, slots = workers, each running up to " + AT_ONCE_PER_SLOT
                        + " of its tasks at once (`TaskType.concurrentTasksPerSlot`, design note 034; "
                        + "`bench.peers.at-once-per-slot`); a key's tasks still run one after another, in order");
    }

    @Override
    public String orderingNote() {
        if (chained) {
            return "each step's chunk submits the next step of its key through `TaskEngine.submit` (a chain), as "
                    + "db-scheduler's and JobRunr's rows do, for a like-for-like comparison with them";
        }
        return "each step submitted with its key as the task's order key (`TaskEngine.submit(..., orderKey)`, design "
                + "note 032): the key picks the slot, which runs a key's tasks one at a time in the order they came";
    }

    @Override
    public Ordering ordering() {
        return chained ? Ordering.CHAINED : Ordering.AS_SUBMITTED;
    }

    @Override
    public void start(PeerSetup setup) {
        // the engine on the pool itself: a submit from a chained step's chunk must not join that chunk's transaction
        transactions = new LocalChunkTransactions(setup.dataSource());
        blockingThreads = setup.workers() + STORE_THREADS;
        engine = TaskEngine.start(EngineSettings.DEFAULTS.withBlockingThreads(blockingThreads),
                TaskTypeRegistry.of(List.of(new RecordingTaskType(setup.workers(), AT_ONCE_PER_SLOT))), setup.dataSource(), null,
                TaskbridgePeer.class.getClassLoader(), Clock.systemUTC(), transactions);
    }

    /** On a chunk's thread, the chunk's own transaction: the effect commits with the chunk's record. */
    @Override
    public DataSource bodyDataSource(DataSource harnessPool) {
        return transactions.dataSource();
    }

    @Override
    public void submit(TaskRef task, boolean ordered) throws Exception {
        String orderKey = ordered && !chained ? "key-" + task.key() : null;
        engine.submit(RecordingTaskType.ID, OWNER, null, RecordingTaskType.payload(task), null, 0, orderKey);
    }

    @Override
    public long unfinished() {
        long open = 0;
        for (Map.Entry<TaskState, Long> entry : engine.store().countByState().entrySet()) {
            if (entry.getKey() != TaskState.SUCCEEDED) {
                open += entry.getValue();
            }
        }
        return open;
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}

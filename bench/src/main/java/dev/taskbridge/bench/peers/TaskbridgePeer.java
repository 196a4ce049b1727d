package dev.taskbridge.bench.peers;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.TaskEngine;
import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.store.TaskState;

/**
 * Taskbridge's engine embedded as {@code DurableTasksBench} runs it: {@code TaskEngine.start} with
 * default settings, no JTA, one task type whose slots are the workers.
 *
 * <p>Per-key order: W5 submits every step with its key as the task's order key
 * ({@code TaskEngine.submit(..., orderKey)}, design note 032): the key picks the slot, and a slot
 * runs its tasks one at a time in the order they came, so the steps of one key run in turn while
 * the keys spread over the slots ({@code taskbridge}). {@code taskbridge-chained} does in W5 what
 * db-scheduler's and JobRunr's users do (each step's body submits the next), so that those peers'
 * W5 figures have a like-for-like counterpart.
 */
final class TaskbridgePeer implements Peer {

    private static final String OWNER = "bench";

    private final boolean chained;
    private TaskEngine engine;

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
                        + d.blockingThreads() + " blocking threads, " + d.journalThreads() + " journal threads, "
                        + EngineSettings.DEFAULT_CHUNK_GROUPS + " chunk groups), no JTA, as `bench/run.sh` "
                        + "(`DurableTasksBench`) runs it; see `bench/README.md`",
                "one task type, one no-op chunk, slots = workers");
    }

    @Override
    public String orderingNote() {
        if (chained) {
            return "each step's chunk submits the next step of its key through `TaskEngine.submit` (a chain), as "
                    + "db-scheduler's and JobRunr's rows do, for a like-for-like comparison with them";
        }
        return "each step submitted with its key as the task's order key (`TaskEngine.submit(..., orderKey)`, design "
                + "note 032): the key picks the slot, which runs its tasks one at a time in the order they came";
    }

    @Override
    public Ordering ordering() {
        return chained ? Ordering.CHAINED : Ordering.AS_SUBMITTED;
    }

    @Override
    public void start(PeerSetup setup) {
        engine = TaskEngine.start(EngineSettings.DEFAULTS,
                TaskTypeRegistry.of(List.of(new RecordingTaskType(setup.workers()))), setup.dataSource(), null,
                TaskbridgePeer.class.getClassLoader(), Clock.systemUTC(), null);
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

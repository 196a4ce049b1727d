package dev.taskbridge.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.ChunkUndo;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskContext;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;

/**
 * A rollback is a task of the original's type, with its payload, marked by a reserved option
 * (design note 030): its chunks undo the original's committed chunks, last first, through the
 * plugin's {@link ChunkUndo}. Everything else (slots, markers, progress, history, retries) is a
 * task's, unchanged.
 */
final class Rollbacks {

    /** Options named so are the engine's: refused in submissions. */
    static final String RESERVED_PREFIX = "taskbridge.";
    /** The option that makes a task the rollback of the task it names. */
    static final String OF = RESERVED_PREFIX + "rollback-of";

    private Rollbacks() {
    }

    /** Idempotency keys that start so are the engine's: refused in submissions, so no client takes a rollback's. */
    static final String RESERVED_KEY_PREFIX = "taskbridge:";

    /** The idempotency key of a task's rollback, under its owner: one rollback per task, whoever asks. */
    static String key(String taskId) {
        return RESERVED_KEY_PREFIX + "rollback:" + taskId;
    }

    /** The task a stored payload rolls back, if it is a rollback's. */
    static Optional<String> of(Payload stored) {
        return Optional.ofNullable(stored.options().get(OF));
    }

    /** The task a task rolls back, if it is a rollback: told by its key, which no client may use. */
    static Optional<String> of(TaskRecord task) {
        String key = task.idempotencyKey();
        String prefix = key(""); // the key of a rollback, less the task's id
        return key != null && key.startsWith(prefix) ? Optional.of(key.substring(prefix.length())) : Optional.empty();
    }

    /** A rollback's payload: the original's, as it was stored, with the reserved option. */
    static Payload rollbackOf(String taskId, Payload original) {
        Map<String, String> options = new LinkedHashMap<>(original.options());
        options.put(OF, taskId);
        return original.withOptions(options);
    }

    /**
     * The rollback of {@code original} to store, under id {@code id}: the original's type, the
     * version it was stored under (so a resume migrates the payload as the original's, note 028),
     * its owner, priority and order key, and its payload as stored with the reserved option.
     */
    static NewTask task(String id, TaskRecord original, Payload originalPayload) {
        return new NewTask(id, original.taskType(), original.typeVersion(), original.owner(), key(original.id()),
                rollbackOf(original.id(), originalPayload), null, null, original.priority(), original.orderKey());
    }

    /** The original's payload, as its plugin parses it, from a rollback's. */
    static Payload original(Payload rollback) {
        Map<String, String> options = new LinkedHashMap<>(rollback.options());
        options.remove(OF);
        return rollback.withOptions(options);
    }

    /**
     * The chunks a task that ended committed, in chunk order: those its markers record, and for a
     * task that succeeded its last chunk too, which has no marker (its outcome went into the
     * task's result in the same transaction): its items are the task's less the markers', its
     * data empty.
     */
    static List<ChunkOutcome> committed(TaskRecord original, List<ChunkOutcome> markers) {
        if (original.state() != TaskState.SUCCEEDED || markers.size() >= original.chunksTotal()) {
            return markers;
        }
        long itemsDone = original.itemsDone() - markers.stream().mapToLong(ChunkOutcome::itemsDone).sum();
        long itemsFailed = original.itemsFailed() - markers.stream().mapToLong(ChunkOutcome::itemsFailed).sum();
        List<ChunkOutcome> all = new ArrayList<>(markers);
        all.add(new ChunkOutcome((int) Math.max(0, itemsDone), (int) Math.max(0, itemsFailed), ""));
        return all;
    }

    /**
     * What a rollback runs: the original's parsed payload and its committed chunks, in chunk order.
     *
     * @param of the original task's id
     */
    record Plan<P>(String of, P payload, List<ChunkOutcome> committed) {

        Plan {
            committed = List.copyOf(committed);
        }
    }

    /**
     * The type a rollback runs as: the plugin's id and version, and a handler whose chunk
     * <i>i</i> undoes the original's chunk <i>n - 1 - i</i>.
     */
    static <P> TaskType<Plan<P>> type(TaskType<P> plugin, ChunkUndo<P> undo) {
        TaskHandler<Plan<P>> handler = new TaskHandler<>() {
            @Override
            public int chunkCount(Plan<P> plan) {
                return plan.committed().size();
            }

            @Override
            public ChunkOutcome runChunk(Plan<P> plan, int chunk, TaskContext context) throws Exception {
                int original = plan.committed().size() - 1 - chunk;
                return undo.undo(plan.payload(), new ChunkUndo.CommittedChunk(plan.of(), original,
                        plan.committed().get(original)), context);
            }

            @Override
            public String result(Plan<P> plan, List<ChunkOutcome> outcomes) throws Exception {
                return undo.result(plan.payload(), outcomes);
            }
        };
        return new TaskType<>() {
            @Override
            public String id() {
                return plugin.id();
            }

            @Override
            public int version() {
                return plugin.version();
            }

            @Override
            public int slots() {
                return plugin.slots();
            }

            @Override
            public Plan<P> parse(Payload payload) {
                throw new UnsupportedOperationException("a rollback is made by the engine, never parsed");
            }

            @Override
            public TaskHandler<Plan<P>> handler() {
                return handler;
            }
        };
    }
}

package dev.taskbridge.engine;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.routing.TaskRouter;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure policy that rolls a task back by itself (design note 030): a task of a type set to
 * roll back on failure ({@link EngineSettings#rollBackOnFailure}) that fails for good having
 * committed a chunk gets its rollback, stored in the transaction that stores its failure
 * ({@link TaskStore#markFailedAndRollBack}) and then handed to a slot. The rollback is the one a
 * supervisor would get: once per task, under the same key, undoing the same chunks.
 */
final class FailureRollbacks {

    /** Who asks, as the failed task's history says it. */
    static final String BY = "the failure policy";

    private static final Logger LOG = LoggerFactory.getLogger(FailureRollbacks.class);
    /** With ten slots, the chance that this many draws all miss the original's slot is below 1 in 10^45. */
    private static final int DRAWS = 1_000;

    private final Set<String> taskTypes;
    private final TaskStore store;
    private final TaskRouter router;
    /**
     * Set once the engine runs. A rollback stored before is handed over by the engine's start,
     * which hands every unfinished task in the store to its slot.
     */
    private volatile Consumer<TaskRecord> handOver;

    /** The policy for {@code configured} types; those whose plugin offers no undo are reported, and keep their failed tasks. */
    FailureRollbacks(Set<String> configured, TaskTypeRegistry registry, TaskStore store, TaskRouter router) {
        Set<String> types = new HashSet<>();
        for (String type : configured) {
            Optional<TaskType<?>> plugin = registry.find(type);
            if (plugin.isEmpty()) {
                LOG.warn("Task type {} is set to roll back on failure, but no active plugin provides it", type);
            } else if (plugin.get().undo().isEmpty()) {
                LOG.warn("Task type {} is set to roll back on failure, but its plugin ({}) undoes nothing: its failed tasks "
                        + "are kept as they are", type, plugin.get().getClass().getName());
            } else {
                types.add(type);
            }
        }
        this.taskTypes = Set.copyOf(types);
        this.store = store;
        this.router = router;
    }

    boolean appliesTo(String taskType) {
        return taskTypes.contains(taskType);
    }

    /**
     * The rollback of a task about to be stored as failed, if it needs one: none for a task that
     * committed no chunk (nothing to undo) or that is itself a rollback (a rollback of a rollback is
     * refused, note 030).
     */
    Optional<NewTask> rollbackOf(String taskId) {
        TaskRecord failing = store.find(taskId).orElse(null);
        if (failing == null || Rollbacks.of(failing).isPresent() || store.committedChunks(taskId).isEmpty()) {
            return Optional.empty();
        }
        Payload payload = store.payload(taskId).orElse(null);
        return payload == null ? Optional.empty() : Optional.of(Rollbacks.task(idInSlotOf(failing), failing, payload));
    }

    /**
     * An id that puts the rollback in the slot its original leaves as it fails, so it takes the
     * place the failure frees: a slot's bound ({@link EngineSettings#slotCapacity}) holds without
     * refusing the policy's rollback. A task with an order key is routed by its key, so any id does.
     */
    private String idInSlotOf(TaskRecord original) {
        if (original.orderKey() != null) {
            return TaskIds.next();
        }
        SlotId slot = router.slotFor(original.taskType(), original.id());
        for (int draw = 0; draw < DRAWS; draw++) {
            String id = TaskIds.next();
            if (router.slotFor(original.taskType(), id).equals(slot)) {
                return id;
            }
        }
        return TaskIds.next();
    }

    /** Hands a rollback just stored to its slot, once the engine runs. */
    void handOver(TaskRecord rollback) {
        Consumer<TaskRecord> to = handOver;
        if (to != null) {
            to.accept(rollback);
        }
    }

    /** From now on, rollbacks are handed over as they are stored: called before the engine hands over what the store holds. */
    void handOverTo(Consumer<TaskRecord> to) {
        handOver = to;
    }
}

package dev.taskbridge.engine.slot;

import java.time.Instant;

import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.plugin.TaskType;

/**
 * A task ready to run: its plugin and parsed payload. Held in memory by the slot while the task
 * runs and rebuilt from the store after a restart; never persisted.
 *
 * @param type      null when {@code finished}
 * @param payload   null when {@code finished}
 * @param startedAt when the task first started (before any restart); null when {@code finished}
 */
public record PreparedTask(SlotId slot, String taskId, String owner, TaskType<Object> type, Object payload,
                           int chunkCount, Instant startedAt, boolean finished) {

    /** The task is final in the store already; the slot drops it. */
    public static PreparedTask alreadyFinished(SlotId slot, String taskId) {
        return new PreparedTask(slot, taskId, null, null, null, 0, null, true);
    }
}

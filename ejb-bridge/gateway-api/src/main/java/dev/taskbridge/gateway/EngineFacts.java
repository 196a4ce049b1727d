package dev.taskbridge.gateway;

import java.time.Instant;
import java.util.Map;

/**
 * Observed state of the engine.
 *
 * @param build              which Taskbridge and which plugins run on this node
 * @param startedAt          when the actor system was started
 * @param liveSlotActors     slot actors alive right now on this node, per task type
 * @param tasksByStatus      stored tasks per status
 * @param stalledTasks       running tasks without progress for longer than the stalled-after setting
 * @param cluster            the cluster's members and the slots on each, on a node of a cluster
 */
public record EngineFacts(BuildView build, Instant startedAt, Map<String, Integer> liveSlotActors, Map<TaskStatus, Long> tasksByStatus,
                          long stalledTasks, ClusterView cluster) {

    public int totalLiveSlotActors() {
        return liveSlotActors.values().stream().mapToInt(Integer::intValue).sum();
    }
}

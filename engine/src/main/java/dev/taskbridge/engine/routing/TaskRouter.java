package dev.taskbridge.engine.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Picks a task's slot: one consistent-hash ring per task type, built once from the slot counts.
 */
public final class TaskRouter {

    private final Map<String, ConsistentHashRing> rings;

    /** @param slotsPerType number of slots for each task type id */
    public TaskRouter(Map<String, Integer> slotsPerType) {
        Map<String, ConsistentHashRing> byType = new LinkedHashMap<>();
        slotsPerType.forEach((type, slots) -> byType.put(type, new ConsistentHashRing(slots)));
        this.rings = Map.copyOf(byType);
    }

    public SlotId slotFor(String taskType, String taskId) {
        ConsistentHashRing ring = rings.get(taskType);
        if (ring == null) {
            throw new IllegalArgumentException("no slots for task type " + taskType);
        }
        return new SlotId(taskType, ring.slotFor(taskId));
    }

    /** Every slot of a task type, in index order. */
    public List<SlotId> slotsOf(String taskType) {
        return IntStream.range(0, slots(taskType)).mapToObj(index -> new SlotId(taskType, index)).toList();
    }

    /** Number of slots of a task type. */
    public int slots(String taskType) {
        ConsistentHashRing ring = rings.get(taskType);
        return ring == null ? 0 : ring.slots();
    }
}

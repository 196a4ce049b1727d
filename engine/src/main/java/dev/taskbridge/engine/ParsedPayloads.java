package dev.taskbridge.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.taskbridge.engine.slot.SlotReporting;
import dev.taskbridge.engine.store.TaskRecord;

/**
 * Tasks as they were submitted, kept for the slot that starts them a moment later: the row just
 * stored and the payload parsed at submission. A payload is checked when it is submitted and
 * needed again, parsed, when its task starts; parsing a file of thousands of lines twice, or
 * reading back a row this engine has just written, is work done twice.
 *
 * <p>Bounded by count and by the payloads' size (a parsed file takes several times its bytes),
 * the oldest going first: a task that waits long is read from the store, as after a restart. Each
 * is handed out once, and only to the incarnation of its slot that was on this node when it was
 * submitted: a slot that restarted since, or (on a node of a cluster) left and came back, may have
 * run the task meanwhile, here or elsewhere, so its start reads the store (design note 036). A
 * submission whose slot is not live here is not kept: the node that runs it reads the store.
 */
final class ParsedPayloads {

    /** Enough for a burst of small submissions that wait behind each other. */
    static final int CAPACITY = 10_000;
    /** Submitted bytes whose parsed form is kept at most: a few files of some megabytes, or thousands of small payloads. */
    static final long CAPACITY_BYTES = 4L * 1024 * 1024;

    /**
     * A task as submitted: its stored row and its parsed payload.
     *
     * @param slot        its slot's reporting on this node
     * @param incarnation the slot's incarnation here when the task was submitted
     */
    record Submitted(TaskRecord task, Object parsed, int payloadBytes, SlotReporting slot, int incarnation) {
    }

    private final Map<String, Submitted> byTask = new LinkedHashMap<>();
    private long bytes;

    /** Keeps the submission for its slot, if the slot is live on this node. */
    synchronized void put(TaskRecord task, Object parsed, int payloadBytes, SlotReporting slot) {
        if (!slot.live().get()) {
            return;
        }
        Submitted previous = byTask.put(task.id(), new Submitted(task, parsed, payloadBytes, slot, slot.incarnation().get()));
        bytes += payloadBytes - (previous == null ? 0 : previous.payloadBytes());
        Iterator<Submitted> oldest = byTask.values().iterator();
        while (byTask.size() > CAPACITY || bytes > CAPACITY_BYTES && byTask.size() > 1) {
            bytes -= oldest.next().payloadBytes();
            oldest.remove();
        }
    }

    /** The task as submitted, once; null when it is not kept (any more), or its slot started here again since. */
    synchronized Submitted take(String taskId) {
        Submitted submitted = byTask.remove(taskId);
        if (submitted == null) {
            return null;
        }
        bytes -= submitted.payloadBytes();
        return submitted.incarnation() == submitted.slot().incarnation().get() ? submitted : null;
    }
}

package dev.taskbridge.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.taskbridge.engine.store.TaskRecord;

/**
 * Tasks as they were submitted, kept for the slot that starts them a moment later: the row just
 * stored and the payload parsed at submission. A payload is checked when it is submitted and
 * needed again, parsed, when its task starts; parsing a file of thousands of lines twice, or
 * reading back a row this engine has just written, is work done twice.
 *
 * <p>Bounded by count and by the payloads' size (a parsed file takes several times its bytes),
 * the oldest going first: a task that waits long is read from the store, as after a restart. Each
 * is handed out once.
 */
final class ParsedPayloads {

    /** Enough for a burst of small submissions that wait behind each other. */
    static final int CAPACITY = 10_000;
    /** Submitted bytes whose parsed form is kept at most: a few files of some megabytes, or thousands of small payloads. */
    static final long CAPACITY_BYTES = 4L * 1024 * 1024;

    /** A task as submitted: its stored row and its parsed payload. */
    record Submitted(TaskRecord task, Object parsed, int payloadBytes) {
    }

    private final Map<String, Submitted> byTask = new LinkedHashMap<>();
    private long bytes;

    synchronized void put(TaskRecord task, Object parsed, int payloadBytes) {
        Submitted previous = byTask.put(task.id(), new Submitted(task, parsed, payloadBytes));
        bytes += payloadBytes - (previous == null ? 0 : previous.payloadBytes());
        Iterator<Submitted> oldest = byTask.values().iterator();
        while (byTask.size() > CAPACITY || bytes > CAPACITY_BYTES && byTask.size() > 1) {
            bytes -= oldest.next().payloadBytes();
            oldest.remove();
        }
    }

    /** The task as submitted, once; null when it is not kept (any more). */
    synchronized Submitted take(String taskId) {
        Submitted submitted = byTask.remove(taskId);
        if (submitted != null) {
            bytes -= submitted.payloadBytes();
        }
        return submitted;
    }
}

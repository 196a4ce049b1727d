package dev.taskbridge.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Payloads parsed at submission, kept for the slot that starts the task a moment later: a
 * payload is checked when it is submitted and needed again, parsed, when its task starts, and
 * parsing a file of thousands of lines twice is work done twice. Only the last few submissions
 * are kept (a task that waits long is parsed again from the store, as after a restart), and each
 * is handed out once.
 */
final class ParsedPayloads {

    /** Enough for a burst of submissions that start at once; each may hold a large parsed file. */
    static final int CAPACITY = 16;

    private final Map<String, Object> byTask = new LinkedHashMap<>(CAPACITY * 2, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized void put(String taskId, Object parsed) {
        byTask.put(taskId, parsed);
    }

    /** The payload parsed at submission, once; null when it is not kept (any more). */
    synchronized Object take(String taskId) {
        return byTask.remove(taskId);
    }
}

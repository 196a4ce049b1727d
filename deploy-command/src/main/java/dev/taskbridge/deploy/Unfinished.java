package dev.taskbridge.deploy;

import java.util.List;

/** A server's tasks not final yet of one type and version, as {@code GET /api/admin/unfinished-tasks} lists them. */
record Unfinished(String taskType, int version, long tasks, List<String> firstIds) {

    Unfinished {
        firstIds = List.copyOf(firstIds);
    }

    /** The ids for a message: those listed, and "..." when there are more. */
    String ids() {
        return String.join(", ", firstIds) + (tasks > firstIds.size() ? ", ..." : "");
    }
}

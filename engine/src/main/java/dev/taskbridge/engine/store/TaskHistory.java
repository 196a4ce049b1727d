package dev.taskbridge.engine.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A task's history, derived from what is stored about it: most of it has no rows of its own (see
 * {@link TaskStore#history}). Pure, so that how a history reads can be tested without a database.
 */
public final class TaskHistory {

    /** Longest message or detail kept: a failure's message, an operator's words. */
    static final int MAX_DETAIL = 2000;

    /** By time; entries at the same instant in the order a task's life has them. */
    private static final Comparator<TaskHistoryEntry> ORDER = Comparator.comparing(TaskHistoryEntry::at)
            .thenComparingInt(entry -> switch (entry.kind()) {
                case SUBMITTED, DUE -> 0;
                case STARTED -> 1;
                case CHUNK_COMMITTED -> 2;
                case SUCCEEDED, FAILED, CANCELLED -> 3;
                case REQUEUED, ROLLBACK_REQUESTED -> 4;
            })
            .thenComparing(entry -> entry.chunk() == null ? -1 : entry.chunk());

    private TaskHistory() {
    }

    /** A committed chunk's effect marker, as stored. */
    record Marker(int chunk, long itemsDone, long itemsFailed, Instant committedAt) {
    }

    /**
     * The history of {@code task}, oldest first: its {@code stored} rows (operators' actions and
     * what a requeue kept of the run before) with what its row and its chunks' {@code markers}
     * say: the submission, the current run's start, each chunk's commit (the last one's from the
     * task's success, which is its commit) and the end. A task stored by a version that wrote every
     * entry (its stored rows include SUBMITTED) shows its stored rows, then what was derived after
     * the last of them.
     */
    static List<TaskHistoryEntry> of(TaskRecord task, List<TaskHistoryEntry> stored, List<Marker> markers) {
        List<TaskHistoryEntry> derived = new ArrayList<>();
        derived.add(new TaskHistoryEntry(task.submittedAt(), TaskEventKind.SUBMITTED, null,
                "by " + task.owner() + (task.runAt() == null ? "" : ", to run at " + task.runAt())));
        if (task.startedAt() != null) {
            derived.add(new TaskHistoryEntry(task.startedAt(), TaskEventKind.STARTED, null, chunksDetail(task.chunksTotal())));
        }
        boolean lastChunkMarked = false;
        long itemsDoneBefore = 0;
        long itemsFailedBefore = 0;
        for (Marker marker : markers) {
            derived.add(new TaskHistoryEntry(marker.committedAt(), TaskEventKind.CHUNK_COMMITTED, marker.chunk(),
                    chunkDetail(marker.itemsDone(), marker.itemsFailed())));
            lastChunkMarked |= marker.chunk() == task.chunksTotal() - 1;
            itemsDoneBefore += marker.itemsDone();
            itemsFailedBefore += marker.itemsFailed();
        }
        if (task.state() == TaskState.SUCCEEDED && task.endedAt() != null) {
            if (!lastChunkMarked && task.chunksTotal() > 0) {
                // The last chunk has no marker (tasks older versions ran have one): its commit is the
                // task's success, and its items are what the task did beyond its other chunks.
                derived.add(new TaskHistoryEntry(task.endedAt(), TaskEventKind.CHUNK_COMMITTED, task.chunksTotal() - 1,
                        chunkDetail(task.itemsDone() - itemsDoneBefore, task.itemsFailed() - itemsFailedBefore)));
            }
            derived.add(new TaskHistoryEntry(task.endedAt(), TaskEventKind.SUCCEEDED, null, null));
        } else if (task.state() == TaskState.FAILED && task.endedAt() != null) {
            derived.add(new TaskHistoryEntry(task.endedAt(), TaskEventKind.FAILED, null,
                    failureDetail(task.errorMessage(), task.errorReference()), task.errorReference()));
        }
        if (stored.stream().anyMatch(entry -> entry.kind() == TaskEventKind.SUBMITTED)) {
            // what versions that wrote every entry stored; a rollback asked for later is no such entry
            Instant last = stored.stream().filter(entry -> entry.kind() != TaskEventKind.ROLLBACK_REQUESTED)
                    .map(TaskHistoryEntry::at).max(Instant::compareTo).orElseThrow();
            derived.removeIf(entry -> !entry.at().isAfter(last));
        }
        List<TaskHistoryEntry> history = new ArrayList<>(stored);
        history.addAll(derived);
        history.sort(ORDER);
        return history;
    }

    /** A run's start in history: "1 chunk", "10 chunks". */
    static String chunksDetail(int chunks) {
        return chunks + (chunks == 1 ? " chunk" : " chunks");
    }

    /** A chunk's few words in history and in live changes: "10 done", "8 done, 2 failed". */
    public static String chunkDetail(long itemsDone, long itemsFailed) {
        return itemsDone + " done" + (itemsFailed == 0 ? "" : ", " + itemsFailed + " failed");
    }

    /**
     * A failure's detail in history: its message, shortened first, then its reference, which is
     * what the gateway shows people (the message is the log line's and stays with operators). Cut
     * after the reference was appended, a long message pushed the reference off the end.
     */
    static String failureDetail(String message, String reference) {
        if (reference == null) {
            return message == null ? null : shorten(message);
        }
        String suffix = " (log reference " + reference + ")";
        String text = message == null ? "" : message;
        int room = Math.max(0, MAX_DETAIL - suffix.length());
        return ((text.length() > room ? text.substring(0, room) : text) + suffix).strip();
    }

    static String shorten(String text) {
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) : text;
    }
}

package dev.taskbridge.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** How a task's history reads, from its row, its stored entries and its chunks' markers alone. */
class TaskHistoryTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void aSucceededTaskShowsEachChunkAndTheLastOneFromItsSuccess() {
        TaskRecord task = task(TaskState.SUCCEEDED, 3, 30, 2, T0.plusSeconds(1), T0.plusSeconds(9), null, null);
        List<TaskHistory.Marker> markers = List.of(
                new TaskHistory.Marker(1, 10, 0, T0.plusSeconds(5)),
                new TaskHistory.Marker(0, 9, 1, T0.plusSeconds(3)));

        List<TaskHistoryEntry> history = TaskHistory.of(task, List.of(), markers);

        assertThat(history).extracting(TaskHistoryEntry::kind).containsExactly(TaskEventKind.SUBMITTED,
                TaskEventKind.STARTED, TaskEventKind.CHUNK_COMMITTED, TaskEventKind.CHUNK_COMMITTED,
                TaskEventKind.CHUNK_COMMITTED, TaskEventKind.SUCCEEDED);
        assertThat(history).extracting(TaskHistoryEntry::detail).containsExactly("by clerk", "3 chunks",
                "9 done, 1 failed", "10 done", "11 done, 1 failed", null);
        // the last chunk did what the task did in all (30 done, 2 failed) beyond the marked ones (19, 1)
        assertThat(history.get(4).chunk()).isEqualTo(2);
        assertThat(history.get(4).at()).isEqualTo(T0.plusSeconds(9));
    }

    @Test
    void aFailureCarriesItsReferenceAfterAMessageCutToFit() {
        String message = "x".repeat(5000);
        TaskRecord task = task(TaskState.FAILED, 1, 0, 0, T0.plusSeconds(1), T0.plusSeconds(2), message, "ref-42");

        TaskHistoryEntry failed = TaskHistory.of(task, List.of(), List.of()).get(2);

        assertThat(failed.kind()).isEqualTo(TaskEventKind.FAILED);
        assertThat(failed.reference()).isEqualTo("ref-42");
        assertThat(failed.detail()).hasSize(TaskHistory.MAX_DETAIL).endsWith(" (log reference ref-42)");
    }

    @Test
    void operatorsActionsStoredBesideTheRunInTheOrderOfALife() {
        TaskRecord task = task(TaskState.QUEUED, 0, 0, 0, null, null, null, null);
        List<TaskHistoryEntry> stored = List.of(
                new TaskHistoryEntry(T0.plusSeconds(4), TaskEventKind.REQUEUED, null, "by supervisor"),
                new TaskHistoryEntry(T0.plusSeconds(4), TaskEventKind.CANCELLED, null, "by supervisor"));

        assertThat(TaskHistory.of(task, stored, List.of())).extracting(TaskHistoryEntry::kind)
                .containsExactly(TaskEventKind.SUBMITTED, TaskEventKind.CANCELLED, TaskEventKind.REQUEUED);
    }

    @Test
    void aHistoryWrittenWholeByAnOlderVersionKeepsItsRowsAndAddsOnlyWhatCameAfter() {
        TaskRecord task = task(TaskState.SUCCEEDED, 1, 5, 0, T0.plusSeconds(1), T0.plusSeconds(8), null, null);
        List<TaskHistoryEntry> stored = List.of(
                new TaskHistoryEntry(T0, TaskEventKind.SUBMITTED, null, "by clerk"),
                new TaskHistoryEntry(T0.plusSeconds(1), TaskEventKind.STARTED, null, "1 chunk"));

        List<TaskHistoryEntry> history = TaskHistory.of(task, stored, List.of());

        assertThat(history).extracting(TaskHistoryEntry::kind).containsExactly(TaskEventKind.SUBMITTED,
                TaskEventKind.STARTED, TaskEventKind.CHUNK_COMMITTED, TaskEventKind.SUCCEEDED);
    }

    @Test
    void aRollbackAskedForAfterAnOlderVersionsRunHidesNoneOfWhatIsDerived() {
        TaskRecord task = task(TaskState.SUCCEEDED, 1, 5, 0, T0.plusSeconds(1), T0.plusSeconds(8), null, null);
        List<TaskHistoryEntry> stored = List.of(
                new TaskHistoryEntry(T0, TaskEventKind.SUBMITTED, null, "by clerk"),
                new TaskHistoryEntry(T0.plusSeconds(1), TaskEventKind.STARTED, null, "1 chunk"),
                new TaskHistoryEntry(T0.plusSeconds(60), TaskEventKind.ROLLBACK_REQUESTED, null, "by supervisor: task r1"));

        List<TaskHistoryEntry> history = TaskHistory.of(task, stored, List.of());

        assertThat(history).extracting(TaskHistoryEntry::kind).containsExactly(TaskEventKind.SUBMITTED,
                TaskEventKind.STARTED, TaskEventKind.CHUNK_COMMITTED, TaskEventKind.SUCCEEDED, TaskEventKind.ROLLBACK_REQUESTED);
    }

    private static TaskRecord task(TaskState state, int chunksTotal, long itemsDone, long itemsFailed, Instant startedAt,
                                   Instant endedAt, String errorMessage, String errorReference) {
        return new TaskRecord("t1", "ledger.validate", 1, "clerk", null, state, 0, chunksTotal, itemsDone, itemsFailed, 1,
                T0, startedAt, endedAt, null, errorMessage, null, errorReference, null, 0, null, null, 0, null);
    }
}

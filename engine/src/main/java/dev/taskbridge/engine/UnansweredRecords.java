package dev.taskbridge.engine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The records a run wrote in transactions that then failed, per task: a chunk's (its marker or,
 * for a last chunk, the task's success) or the task's failure. If a transaction failed at its
 * commit, the database may have applied it all the same, or may still be applying it (the answer
 * can be lost while a slow commit is under way), so the run's next try looks for each of them by
 * the time it wrote ({@code TaskRunner}). Only one run's are kept: a record of an earlier run goes
 * when one of a later run comes, and all of a task's go when a chunk of it commits, a run of it
 * starts, or its run ends. Nothing is added for a transaction that commits at its first try.
 */
final class UnansweredRecords {

    /** What a record was: a chunk's, or the run's failure. */
    static final int FAILURE = -1;

    /**
     * A record as a run wrote it.
     *
     * @param step        the chunk it recorded, or {@link #FAILURE}
     * @param at          the time it stores, as the database keeps it: what tells it apart from another run's
     * @param itemsDone   the chunk's items done (a chunk's record)
     * @param itemsFailed the chunk's items failed (a chunk's record)
     * @param rollbackId  the failure policy's rollback stored with a failure, or null
     */
    record Written(int generation, int step, boolean last, Instant at, int itemsDone, int itemsFailed, String rollbackId) {
    }

    private final Map<String, List<Written>> byTask = new ConcurrentHashMap<>();

    /** Keeps {@code written} with the others of the same run; those of an earlier run go. */
    void add(String taskId, Written written) {
        byTask.merge(taskId, List.of(written), (kept, added) -> Stream.concat(
                kept.stream().filter(other -> other.generation() == written.generation()), added.stream()).toList());
    }

    /** Those of one run. */
    List<Written> of(String taskId, int generation) {
        List<Written> kept = byTask.get(taskId);
        return kept == null ? List.of() : kept.stream().filter(written -> written.generation() == generation).toList();
    }

    /** Those of one step of one run. */
    List<Written> of(String taskId, int generation, int step) {
        return of(taskId, generation).stream().filter(written -> written.step() == step).toList();
    }

    /** The one of {@code candidates} whose time the database holds, if any. */
    static Optional<Written> stored(List<Written> candidates, Optional<Instant> storedAt) {
        return storedAt.flatMap(at -> candidates.stream().filter(written -> written.at().equals(at)).findFirst());
    }

    /** Forgets the task's: cheap when nothing is kept, as nearly always. */
    void forget(String taskId) {
        if (!byTask.isEmpty()) {
            byTask.remove(taskId);
        }
    }
}

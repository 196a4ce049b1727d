package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import dev.taskbridge.engine.slot.SlotReporting;
import dev.taskbridge.engine.store.TaskRecord;
import dev.taskbridge.engine.store.TaskState;
import org.junit.jupiter.api.Test;

/**
 * A submission kept for its slot is handed only to the slot's incarnation that was on this node
 * when it was submitted. Found by {@code ClusterIT}'s rolling restart: a task submitted on one node
 * while its slot ran on another had chunks committed there; when the slot came to the submitting
 * node, it started the task afresh from what that node had kept, and ran its committed chunks again
 * (their effects were refused by the markers, but the work was done twice).
 */
class ParsedPayloadsTest {

    private final ParsedPayloads kept = new ParsedPayloads();
    private final SlotReporting slot = new SlotReporting("node-1", TaskMetrics.NONE);

    private static TaskRecord queued(String id) {
        return new TaskRecord(id, "test.steps", 1, "clerk", null, TaskState.QUEUED, 0, 0, 0, 0, 1,
                Instant.now(), null, null, null, null, null, null, null, 0, null, null, 0, null);
    }

    @Test
    void theSlotThatWasHereWhenTheTaskWasSubmittedGetsItOnce() {
        slot.incarnation().incrementAndGet();
        slot.live().set(true);
        kept.put(queued("a"), "parsed", 10, slot);

        assertThat(kept.take("a")).extracting(ParsedPayloads.Submitted::parsed).isEqualTo("parsed");
        assertThat(kept.take("a")).as("handed out once").isNull();
    }

    @Test
    void aSlotThatStartedHereAgainSinceReadsTheStoreInstead() {
        slot.incarnation().incrementAndGet();
        slot.live().set(true);
        kept.put(queued("a"), "parsed", 10, slot);

        slot.incarnation().incrementAndGet(); // it failed and restarted, or left this node and came back

        assertThat(kept.take("a")).isNull();
    }

    @Test
    void aSubmissionWhoseSlotIsNotLiveHereIsNotKept() {
        kept.put(queued("a"), "parsed", 10, slot); // its slot runs on another node, or recovers

        assertThat(kept.take("a")).isNull();
    }
}

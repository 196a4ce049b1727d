package dev.taskbridge.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.UUID;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.plugin.Payload;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A failure's log reference survives in the task's history however long the failure's message. */
class FailureHistoryTest {

    private static final String LONG_MESSAGE = "IllegalStateException: " + "the plugin said far too much ".repeat(100);

    private TaskStore store;

    @BeforeEach
    void aStore() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = new TaskStore(h2, Clock.systemUTC());
        store.createSchema(Dialect.H2);
    }

    private void failWithALongMessage(String id, String reference) {
        int generation = store.find(id).orElseThrow().runGeneration();
        store.markStarted(id, generation, 1, 0, 0, 0);
        store.markFailed(id, generation, LONG_MESSAGE, "stack", reference);
    }

    @Test
    void aFailureWithAMessageOfMoreThanTwoThousandCharactersKeepsItsReferenceInHistory() {
        assertThat(LONG_MESSAGE).hasSizeGreaterThan(2_000);
        store.insert(new NewTask("task-1", "test.report", 1, "clerk", null, Payload.json("{}")));
        failWithALongMessage("task-1", "TB-7KQ2M9XD");

        TaskHistoryEntry failed = store.history("task-1").stream()
                .filter(entry -> entry.kind() == TaskEventKind.FAILED).findFirst().orElseThrow();

        assertThat(failed.detail()).hasSizeLessThanOrEqualTo(2_000).endsWith("(log reference TB-7KQ2M9XD)");
        assertThat(failed.reference()).isEqualTo("TB-7KQ2M9XD"); // from its column, not from the text
    }

    @Test
    void aRequeuedRunsFailureKeepsItsReferenceToo() {
        store.insert(new NewTask("task-2", "test.report", 1, "clerk", null, Payload.json("{}")));
        failWithALongMessage("task-2", "TB-FIRSTRUN");
        store.requeue("task-2", "supervisor");

        assertThat(store.history("task-2")).filteredOn(entry -> entry.kind() == TaskEventKind.FAILED)
                .singleElement().satisfies(entry -> assertThat(entry.detail()).contains("TB-FIRSTRUN"));
    }
}

package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.store.NewTask;
import dev.taskbridge.engine.store.TaskState;
import dev.taskbridge.engine.store.TaskStore;
import dev.taskbridge.plugin.Payload;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Starts written behind, on a real store (H2) with a real scheduler. */
class StartMarksTest {

    private static final Duration DELAY = Duration.ofMillis(100);

    private static ActorTestKit testKit;
    private static TaskStore store;
    private static StartMarks marks;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        store = new TaskStore(h2, Clock.systemUTC());
        store.createSchema(Dialect.H2);
        marks = new StartMarks(store, testKit.system().scheduler(), testKit.system().executionContext(), DELAY);
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static String queuedTask() {
        String id = UUID.randomUUID().toString();
        store.insert(new NewTask(id, "test.steps", 1, "clerk", null, Payload.json("{}")));
        return id;
    }

    @Test
    void aStartIsWrittenBehindAndShowsTheTaskRunning() {
        String id = queuedTask();

        marks.started(new TaskStore.StartMark(id, 0, 3, Instant.now()));

        assertThat(store.find(id).orElseThrow().state()).as("at once").isEqualTo(TaskState.QUEUED);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.find(id).orElseThrow().state() == TaskState.RUNNING);
        assertThat(store.find(id).orElseThrow().chunksTotal()).isEqualTo(3);
        assertThat(store.find(id).orElseThrow().attempts()).isEqualTo(1);
    }

    /** A short task's first chunk stores its start: the start's own write would be a row version for nothing. */
    @Test
    void aStartThatIsSettledBeforeItIsDueIsNeverWritten() throws Exception {
        String settled = queuedTask();
        String other = queuedTask();

        marks.started(new TaskStore.StartMark(settled, 0, 1, Instant.now()));
        marks.started(new TaskStore.StartMark(other, 0, 1, Instant.now()));
        marks.settled(settled);

        await().atMost(Duration.ofSeconds(10)).until(() -> store.find(other).orElseThrow().state() == TaskState.RUNNING);
        assertThat(store.find(settled).orElseThrow().state()).isEqualTo(TaskState.QUEUED);
        assertThat(store.find(settled).orElseThrow().attempts()).isZero();
    }
}

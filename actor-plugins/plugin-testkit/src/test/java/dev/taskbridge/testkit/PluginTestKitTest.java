package dev.taskbridge.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.plugin.TaskForm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kit as a plugin's author uses it, with a plugin written as one for the server is. */
class PluginTestKitTest {

    private static final PluginTestKit.Builder ROWS = PluginTestKit.of(RowsTaskType::new).schema(RowsTaskType.TABLE);
    private static final Effects ROWS_OF_THE_TASK = Effects.rows("SELECT chunk, row_no FROM kit_rows WHERE task_id = ? ORDER BY chunk, row_no");

    private static Payload script(String text) {
        return new Payload("text/plain", text.getBytes(StandardCharsets.UTF_8));
    }

    private static long rows(PluginTestKit kit, String taskId) throws Exception {
        try (Connection connection = kit.dataSource().getConnection(); Statement query = connection.createStatement();
             ResultSet count = query.executeQuery("SELECT COUNT(*) FROM kit_rows WHERE task_id = '" + taskId + "'")) {
            count.next();
            return count.getLong(1);
        }
    }

    @BeforeEach
    void noMailYet() {
        RowsTaskType.sent.clear();
    }

    @Test
    void aTaskRunsThroughTheEngineAndItsRowsAreInTheKitsDatabase() throws Exception {
        try (PluginTestKit kit = ROWS.start()) {
            String id = kit.submit(RowsTaskType.ID, script("chunks=3,rows=4"));
            TaskOutcome outcome = kit.awaitEnd(id);

            assertThat(outcome.state()).isEqualTo("SUCCEEDED");
            assertThat(outcome.chunksDone()).isEqualTo(3);
            assertThat(outcome.itemsDone()).isEqualTo(12);
            assertThat(outcome.result()).isEqualTo("{\"rows\":12}");
            assertThat(rows(kit, id)).isEqualTo(12);
            assertThat(kit.history(id)).extracting(HistoryEntry::kind)
                    .containsSubsequence("SUBMITTED", "STARTED", "CHUNK_COMMITTED", "CHUNK_COMMITTED", "CHUNK_COMMITTED", "SUCCEEDED");
        }
    }

    @Test
    void aPayloadThePluginRefusesIsRefusedAndNothingIsStored() throws Exception {
        try (PluginTestKit kit = ROWS.start()) {
            assertThatThrownBy(() -> kit.submit(RowsTaskType.ID, script("chunks=many")))
                    .isInstanceOf(InvalidPayloadException.class);
            try (Connection connection = kit.dataSource().getConnection(); Statement query = connection.createStatement();
                 ResultSet count = query.executeQuery("SELECT COUNT(*) FROM tb_task")) {
                count.next();
                assertThat(count.getLong(1)).isZero();
            }
        }
    }

    /** A chunk that fails takes its rows with it: they were in its transaction, as in the server. */
    @Test
    void aFailedChunksRowsRollBackWithIt() throws Exception {
        try (PluginTestKit kit = ROWS.start()) {
            String id = kit.submit(RowsTaskType.ID, script("chunks=3,rows=2,failAtChunk=1"));
            TaskOutcome outcome = kit.awaitEnd(id);

            assertThat(outcome.state()).isEqualTo("FAILED");
            assertThat(outcome.errorMessage()).contains("chunk 1 is broken");
            assertThat(rows(kit, id)).as("chunk 0's rows only").isEqualTo(2);
        }
    }

    /** The server's JTA transaction refuses a commit inside it; so does the kit, so the plugin learns here. */
    @Test
    void aPluginThatCommitsInsideAChunkFailsAsInTheServer() throws Exception {
        try (PluginTestKit kit = ROWS.start()) {
            String id = kit.submit(RowsTaskType.ID, script("chunks=2,rows=1,commitAtChunk=0"));
            TaskOutcome outcome = kit.awaitEnd(id);

            assertThat(outcome.state()).isEqualTo("FAILED");
            assertThat(outcome.errorMessage()).contains("commit inside a chunk");
            assertThat(rows(kit, id)).isZero();
        }
    }

    @Test
    void aPluginWhoseEffectsGoThroughTheDatasourcePassesTheReplayCheck() throws Exception {
        TaskOutcome clean = ROWS.replayCheck(RowsTaskType.ID, script("chunks=4,rows=3"), ROWS_OF_THE_TASK);

        assertThat(clean.chunksTotal()).isEqualTo(4);
        assertThat(clean.result()).isEqualTo("{\"rows\":12}");
    }

    /** Note 030: a rollback undoes each committed chunk once, last first, whichever undo a crash interrupts. */
    @Test
    void aRollbackUndoesEachCommittedChunkOnceAndPassesItsReplayCheck() throws Exception {
        TaskOutcome rollback = ROWS.rollbackCheck(RowsTaskType.ID, script("chunks=3,rows=2"), ROWS_OF_THE_TASK);

        assertThat(rollback.chunksTotal()).isEqualTo(3);
        assertThat(rollback.result()).isEqualTo("{\"rolledBack\":true,\"chunks\":3,\"itemsUndone\":6,\"itemsNotUndone\":0}");
        try (PluginTestKit kit = ROWS.start()) {
            String id = kit.submit(RowsTaskType.ID, script("chunks=2,rows=1"));
            kit.awaitEnd(id);
            String first = kit.rollBack(id);
            kit.awaitEnd(first);
            assertThat(kit.rollBack(id)).as("one rollback per task").isEqualTo(first);
            assertThat(ROWS_OF_THE_TASK.read(kit.dataSource(), id).toString())
                    .as("each row reversed once").isEqualTo("[[0, -1], [0, 0], [1, -1], [1, 0]]");
        }
    }

    /** A mail sent from a chunk is sent again when the chunk runs again after a crash: not exactly once. */
    @Test
    void aPluginWithAnEffectOutsideTheTransactionFailsTheReplayCheck() {
        Effects rowsAndMails = (database, taskId) -> List.of(ROWS_OF_THE_TASK.read(database, taskId),
                RowsTaskType.sent.stream().filter(mail -> mail.startsWith(taskId)).map(mail -> mail.substring(taskId.length())).toList());

        assertThatThrownBy(() -> ROWS.replayCheck(RowsTaskType.ID, script("chunks=2,rows=1,mail=1"), rowsAndMails))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("after a crash before chunk 0 of 2 committed")
                .hasMessageContaining("not exactly once")
                .hasMessageContaining("[ chunk 0,  chunk 0,  chunk 1]");
    }

    /**
     * A plugin that remembers in its instance which mails it sent does not send one twice in the
     * same JVM, but a server that starts again after a crash has a new instance: the kit's restarted
     * engine has one too, and the check fails.
     */
    @Test
    void aPluginThatRemembersItsEffectsInMemoryFailsTheReplayCheck() {
        Effects mails = (database, taskId) -> RowsTaskType.sent.stream().filter(mail -> mail.startsWith(taskId))
                .map(mail -> mail.substring(taskId.length())).toList();

        assertThatThrownBy(() -> ROWS.replayCheck(RowsTaskType.ID, script("chunks=2,rows=1,mail=2"), mails))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("not exactly once")
                .hasMessageContaining("[ chunk 0,  chunk 0,  chunk 1]");
    }

    @Test
    void aPluginTheServerReportsAProblemWithFailsTheTestSayingWhy() {
        PluginTestKit.Builder badForm = PluginTestKit.of(() -> new RowsTaskType() {
            @Override
            public TaskForm form() {
                return TaskForm.of("Rows", "", new TaskForm.FileKind("text/plain", "txt", "text"));
            }
        });

        assertThatThrownBy(badForm::start).isInstanceOf(AssertionError.class)
                .hasMessageContaining("the server reports problems with this plugin")
                .hasMessageContaining("a file kind's extension is a dot");
        try (PluginTestKit kit = ROWS.start()) {
            assertThat(kit.dataSource()).as("nothing of the refused kit left behind").isNotNull();
        }
    }

    @Test
    void oneKitRunsAtATime() {
        try (PluginTestKit kit = ROWS.start()) {
            assertThatThrownBy(ROWS::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("one kit at a time");
        }
        try (PluginTestKit again = ROWS.start()) {
            assertThat(again.dataSource()).isNotNull();
        }
        assertThat(System.getProperty(javax.naming.Context.INITIAL_CONTEXT_FACTORY)).as("JNDI as it was before the kit").isNull();
    }
}

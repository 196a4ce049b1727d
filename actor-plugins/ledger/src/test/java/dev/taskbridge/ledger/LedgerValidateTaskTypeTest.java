package dev.taskbridge.ledger;

import static dev.taskbridge.ledger.LedgerFixtures.TestContext.aContext;
import static dev.taskbridge.ledger.LedgerFixtures.aCreditLine;
import static dev.taskbridge.ledger.LedgerFixtures.aDebitLine;
import static dev.taskbridge.ledger.LedgerFixtures.aJsonPayloadOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.taskbridge.plugin.ChunkOutcome;
import dev.taskbridge.plugin.TaskHandler;
import dev.taskbridge.plugin.TaskType;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LedgerValidateTaskTypeTest {

    @Test
    void bothLedgerTaskTypesAreFoundByTheServiceLoader() {
        List<TaskType<?>> found = ServiceLoader.load(TaskType.class, getClass().getClassLoader()).stream()
                .<TaskType<?>>map(ServiceLoader.Provider::get)
                .toList();

        assertThat(found).extracting(TaskType::id)
                .containsExactly(LedgerValidateTaskType.ID, LedgerPostTaskType.ID);
    }

    @Test
    void describesItself() {
        LedgerValidateTaskType taskType = new LedgerValidateTaskType();

        assertThat(taskType.id()).isEqualTo("ledger.validate").matches("[a-z][a-z0-9.-]*");
        assertThat(taskType.version()).isEqualTo(1);
        assertThat(taskType.apiVersion()).isEqualTo(TaskType.API_VERSION);
        assertThat(taskType.slots()).isEqualTo(TaskType.DEFAULT_SLOTS);
        assertThat(taskType.handler()).isSameAs(taskType.handler());
    }

    @Test
    void runsFromSubmittedJsonToReport() throws Exception {
        LedgerValidateTaskType taskType = new LedgerValidateTaskType();
        LedgerFile file = taskType.parse(aJsonPayloadOf(
                aDebitLine("D1", "1000", "250.00"),
                aCreditLine("D1", "3000", "250")));
        TaskHandler<LedgerFile> handler = taskType.handler();

        ChunkOutcome only = handler.runChunk(file, 0, aContext());
        String result = handler.result(file, List.of(only));

        assertThat(handler.chunkCount(file)).isEqualTo(1);
        assertThat(only.itemsDone()).isEqualTo(2);
        assertThat(result).startsWith("{\"lineCount\":2,\"validLineCount\":2,\"invalidLineCount\":0,"
                + "\"totalDebit\":\"250.00\",\"totalCredit\":\"250.00\"").endsWith("\"valid\":true}");
    }

    @Test
    void parsesTheSamePayloadToTheSameFile() throws Exception {
        LedgerValidateTaskType taskType = new LedgerValidateTaskType();
        var payload = aJsonPayloadOf(aDebitLine("D1", "1000", "1"), aCreditLine("D1", "3000", "1"));

        assertThat(taskType.parse(payload)).isEqualTo(taskType.parse(payload)).hasToString("LedgerFile[2 lines]");
    }
}

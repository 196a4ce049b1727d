package dev.taskbridge.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;
import dev.taskbridge.testkit.Effects;
import dev.taskbridge.testkit.PluginTestKit;
import dev.taskbridge.testkit.TaskOutcome;
import org.junit.jupiter.api.Test;

/** The template's task type through the plugin test kit: what a plugin's own tests start from. */
class NotesImportTaskTypeTest {

    private static final PluginTestKit.Builder KIT = PluginTestKit.of(NotesImportTaskType::new);

    private static Payload notes(String text, String chunkSize) {
        return new Payload("text/plain", text.getBytes(StandardCharsets.UTF_8)).withOptions(Map.of("chunkSize", chunkSize));
    }

    private static String lines(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            text.append("REF-").append(i).append(": note number ").append(i).append('\n');
        }
        return text.toString();
    }

    @Test
    void aFileOfNotesIsImportedInChunks() throws Exception {
        try (PluginTestKit kit = KIT.start()) {
            String id = kit.submit(NotesImportTaskType.ID, notes(lines(25), "10"));
            TaskOutcome outcome = kit.awaitEnd(id);

            assertThat(outcome.succeeded()).as(outcome.toString()).isTrue();
            assertThat(outcome.chunksTotal()).isEqualTo(3);
            assertThat(outcome.itemsDone()).isEqualTo(25);
            assertThat(outcome.result()).isEqualTo("{\"imported\":25}");
            assertThat(new NotesImportTaskType().summary(outcome.result()).orElseThrow().headline()).isEqualTo("25 notes imported.");
            assertThat(Effects.rows("SELECT COUNT(*) FROM template_note WHERE task_id = ?").read(kit.dataSource(), id).toString())
                    .as("the rows it says it imported").isEqualTo("[[25]]");
        }
    }

    @Test
    void aBadFileIsRefusedWholeNamingEveryBadLine() {
        Payload bad = notes("REF-1: fine\nno colon here\nREF-1: again\n: no reference\n", "x");
        assertThatThrownBy(() -> new NotesImportTaskType().parse(bad.withOptions(Map.of("chunkSize", "x", "colour", "red"))))
                .isInstanceOfSatisfying(InvalidPayloadException.class, refused -> assertThat(refused.problems())
                        .extracting(FieldProblem::field)
                        .containsExactly("colour", "chunkSize", "line 2", "line 3.reference", "line 4.reference"));
    }

    @Test
    void itsNotesAreImportedExactlyOnceWhicheverChunkACrashInterrupts() throws Exception {
        KIT.replayCheck(NotesImportTaskType.ID, notes(lines(25), "10"),
                Effects.rows("SELECT reference, text FROM template_note WHERE task_id = ? ORDER BY reference"));
    }
}

package dev.taskbridge.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import dev.taskbridge.plugin.TaskForm.CheckFirst;
import dev.taskbridge.plugin.TaskForm.Choice;
import dev.taskbridge.plugin.TaskForm.FileKind;
import dev.taskbridge.plugin.TaskForm.FormOption;
import org.junit.jupiter.api.Test;

/** A form a page cannot draw, or would draw wrong, is refused when the plugin makes it. */
class TaskFormTest {

    @Test
    void aFormWithOptionsAndACheckIsKeptAsDescribed() {
        TaskForm form = TaskForm.of("Import a statement", "A CSV file.", FileKind.CSV)
                .withOptions(FormOption.integer("chunkLines", "Payments per chunk", "", 500),
                        FormOption.choice("mode", "Mode", "", "strict", new Choice("strict", "strictly"), new Choice("lax", "laxly")))
                .checkedFirst(new CheckFirst("checkOnly", "true", "Check", "Import"));

        assertThat(form.options()).extracting(FormOption::name).containsExactly("chunkLines", "mode");
        assertThat(form.checkFirst().option()).isEqualTo("checkOnly");
        assertThat(form.files()).containsExactly(FileKind.CSV);
    }

    @Test
    void badDescriptionsAreRefusedSayingWhatIsWrong() {
        assertThatThrownBy(() -> TaskForm.of("Nothing", ""))
                .hasMessage("a task form takes at least one kind of file");
        assertThatThrownBy(() -> TaskForm.of(" ", "", FileKind.CSV)).hasMessage("title must not be blank");
        assertThatThrownBy(() -> TaskForm.of("Twice", "", FileKind.CSV).withOptions(
                FormOption.flag("a", "A", "", true), FormOption.flag("a", "A again", "", false)))
                .hasMessage("option a is described twice");
        assertThatThrownBy(() -> FormOption.integer("priority", "Priority", "", 0))
                .hasMessageContaining("cannot be named priority");
        assertThatThrownBy(() -> TaskForm.of("Check", "", FileKind.CSV)
                .withOptions(FormOption.flag("checkOnly", "Check only", "", false))
                .checkedFirst(new CheckFirst("checkOnly", "true", "Check", "Go")))
                .hasMessage("option checkOnly is the check's; it cannot also be a field");
        assertThatThrownBy(() -> FormOption.text("1st", "First", "", ""))
                .hasMessageStartingWith("an option's name is a letter");
        assertThatThrownBy(() -> new FormOption("mode", FormOption.Kind.TEXT, "Mode", "", "x", java.util.List.of(new Choice("x", "x"))))
                .hasMessage("option mode: a choice, and only a choice, has choices");
        assertThatThrownBy(() -> FormOption.choice("mode", "Mode", "", "loud", new Choice("quiet", "quietly")))
                .hasMessage("option mode: the default loud is not one of its choices");
        assertThatThrownBy(() -> new FormOption("size", FormOption.Kind.INTEGER, "Size", "", "ten", java.util.List.of()))
                .hasMessage("option size: the default ten is not a whole number");
        assertThatThrownBy(() -> new FileKind("text/csv", "csv", "CSV"))
                .hasMessageStartingWith("a file kind's extension is a dot");
    }

    @Test
    void summariesWriteFiguresAsAClerkReadsThem() {
        assertThat(ResultSummary.count(5000)).isEqualTo("5,000");
        assertThat(ResultSummary.count(1, "line", "lines")).isEqualTo("1 line");
        assertThat(ResultSummary.count(2500, "document", "documents")).isEqualTo("2,500 documents");
        assertThat(ResultSummary.amount(new BigDecimal("11407254.03"))).isEqualTo("11,407,254.03");
        assertThat(ResultSummary.amount(new BigDecimal("-12.5"))).isEqualTo("-12.50");
        assertThat(ResultSummary.amount(new BigDecimal("0.125"))).isEqualTo("0.125");
        assertThatThrownBy(() -> ResultSummary.of("")).hasMessage("a summary has a headline");
    }
}

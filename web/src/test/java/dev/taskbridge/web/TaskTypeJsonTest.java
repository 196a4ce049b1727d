package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.taskbridge.gateway.ExportView;
import dev.taskbridge.gateway.TaskFormView;
import dev.taskbridge.gateway.TaskTypeView;
import dev.taskbridge.gateway.TypePauseView;
import org.junit.jupiter.api.Test;

class TaskTypeJsonTest {

    private static final TaskTypeView LEDGER = new TaskTypeView("ledger.validate", 1, 10, 2,
            "dev.taskbridge.ledger.LedgerValidateTaskType", true, false, List.of(new ExportView("errors.csv", "text/csv", "every error")),
            new TaskFormView("Check a ledger file", "", List.of(new TaskFormView.FileKind("text/csv", ".csv", "CSV")), List.of(), null), null, null);

    @Test
    void aClerkSeesNoPluginClass() {
        TaskTypeJson type = TaskTypeJson.of(LEDGER, false, false);

        assertThat(type.pluginClass()).isNull();
        assertThat(type.id()).isEqualTo("ledger.validate");
        assertThat(type.slots()).isEqualTo(10);
        assertThat(type.tasksAtOncePerSlot()).isEqualTo(2);
        assertThat(type.listsErrors()).isTrue();
        assertThat(type.exports()).extracting(ExportView::name).containsExactly("errors.csv");
        assertThat(type.form().title()).isEqualTo("Check a ledger file");
    }

    @Test
    void anAdminSeesWhichClassIsInCharge() {
        assertThat(TaskTypeJson.of(LEDGER, true, true).pluginClass()).isEqualTo("dev.taskbridge.ledger.LedgerValidateTaskType");
    }

    @Test
    void aClerkSeesSinceWhenATypeIsPausedButNotByWhom() {
        TaskTypeView paused = new TaskTypeView(LEDGER.id(), LEDGER.version(), LEDGER.slots(), LEDGER.tasksAtOncePerSlot(), LEDGER.pluginClass(),
                LEDGER.listsErrors(), LEDGER.rollsBack(), LEDGER.exports(), LEDGER.form(),
                new TypePauseView("supervisor", java.time.Instant.parse("2026-12-04T10:15:00Z")), null);

        assertThat(TaskTypeJson.of(paused, false, false).paused())
                .isEqualTo(new TypePauseView(null, java.time.Instant.parse("2026-12-04T10:15:00Z")));
        assertThat(TaskTypeJson.of(paused, false, true).paused().by()).isEqualTo("supervisor");
        assertThat(TaskTypeJson.of(LEDGER, false, true).paused()).isNull();
    }

    @Test
    void everyoneSeesWhyATypeTakesNoNewTasks() {
        String why = "its plugin jar ledger.jar was taken out of the plugin directory and runs only the tasks it has";
        TaskTypeView closed = new TaskTypeView(LEDGER.id(), LEDGER.version(), LEDGER.slots(), LEDGER.tasksAtOncePerSlot(), LEDGER.pluginClass(),
                LEDGER.listsErrors(), LEDGER.rollsBack(), LEDGER.exports(), LEDGER.form(), null, why);

        assertThat(TaskTypeJson.of(closed, false, false).closed()).as("a clerk learns it before submitting").isEqualTo(why);
        assertThat(TaskTypeJson.of(LEDGER, false, false).closed()).isNull();
    }
}

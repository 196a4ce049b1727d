package dev.taskbridge.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.taskbridge.gateway.ExportView;
import dev.taskbridge.gateway.TaskFormView;
import dev.taskbridge.gateway.TaskTypeView;
import org.junit.jupiter.api.Test;

class TaskTypeJsonTest {

    private static final TaskTypeView LEDGER = new TaskTypeView("ledger.validate", 1, 10,
            "dev.taskbridge.ledger.LedgerValidateTaskType", true, List.of(new ExportView("errors.csv", "text/csv", "every error")),
            new TaskFormView("Check a ledger file", "", List.of(new TaskFormView.FileKind("text/csv", ".csv", "CSV")), List.of(), null), null);

    @Test
    void aClerkSeesNoPluginClass() {
        TaskTypeJson type = TaskTypeJson.of(LEDGER, false);

        assertThat(type.pluginClass()).isNull();
        assertThat(type.id()).isEqualTo("ledger.validate");
        assertThat(type.listsErrors()).isTrue();
        assertThat(type.exports()).extracting(ExportView::name).containsExactly("errors.csv");
        assertThat(type.form().title()).isEqualTo("Check a ledger file");
    }

    @Test
    void anAdminSeesWhichClassIsInCharge() {
        assertThat(TaskTypeJson.of(LEDGER, true).pluginClass()).isEqualTo("dev.taskbridge.ledger.LedgerValidateTaskType");
    }
}

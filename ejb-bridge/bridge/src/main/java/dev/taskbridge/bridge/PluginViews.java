package dev.taskbridge.bridge;

import java.util.List;
import java.util.Optional;

import dev.taskbridge.gateway.ExportView;
import dev.taskbridge.gateway.ResultSummaryView;
import dev.taskbridge.gateway.TaskFormView;
import dev.taskbridge.plugin.ResultExport;
import dev.taskbridge.plugin.ResultSummary;
import dev.taskbridge.plugin.TaskForm;
import dev.taskbridge.plugin.TaskType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a plugin says about its forms and results, as the gateway's records. A plugin that fails
 * while it reads a result costs that page its summary, never the page: the failure is logged with
 * the plugin's name and the result is shown as it is.
 */
final class PluginViews {

    private static final Logger LOG = LoggerFactory.getLogger(PluginViews.class);

    static final ResultSummaryView NO_SUMMARY = new ResultSummaryView(null, List.of(), List.of(), false, false, List.of());

    private PluginViews() {
    }

    static TaskFormView form(TaskForm form) {
        return new TaskFormView(form.title(), form.help(),
                form.files().stream().map(kind -> new TaskFormView.FileKind(kind.mediaType(), kind.extension(), kind.label()))
                        .toList(),
                form.options().stream().map(option -> new TaskFormView.Option(option.name(), option.kind().name(), option.label(),
                        option.help(), option.defaultValue(), option.choices().stream()
                                .map(choice -> new TaskFormView.Choice(choice.value(), choice.label())).toList()))
                        .toList(),
                form.checkFirst() == null ? null : new TaskFormView.Check(form.checkFirst().option(), form.checkFirst().value(),
                        form.checkFirst().checkLabel(), form.checkFirst().confirmLabel()));
    }

    static ExportView export(ResultExport export) {
        return new ExportView(export.name(), export.mediaType(), export.description());
    }

    /** The summary of a succeeded task's result document, and the exports that hold something for it. */
    static ResultSummaryView summary(TaskType<?> type, String taskId, String result) {
        Optional<ResultSummary> said;
        try {
            said = type.summary(result);
        } catch (RuntimeException e) {
            LOG.warn("Task type {} ({}) could not summarize the result of task {}; the page shows the result as it is",
                    type.id(), type.getClass().getName(), taskId, e);
            said = Optional.empty();
        }
        List<ExportView> downloads = type.exports().stream().filter(export -> offered(type, export, taskId, result))
                .map(PluginViews::export).toList();
        return said.map(summary -> new ResultSummaryView(summary.headline(), summary.notes(), summary.figures().stream()
                        .map(figure -> new ResultSummaryView.Figure(figure.label(), figure.value())).toList(),
                        summary.problem(), summary.confirmable(), downloads))
                .orElseGet(() -> new ResultSummaryView(null, List.of(), List.of(), false, false, downloads));
    }

    private static boolean offered(TaskType<?> type, ResultExport export, String taskId, String result) {
        try {
            return export.offeredFor(result);
        } catch (RuntimeException e) {
            // offering a file that may be empty is the lesser harm than hiding one that is not
            LOG.warn("Export {} of task type {} could not tell whether task {} has anything for it; offered",
                    export.name(), type.id(), taskId, e);
            return true;
        }
    }
}

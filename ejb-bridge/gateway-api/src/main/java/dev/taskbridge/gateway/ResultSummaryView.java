package dev.taskbridge.gateway;

import java.io.Serializable;
import java.util.List;

/**
 * A succeeded task's result as its task type says it to a clerk, and the files worth downloading.
 *
 * @param headline    one sentence, or null when the task type does not summarize its results
 * @param notes       further sentences worth reading
 * @param figures     labelled values, formatted
 * @param problem     the result needs the clerk's attention
 * @param confirmable for a check: what was checked may be confirmed
 * @param downloads   the task type's exports that hold something for this task
 */
public record ResultSummaryView(String headline, List<String> notes, List<Figure> figures, boolean problem,
                                boolean confirmable, List<ExportView> downloads) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ResultSummaryView {
        notes = List.copyOf(notes);
        figures = List.copyOf(figures);
        downloads = List.copyOf(downloads);
    }

    public record Figure(String label, String value) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}

package dev.taskbridge.plugin;

/**
 * A file that a finished task's result can be downloaded as, such as the refused rows of an
 * import as CSV, for the clerk to correct in a spreadsheet. Offered by {@link TaskType#exports()}.
 */
public interface ResultExport {

    /** The file name clients ask for and save as, e.g. {@code errors.csv}: letters, digits, dots, dashes. */
    String name();

    /** The file's content type, e.g. {@code text/csv}. */
    String mediaType();

    /** What the file holds, in a few words for the download link. */
    String description();

    /**
     * Renders the file from the task's result document, as {@link TaskHandler#result} made it.
     * Called on a request thread; must not change anything.
     */
    byte[] render(String result) throws Exception;

    /**
     * Renders the file from the finished task: what an export that needs more than the result
     * (the task's payload, say, to list every error of a file) overrides. By default
     * {@link #render(String)} of its result.
     */
    default byte[] render(FinishedTask<?> task) throws Exception {
        return render(task.result());
    }
}

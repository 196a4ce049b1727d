package dev.taskbridge.plugin;

import java.io.OutputStream;

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
     * Whether this task's file would hold anything, judged from its result document: a list of
     * errors of a file that had none is not offered for download. Called on a request thread each
     * time a page shows the task; offered by default. Asking for a file that is not offered still
     * gets it (an empty one): the judgement is the page's, not a refusal.
     */
    default boolean offeredFor(String result) {
        return true;
    }

    /**
     * Renders the file from the task's result document, as {@link TaskHandler#result} made it.
     * Called on a request thread; must not change anything. An export overrides this or
     * {@link #prepare}: one that overrides {@code prepare} is never asked to render, so it need not
     * carry a second way of making its file that nothing calls.
     *
     * @throws UnsupportedOperationException by default: the export overrides neither
     */
    default byte[] render(String result) throws Exception {
        throw new UnsupportedOperationException(getClass().getName() + " overrides neither render nor prepare");
    }

    /**
     * Makes the file of a finished task ready to be written: what an export that needs more than
     * the result (the task's payload, say, to list every error of a file), or that is too large to
     * hold in memory, overrides. Called on a request thread; everything that could refuse the file
     * is to be found out here, since the {@link Body} is written after the response has begun. By
     * default {@link #render(String)} of its result.
     */
    default Body prepare(FinishedTask<?> task) throws Exception {
        byte[] file = render(task.result());
        return out -> out.write(file);
    }

    /**
     * A cell of a CSV or spreadsheet export made inert: text that a spreadsheet would run as a
     * formula (starting with {@code = + - @}, a tab or a carriage return), such as what a payer or
     * a clerk typed, is prefixed with an apostrophe and shows as the text it is.
     */
    static String inert(String text) {
        if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return text;
    }

    /** A file ready to be written, perhaps as it is made, into the response. */
    @FunctionalInterface
    interface Body {

        /** Writes the file to {@code out}, flushes it and leaves it open. */
        void writeTo(OutputStream out) throws Exception;
    }
}

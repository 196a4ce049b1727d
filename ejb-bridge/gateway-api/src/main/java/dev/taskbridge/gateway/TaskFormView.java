package dev.taskbridge.gateway;

import java.io.Serializable;
import java.util.List;

/**
 * What a task type takes, as its plugin describes it for the people who submit it: the pages
 * build their form from it, the REST API lists it with the type.
 *
 * @param title      what the form does, e.g. "Post a ledger file"
 * @param files      the kinds of file it takes; the first is the usual one
 * @param options    the options a clerk may set
 * @param checkFirst how a file is checked before it is confirmed, or null when it is submitted at once
 */
public record TaskFormView(String title, String help, List<FileKind> files, List<Option> options, Check checkFirst)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public TaskFormView {
        files = List.copyOf(files);
        options = List.copyOf(options);
    }

    /** @param extension e.g. {@code .csv}; @param label e.g. "CSV" */
    public record FileKind(String mediaType, String extension, String label) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * @param kind         TEXT, INTEGER, FLAG ({@code true} or {@code false}) or CHOICE
     * @param defaultValue what the field holds until changed
     * @param choices      the allowed values of a CHOICE, in order; empty otherwise
     */
    public record Option(String name, String kind, String label, String help, String defaultValue, List<Choice> choices)
            implements Serializable {

        private static final long serialVersionUID = 1L;

        public Option {
            choices = List.copyOf(choices);
        }
    }

    public record Choice(String value, String label) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Check first, then confirm: the file is submitted with {@code option} set to {@code value};
     * confirming submits the checked payload with the same options but this one.
     */
    public record Check(String option, String value, String checkLabel, String confirmLabel) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}

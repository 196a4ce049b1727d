package dev.taskbridge.plugin;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a task type takes, described for the people who submit it: the kinds of file, the options
 * with their labels and defaults, and whether a file is checked first and then confirmed. The
 * pages build their submit form and check-then-confirm flow from it, and the REST API lists it
 * ({@code GET /api/task-types}), so that nothing outside the plugin needs to know a task type.
 *
 * @param title      what the form does, as a menu says it, e.g. "Post a ledger file"
 * @param help       one or two sentences under the title: what the file holds, what happens to it
 * @param files      the kinds of file it takes, at least one; the first is the usual one
 * @param options    the options a clerk may set; others may exist for operators and API clients
 * @param checkFirst how a file is checked before it is confirmed, or null when it is submitted at once
 */
public record TaskForm(String title, String help, List<FileKind> files, List<FormOption> options,
                       CheckFirst checkFirst) {

    private static final Pattern OPTION_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9.-]{0,63}");
    /**
     * Names a submission's options never take: the API reads them itself (when to run a task,
     * its priority and its order key) before the rest go to the task type, so an option of such a name would never
     * arrive.
     */
    public static final Set<String> RESERVED_OPTION_NAMES = Set.of("runAt", "runAfter", "priority", "orderKey");

    public TaskForm {
        requireText(title, "title");
        help = help == null ? "" : help;
        files = List.copyOf(files);
        options = List.copyOf(options);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a task form takes at least one kind of file");
        }
        Set<String> names = new HashSet<>();
        for (FormOption option : options) {
            if (!names.add(option.name())) {
                throw new IllegalArgumentException("option " + option.name() + " is described twice");
            }
        }
        if (checkFirst != null && names.contains(checkFirst.option())) {
            // the check's option is the form's to set, never the clerk's
            throw new IllegalArgumentException("option " + checkFirst.option() + " is the check's; it cannot also be a field");
        }
    }

    /** What a type that describes no form of its own offers: a JSON document, titled with its id. */
    public static TaskForm defaultFor(String taskTypeId) {
        return of(taskTypeId, "A JSON document.", FileKind.JSON);
    }

    /** A form that takes files of these kinds, with no options, submitted at once. */
    public static TaskForm of(String title, String help, FileKind... files) {
        return new TaskForm(title, help, Arrays.asList(files), List.of(), null);
    }

    /** The same form with these options. */
    public TaskForm withOptions(FormOption... newOptions) {
        return new TaskForm(title, help, files, Arrays.asList(newOptions), checkFirst);
    }

    /** The same form, checking each file first (see {@link CheckFirst}). */
    public TaskForm checkedFirst(CheckFirst check) {
        return new TaskForm(title, help, files, options, Objects.requireNonNull(check, "check"));
    }

    /**
     * A kind of file.
     *
     * @param mediaType what the payload is submitted as, e.g. {@code text/csv}
     * @param extension the file name's ending that says so when a browser sends no useful type, e.g. {@code .csv}
     * @param label     how a clerk calls it, e.g. "CSV"
     */
    public record FileKind(String mediaType, String extension, String label) {

        public static final FileKind CSV = new FileKind("text/csv", ".csv", "CSV");
        public static final FileKind JSON = new FileKind(Payload.JSON, ".json", "JSON");
        public static final FileKind TEXT = new FileKind("text/plain", ".txt", "text");

        public FileKind {
            requireText(mediaType, "mediaType");
            requireText(label, "label");
            if (extension == null || !extension.matches("\\.[a-z0-9]{1,10}")) {
                throw new IllegalArgumentException("a file kind's extension is a dot and 1 to 10 lower case letters or digits, not "
                        + extension);
            }
        }
    }

    /** One allowed value of a {@link FormOption.Kind#CHOICE} option, and how a clerk reads it. */
    public record Choice(String value, String label) {

        public Choice {
            requireText(value, "value");
            requireText(label, "label");
        }
    }

    /**
     * An option as a form field.
     *
     * @param defaultValue what the field holds until the clerk changes it; for a choice, one of its values
     * @param choices      the allowed values of a {@link Kind#CHOICE}, in the order offered; empty otherwise
     */
    public record FormOption(String name, Kind kind, String label, String help, String defaultValue, List<Choice> choices) {

        /** How the field asks for the value. */
        public enum Kind {
            /** Free text. */
            TEXT,
            /** A whole number. */
            INTEGER,
            /** Yes or no: {@code true} or {@code false}. */
            FLAG,
            /** One of {@code choices}. */
            CHOICE
        }

        public FormOption {
            if (name == null || !OPTION_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("an option's name is a letter, then letters, digits, dots or dashes: " + name);
            }
            if (RESERVED_OPTION_NAMES.contains(name)) {
                throw new IllegalArgumentException("an option cannot be named " + name + ": the API reads "
                        + RESERVED_OPTION_NAMES + " itself, and they never reach a task type");
            }
            Objects.requireNonNull(kind, "kind");
            requireText(label, "label");
            help = help == null ? "" : help;
            choices = List.copyOf(choices);
            if ((kind == Kind.CHOICE) == choices.isEmpty()) {
                throw new IllegalArgumentException("option " + name + ": a choice, and only a choice, has choices");
            }
            if (kind == Kind.CHOICE && choices.stream().noneMatch(choice -> choice.value().equals(defaultValue))) {
                throw new IllegalArgumentException("option " + name + ": the default " + defaultValue + " is not one of its choices");
            }
            if (kind == Kind.FLAG && !"true".equals(defaultValue) && !"false".equals(defaultValue)) {
                throw new IllegalArgumentException("option " + name + ": a flag's default is true or false");
            }
            if (kind == Kind.INTEGER && defaultValue != null && !defaultValue.matches("-?[0-9]{1,18}")) {
                throw new IllegalArgumentException("option " + name + ": the default " + defaultValue + " is not a whole number");
            }
        }

        public static FormOption choice(String name, String label, String help, String defaultValue, Choice... choices) {
            return new FormOption(name, Kind.CHOICE, label, help, defaultValue, Arrays.asList(choices));
        }

        public static FormOption integer(String name, String label, String help, long defaultValue) {
            return new FormOption(name, Kind.INTEGER, label, help, String.valueOf(defaultValue), List.of());
        }

        public static FormOption flag(String name, String label, String help, boolean defaultValue) {
            return new FormOption(name, Kind.FLAG, label, help, String.valueOf(defaultValue), List.of());
        }

        public static FormOption text(String name, String label, String help, String defaultValue) {
            return new FormOption(name, Kind.TEXT, label, help, defaultValue, List.of());
        }
    }

    /**
     * Check first, then confirm: the file is submitted with {@code option} set to {@code value}, a
     * task that checks it and changes nothing; its result says whether it can be confirmed
     * ({@link ResultSummary#confirmable()}). Confirming submits the very payload that was checked,
     * with the same options but this one, as a second task whose idempotency key is the check's,
     * so that nothing is uploaded twice, nothing can change in between, and confirming twice
     * submits once.
     *
     * @param checkLabel   the button that checks, e.g. "Check the file"
     * @param confirmLabel the button that confirms, e.g. "Post this file"
     */
    public record CheckFirst(String option, String value, String checkLabel, String confirmLabel) {

        public CheckFirst {
            if (option == null || !OPTION_NAME.matcher(option).matches()) {
                throw new IllegalArgumentException("the check's option is not an option name: " + option);
            }
            requireText(value, "value");
            requireText(checkLabel, "checkLabel");
            requireText(confirmLabel, "confirmLabel");
        }
    }

    private static void requireText(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}

package dev.taskbridge.gateway;

/**
 * A file a task type's results can be downloaded as.
 *
 * @param name        what to ask for, e.g. {@code errors.csv}
 * @param description what it holds, in a few words
 */
public record ExportView(String name, String mediaType, String description) {
}

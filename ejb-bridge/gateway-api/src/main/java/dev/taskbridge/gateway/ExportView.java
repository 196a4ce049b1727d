package dev.taskbridge.gateway;

import java.io.Serializable;

/**
 * A file a task type's results can be downloaded as.
 *
 * @param name        what to ask for, e.g. {@code errors.csv}
 * @param description what it holds, in a few words
 */
public record ExportView(String name, String mediaType, String description) implements Serializable {

    private static final long serialVersionUID = 1L;
}

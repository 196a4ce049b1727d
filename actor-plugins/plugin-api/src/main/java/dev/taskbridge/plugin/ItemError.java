package dev.taskbridge.plugin;

import java.util.Objects;

/**
 * One error a task found in one item of its payload, such as a bad field of a line of an
 * imported file: what {@link ResultErrors} lists.
 *
 * @param line   the 1-based number of the item (line, record) the error is in
 * @param field  the field the error is about
 * @param value  the value as submitted, perhaps cut short; {@code null} when it was missing
 * @param reason why, in words a clerk understands
 */
public record ItemError(long line, String field, String value, String reason) {

    public ItemError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
    }
}

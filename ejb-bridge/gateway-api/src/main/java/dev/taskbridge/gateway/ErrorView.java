package dev.taskbridge.gateway;

/**
 * One error a finished task found in one item of its payload.
 *
 * @param line   the 1-based number of the item (a line of a file) the error is in
 * @param field  the field the error is about
 * @param value  the value as submitted, perhaps cut short; null when it was missing
 * @param reason why, in words a clerk understands
 */
public record ErrorView(long line, String field, String value, String reason) {
}

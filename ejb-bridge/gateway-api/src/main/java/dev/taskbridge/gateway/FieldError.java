package dev.taskbridge.gateway;

/**
 * @param field  a path into the request, e.g. {@code lines[3].debit}
 * @param reason why it was refused
 */
public record FieldError(String field, String reason) {
}

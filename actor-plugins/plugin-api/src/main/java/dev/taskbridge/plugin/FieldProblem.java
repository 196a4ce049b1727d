package dev.taskbridge.plugin;

import java.util.Objects;

/**
 * One reason a payload was refused.
 *
 * @param field  where, as a path into the payload, e.g. {@code lines[3].debit}
 * @param reason why, in words a clerk understands
 */
public record FieldProblem(String field, String reason) {

    public FieldProblem {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
    }
}

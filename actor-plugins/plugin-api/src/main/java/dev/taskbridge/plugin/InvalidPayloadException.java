package dev.taskbridge.plugin;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link TaskType#parse} with every problem found, not just the first. */
public class InvalidPayloadException extends Exception {

    private final List<FieldProblem> problems;

    public InvalidPayloadException(List<FieldProblem> problems) {
        super(describe(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid payload needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidPayloadException(String field, String reason) {
        this(List.of(new FieldProblem(field, reason)));
    }

    public List<FieldProblem> problems() {
        return problems;
    }

    private static String describe(List<FieldProblem> problems) {
        return problems.stream()
                .map(p -> p.field() + ": " + p.reason())
                .collect(Collectors.joining("; ", "invalid payload: ", ""));
    }
}

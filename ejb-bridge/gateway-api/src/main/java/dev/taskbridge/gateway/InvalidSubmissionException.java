package dev.taskbridge.gateway;

import java.util.List;
import java.util.stream.Collectors;

/** The request was refused for the listed reasons; nothing was stored. */
public class InvalidSubmissionException extends TaskbridgeException {

    private final List<FieldError> errors;

    public InvalidSubmissionException(List<FieldError> errors) {
        super(errors.stream().map(e -> e.field() + ": " + e.reason()).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public InvalidSubmissionException(String field, String reason) {
        this(List.of(new FieldError(field, reason)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}

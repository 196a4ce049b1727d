package dev.taskbridge.web;

import java.io.IOException;
import java.time.Duration;

/** A large request body that was still arriving when its hold limit ran out ({@link BodyBudget}). */
final class BodyOverdueException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Duration limit;

    BodyOverdueException(Duration limit) {
        super("the body did not arrive within " + limit.toSeconds() + " s");
        this.limit = limit;
    }

    Duration limit() {
        return limit;
    }
}

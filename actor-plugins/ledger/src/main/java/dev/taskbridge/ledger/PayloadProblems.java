package dev.taskbridge.ledger;

import java.util.ArrayList;
import java.util.List;

import dev.taskbridge.plugin.FieldProblem;

/**
 * Shape problems of a payload in document order, up to {@link #MAX_PROBLEMS}: the client hears
 * about all of them in one answer, and a file wrong on every line does not make an answer of
 * megabytes.
 */
final class PayloadProblems {

    /** Most problems listed in one answer. */
    static final int MAX_PROBLEMS = 1_000;

    private final List<FieldProblem> listed = new ArrayList<>();
    private int unlisted;

    void add(String field, String reason) {
        if (listed.size() < MAX_PROBLEMS) {
            listed.add(new FieldProblem(field, reason));
        } else {
            unlisted++;
        }
    }

    boolean any() {
        return !listed.isEmpty();
    }

    List<FieldProblem> list() {
        if (unlisted == 0) {
            return listed;
        }
        List<FieldProblem> all = new ArrayList<>(listed);
        all.add(new FieldProblem(PayloadText.BODY, unlisted + " more problems are not listed"));
        return all;
    }
}

package dev.taskbridge.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.taskbridge.plugin.FieldProblem;
import dev.taskbridge.plugin.InvalidPayloadException;
import dev.taskbridge.plugin.Payload;

/**
 * The options of a {@code ledger.post} submission (REST: query parameters, e.g.
 * {@code ?onErrors=post-valid-documents}; operators set defaults with
 * {@code taskbridge.options.ledger.post.<name>}).
 *
 * @param onErrors   what to do with a file in which some lines are wrong
 * @param chunkLines most lines posted per chunk, i.e. per transaction; a document longer than
 *                   that still gets a chunk of its own
 * @param checkOnly  check the file against the rules and the books and post nothing: the report a
 *                   clerk sees before confirming
 */
record PostingOptions(OnErrors onErrors, int chunkLines, boolean checkOnly) {

    static final String ON_ERRORS = "onErrors";
    static final String CHUNK_LINES = "chunkLines";
    static final String CHECK_ONLY = "checkOnly";

    /**
     * A thousand lines per transaction: about 20 ms of posting each on PostgreSQL here, so a clerk
     * sees progress several times a second, while a 5,000-line file costs five commits, not ten
     * (bench/results/ledger-post.md measures both).
     */
    static final int DEFAULT_CHUNK_LINES = 1_000;
    static final int MAX_CHUNK_LINES = 10_000;

    static final PostingOptions DEFAULTS = new PostingOptions(OnErrors.REJECT_FILE, DEFAULT_CHUNK_LINES, false);

    private static final Set<String> NAMES = Set.of(ON_ERRORS, CHUNK_LINES, CHECK_ONLY);

    /** What to do when some lines of a file are wrong. */
    enum OnErrors {
        /** Post nothing: the file is posted whole or not at all. The default. */
        REJECT_FILE("reject-file"),
        /** Post every document whose lines are all valid and balance; refuse the others. */
        POST_VALID_DOCUMENTS("post-valid-documents");

        private final String value;

        OnErrors(String value) {
            this.value = value;
        }

        /** The option's value, e.g. {@code reject-file}. */
        String value() {
            return value;
        }
    }

    /** Reads the options of a payload, naming every bad one. */
    static PostingOptions of(Payload payload) throws InvalidPayloadException {
        List<FieldProblem> problems = new ArrayList<>();
        Map<String, String> options = payload.options();
        for (String name : options.keySet()) {
            if (!NAMES.contains(name)) {
                problems.add(new FieldProblem(name, "is not an option of ledger.post; it knows " + String.join(", ",
                        List.of(ON_ERRORS, CHUNK_LINES, CHECK_ONLY))));
            }
        }
        OnErrors onErrors = DEFAULTS.onErrors();
        String policy = options.get(ON_ERRORS);
        if (policy != null) {
            onErrors = null;
            for (OnErrors candidate : OnErrors.values()) {
                if (candidate.value.equals(policy.strip().toLowerCase(Locale.ROOT))) {
                    onErrors = candidate;
                }
            }
            if (onErrors == null) {
                problems.add(new FieldProblem(ON_ERRORS, "must be " + OnErrors.REJECT_FILE.value + " or "
                        + OnErrors.POST_VALID_DOCUMENTS.value + ", was '" + policy + "'"));
            }
        }
        int chunkLines = DEFAULTS.chunkLines();
        String lines = options.get(CHUNK_LINES);
        if (lines != null) {
            try {
                chunkLines = Integer.parseInt(lines.strip());
                if (chunkLines < 1 || chunkLines > MAX_CHUNK_LINES) {
                    problems.add(new FieldProblem(CHUNK_LINES, "must be between 1 and " + MAX_CHUNK_LINES + ", was " + lines));
                }
            } catch (NumberFormatException e) {
                problems.add(new FieldProblem(CHUNK_LINES, "must be a whole number, was '" + lines + "'"));
            }
        }
        boolean checkOnly = DEFAULTS.checkOnly();
        String check = options.get(CHECK_ONLY);
        if (check != null) {
            switch (check.strip().toLowerCase(Locale.ROOT)) {
                case "true" -> checkOnly = true;
                case "false" -> checkOnly = false;
                default -> problems.add(new FieldProblem(CHECK_ONLY, "must be true or false, was '" + check + "'"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidPayloadException(problems);
        }
        return new PostingOptions(onErrors, chunkLines, checkOnly);
    }
}

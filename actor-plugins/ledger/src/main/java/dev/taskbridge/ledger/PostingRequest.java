package dev.taskbridge.ledger;

import java.util.Objects;

/**
 * The payload of {@code ledger.post}: a shape-checked file and how to post it.
 */
final class PostingRequest {

    private final LedgerFile file;
    private final PostingOptions options;
    /** Derived from file and options; racing threads compute the same plan, so no lock is needed. */
    private volatile PostingPlan plan;

    PostingRequest(LedgerFile file, PostingOptions options) {
        this.file = Objects.requireNonNull(file, "file");
        this.options = Objects.requireNonNull(options, "options");
    }

    LedgerFile file() {
        return file;
    }

    PostingOptions options() {
        return options;
    }

    /**
     * How the file splits into posting chunks, worked out on first use and kept with the parsed
     * payload, which the engine holds while the task runs: every chunk asks for it.
     */
    PostingPlan plan() {
        PostingPlan known = plan;
        if (known == null) {
            known = PostingPlan.of(file, options.chunkLines());
            plan = known;
        }
        return known;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PostingRequest that && file.equals(that.file) && options.equals(that.options);
    }

    @Override
    public int hashCode() {
        return 31 * file.hashCode() + options.hashCode();
    }

    @Override
    public String toString() {
        return "PostingRequest[" + file + ", " + options + "]";
    }
}

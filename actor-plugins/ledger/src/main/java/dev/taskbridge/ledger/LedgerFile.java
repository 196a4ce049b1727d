package dev.taskbridge.ledger;

import java.util.List;

/**
 * A shape-checked ledger file: the payload type of {@code ledger.validate}. It exists so that the
 * handler never sees JSON or CSV, only lines.
 *
 * <p>It also knows what the rules need of each line's document ({@link Documents}: its currency,
 * where its lines are), because a document may span chunks: working it out once here lets every
 * chunk check its lines without reading the chunks before it.
 */
public final class LedgerFile {

    /** The most lines one file may have; larger files are refused when submitted. */
    public static final int MAX_LINES = 100_000;

    private final List<LedgerLine> lines;
    private final Documents documents;

    /**
     * @param lines the lines in file order; at least one and at most {@link #MAX_LINES}
     */
    public LedgerFile(List<LedgerLine> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a ledger file needs at least one line");
        }
        if (lines.size() > MAX_LINES) {
            throw new IllegalArgumentException(
                    "a ledger file has at most " + MAX_LINES + " lines, got " + lines.size());
        }
        this.lines = List.copyOf(lines);
        this.documents = Documents.of(this.lines);
    }

    /** The lines in file order. */
    public List<LedgerLine> lines() {
        return lines;
    }

    Documents documents() {
        return documents;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LedgerFile that && lines.equals(that.lines);
    }

    @Override
    public int hashCode() {
        return lines.hashCode();
    }

    @Override
    public String toString() {
        // lines can be many and hold free text: keep logs short
        return "LedgerFile[" + lines.size() + " lines]";
    }
}

package dev.taskbridge.bank;

import java.util.List;

/** A parsed statement: its payments in file order, and how many of them one chunk matches. */
public record Statement(List<StatementLine> lines, int chunkLines) {

    /** The payments of chunk {@code chunk}. */
    List<StatementLine> chunk(int chunk) {
        return lines.subList(chunk * chunkLines, Math.min(lines.size(), (chunk + 1) * chunkLines));
    }

    int chunkCount() {
        return (lines.size() + chunkLines - 1) / chunkLines;
    }
}

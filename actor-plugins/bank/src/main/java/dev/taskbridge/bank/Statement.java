package dev.taskbridge.bank;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed statement: its payments in file order, how many of them one chunk matches, and how many
 * of its entries were left out as no incoming payment (camt.053's debits and reversals, say).
 */
public record Statement(List<StatementLine> lines, int chunkLines, int leftOut) {

    public Statement(List<StatementLine> lines, int chunkLines) {
        this(lines, chunkLines, 0);
    }

    /** The payments of chunk {@code chunk}. */
    List<StatementLine> chunk(int chunk) {
        return lines.subList(chunk * chunkLines, Math.min(lines.size(), (chunk + 1) * chunkLines));
    }

    int chunkCount() {
        return (lines.size() + chunkLines - 1) / chunkLines;
    }

    /**
     * For each payment of the chunk, how many payments of the statement up to and including it are
     * the same payment (day, amount, currency, payer, reference): 1 for the first.
     */
    List<Integer> occurrences(int chunk) {
        Map<List<Object>, Integer> seen = new HashMap<>();
        int from = chunk * chunkLines;
        int to = Math.min(lines.size(), from + chunkLines);
        List<Integer> occurrences = new ArrayList<>(to - from);
        for (int i = 0; i < to; i++) {
            StatementLine line = lines.get(i);
            int count = seen.merge(List.of(line.bookingDate(), line.amount(), line.currency(), line.counterparty(),
                    line.reference()), 1, Integer::sum);
            if (i >= from) {
                occurrences.add(count);
            }
        }
        return occurrences;
    }
}

package dev.taskbridge.ledger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the rules need to know of a line's document beyond the line itself, worked out once per
 * file so that any chunk can check its lines without reading the others.
 *
 * <p><b>Currency</b>: a document is booked in the currency of its first line that has a
 * well-formed document number and currency; later lines in another currency are errors. The
 * first line decides even when it fails other rules, so that the message points at a line the
 * clerk can see.
 *
 * <p><b>Lines together</b>: a document's lines follow one another. A document number that comes
 * back after other documents is another document under a number already used (a copied block, a
 * file appended to itself), so every line of the later block is an error that names the first.
 */
final class Documents {

    /** For validating a line on its own, with no document context. */
    static final Documents NONE = new Documents(Map.of(), Map.of());

    /** Where a document's currency was set. */
    record FirstCurrency(String currency, int lineNumber) {
    }

    /** The lines of a document's first block. */
    record Block(int firstLine, int lastLine) {
    }

    private final Map<String, FirstCurrency> currencies;
    /** Line number of a line that reopens a document, to the document's first block. */
    private final Map<Integer, Block> reopened;

    private Documents(Map<String, FirstCurrency> currencies, Map<Integer, Block> reopened) {
        this.currencies = currencies;
        this.reopened = reopened;
    }

    static Documents of(List<LedgerLine> lines) {
        Map<String, FirstCurrency> first = new HashMap<>();
        Map<String, Block> firstBlocks = new HashMap<>();
        Map<Integer, Block> reopened = new HashMap<>();
        String previous = null;
        for (LedgerLine line : lines) {
            String number = line.documentNumber();
            if (LineValidator.documentNumberProblem(number) == null
                    && LineValidator.currencyProblem(line.currency()) == null) {
                first.putIfAbsent(number, new FirstCurrency(line.currency(), line.lineNumber()));
            }
            if (number != null) {
                Block block = firstBlocks.get(number);
                if (block == null) {
                    firstBlocks.put(number, new Block(line.lineNumber(), line.lineNumber()));
                } else if (number.equals(previous) && !reopened.containsKey(line.lineNumber() - 1)) {
                    firstBlocks.put(number, new Block(block.firstLine(), line.lineNumber()));
                } else {
                    reopened.put(line.lineNumber(), block);
                }
            }
            previous = number;
        }
        return new Documents(Map.copyOf(first), Map.copyOf(reopened));
    }

    Optional<FirstCurrency> currencyOf(String documentNumber) {
        return documentNumber == null ? Optional.empty() : Optional.ofNullable(currencies.get(documentNumber));
    }

    /** The first block of this line's document, when the line comes after that block ended. */
    Optional<Block> firstBlockIfReopened(LedgerLine line) {
        return Optional.ofNullable(reopened.get(line.lineNumber()));
    }
}

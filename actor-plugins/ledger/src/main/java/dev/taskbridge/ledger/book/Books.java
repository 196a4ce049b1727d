package dev.taskbridge.ledger.book;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The ledger's books as {@code ledger.post} uses them: what it checks a file against, and where
 * it posts. {@link LedgerBook} keeps them in the server's persistence unit; tests keep them in
 * memory.
 */
public interface Books extends AutoCloseable {

    /** The chart of accounts by code. */
    Map<String, Account> accounts();

    /** The fiscal periods by id ({@code yyyy-MM}). */
    Map<String, FiscalPeriod> periods();

    /**
     * Of these document numbers, those already in the books, with the task that posted each.
     *
     * @param postedBefore only entries posted before this instant; {@code null}: all
     */
    Map<String, String> postedBy(Collection<String> documentNumbers, Instant postedBefore);

    /** Writes entries and their lines now, so that a refusal surfaces here, not at commit. */
    void post(List<JournalEntry> entries);

    @Override
    void close();
}

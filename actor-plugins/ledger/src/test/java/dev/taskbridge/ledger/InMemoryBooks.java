package dev.taskbridge.ledger;

import java.time.YearMonth;
import java.util.ArrayList;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.taskbridge.ledger.book.Account;
import dev.taskbridge.ledger.book.Books;
import dev.taskbridge.ledger.book.FiscalPeriod;
import dev.taskbridge.ledger.book.JournalEntry;

/**
 * Books in memory, with a small chart of accounts like the demo's: 1000 cash, 2000 accounts
 * payable, 6100 supplies, 1900 a group account; November 2026 open, October 2026 closed. Like the
 * database, it refuses a document number posted twice.
 */
final class InMemoryBooks implements Books {

    static final String OPEN_DAY = "2026-11-02";
    static final String CLOSED_DAY = "2026-10-15";

    final Map<String, Account> accounts = new HashMap<>();
    final Map<String, FiscalPeriod> periods = new HashMap<>();
    final List<JournalEntry> posted = new ArrayList<>();
    int opened;

    InMemoryBooks() {
        for (Account account : List.of(new Account("1000", "Cash", true), new Account("2000", "Accounts payable", true),
                new Account("6100", "Materials and supplies", true), new Account("1900", "Assets (group)", false))) {
            accounts.put(account.code(), account);
        }
        periods.put("2026-10", new FiscalPeriod(YearMonth.of(2026, 10), false));
        periods.put("2026-11", new FiscalPeriod(YearMonth.of(2026, 11), true));
    }

    /** Opens these books, as LedgerBook.open() opens the server's. */
    Books open() {
        opened++;
        return this;
    }

    List<String> postedNumbers() {
        return posted.stream().map(JournalEntry::documentNumber).toList();
    }

    @Override
    public Map<String, Account> accounts() {
        return Map.copyOf(accounts);
    }

    @Override
    public Map<String, FiscalPeriod> periods() {
        return Map.copyOf(periods);
    }

    @Override
    public Map<String, String> postedBy(Collection<String> documentNumbers, Instant postedBefore) {
        Map<String, String> found = new HashMap<>();
        for (JournalEntry entry : posted) {
            if (documentNumbers.contains(entry.documentNumber())
                    && (postedBefore == null || entry.postedAt().isBefore(postedBefore))) {
                found.put(entry.documentNumber(), entry.taskId());
            }
        }
        return found;
    }

    @Override
    public void post(List<JournalEntry> entries) {
        for (JournalEntry entry : entries) {
            if (postedNumbers().contains(entry.documentNumber())) {
                throw new IllegalStateException("unique constraint ledger_entry_document_key: " + entry.documentNumber());
            }
            posted.add(entry);
        }
    }

    @Override
    public void close() {
    }
}

package dev.taskbridge.ledger.book;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/**
 * A posted document: its lines balance, and its number is unique in the books. Ids come from a
 * sequence in steps of {@value #ID_BLOCK}, so that ids are known before the inserts, which then go
 * in batches (an identity column would not allow it), and the database is asked for ids once per
 * block ({@link LedgerBook#post}).
 */
@Entity
@Table(name = "ledger_entry")
public class JournalEntry {

    /**
     * Ids Hibernate takes from a sequence at a time, for entries and lines alike: a posting chunk
     * of 500 lines needs one round trip per sequence, not fifteen. Must equal the sequences'
     * increment (META-INF/ledger/schema.sql).
     */
    public static final int ID_BLOCK = 500;

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "ledger_entry_seq")
    @SequenceGenerator(name = "ledger_entry_seq", sequenceName = "ledger_entry_seq", allocationSize = JournalEntry.ID_BLOCK)
    private Long id;

    /** Up to 20 characters from a file, and a reversal's {@code .REV} ({@link BookSchema} widens older books). */
    @Column(name = "document_number", nullable = false, unique = true, length = 24)
    private String documentNumber;

    @Column(name = "posting_date", nullable = false)
    private LocalDate postingDate;

    @Column(name = "currency", nullable = false, length = 3)
    private String currency;

    /** The task that posted it: an audit trail, and how a task tells its own entries from earlier ones. */
    @Column(name = "task_id", nullable = false, length = 36)
    private String taskId;

    @Column(name = "posted_at", nullable = false)
    private Instant postedAt;

    @OneToMany(mappedBy = "entry", cascade = CascadeType.PERSIST)
    private List<JournalLine> lines = new ArrayList<>();

    protected JournalEntry() {
    }

    public JournalEntry(String documentNumber, LocalDate postingDate, String currency, String taskId, Instant postedAt) {
        this.documentNumber = documentNumber;
        this.postingDate = postingDate;
        this.currency = currency;
        this.taskId = taskId;
        this.postedAt = postedAt;
    }

    public String documentNumber() {
        return documentNumber;
    }

    public LocalDate postingDate() {
        return postingDate;
    }

    public String currency() {
        return currency;
    }

    public Instant postedAt() {
        return postedAt;
    }

    public String taskId() {
        return taskId;
    }

    public List<JournalLine> lines() {
        return Collections.unmodifiableList(lines);
    }

    public void add(JournalLine line) {
        line.belongTo(this, lines.size() + 1);
        lines.add(line);
    }
}

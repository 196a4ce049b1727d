package dev.taskbridge.ledger.book;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** One line of a posted document. Amounts are decimals with two places, never floating point. */
@Entity
@Table(name = "ledger_line")
public class JournalLine {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "ledger_line_seq")
    @SequenceGenerator(name = "ledger_line_seq", sequenceName = "ledger_line_seq", allocationSize = JournalEntry.ID_BLOCK)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "entry_id", nullable = false)
    private JournalEntry entry;

    @Column(name = "line_no", nullable = false)
    private int lineNo;

    /** The line's number in the submitted file, to trace a posting back to its source. */
    @Column(name = "file_line", nullable = false)
    private int fileLine;

    @Column(name = "account_code", nullable = false, length = 10)
    private String accountCode;

    @Column(name = "cost_center", length = 10)
    private String costCenter;

    @Column(name = "debit", nullable = false, precision = 15, scale = 2)
    private BigDecimal debit;

    @Column(name = "credit", nullable = false, precision = 15, scale = 2)
    private BigDecimal credit;

    @Column(name = "description", length = 200)
    private String description;

    protected JournalLine() {
    }

    public JournalLine(int fileLine, String accountCode, String costCenter, BigDecimal debit, BigDecimal credit,
                       String description) {
        this.fileLine = fileLine;
        this.accountCode = accountCode;
        this.costCenter = costCenter;
        this.debit = debit;
        this.credit = credit;
        this.description = description;
    }

    int lineNo() {
        return lineNo;
    }

    public int fileLine() {
        return fileLine;
    }

    public String accountCode() {
        return accountCode;
    }

    String costCenter() {
        return costCenter;
    }

    String description() {
        return description;
    }

    public BigDecimal debit() {
        return debit;
    }

    public BigDecimal credit() {
        return credit;
    }

    void belongTo(JournalEntry owner, int number) {
        this.entry = owner;
        this.lineNo = number;
    }
}

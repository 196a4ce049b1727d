package dev.taskbridge.ledger.book;

import java.time.LocalDate;
import java.time.YearMonth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A month of the books, open for posting or closed. Its id is {@code yyyy-MM}. */
@Entity
@Table(name = "ledger_period")
public class FiscalPeriod {

    @Id
    @Column(name = "id", length = 7)
    private String id;

    @Column(name = "first_day", nullable = false)
    private LocalDate firstDay;

    @Column(name = "last_day", nullable = false)
    private LocalDate lastDay;

    @Column(name = "is_open", nullable = false)
    private boolean open;

    protected FiscalPeriod() {
    }

    public FiscalPeriod(YearMonth month, boolean open) {
        this.id = month.toString();
        this.firstDay = month.atDay(1);
        this.lastDay = month.atEndOfMonth();
        this.open = open;
    }

    public String id() {
        return id;
    }

    public boolean isOpen() {
        return open;
    }
}

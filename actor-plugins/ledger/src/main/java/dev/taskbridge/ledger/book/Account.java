package dev.taskbridge.ledger.book;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An account of the chart of accounts. Only postable accounts take journal lines; the others group them. */
@Entity
@Table(name = "ledger_account")
public class Account {

    @Id
    @Column(name = "code", length = 10)
    private String code;

    @Column(name = "name", nullable = false, length = 200)
    private String name;

    @Column(name = "postable", nullable = false)
    private boolean postable;

    protected Account() {
    }

    public Account(String code, String name, boolean postable) {
        this.code = code;
        this.name = name;
        this.postable = postable;
    }

    public String code() {
        return code;
    }

    public String name() {
        return name;
    }

    public boolean postable() {
        return postable;
    }
}

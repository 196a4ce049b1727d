package dev.taskbridge.engine.journal;

import java.util.Objects;

import javax.sql.DataSource;

import org.apache.pekko.actor.setup.Setup;

/**
 * The DataSource the journal writes to, carried into the actor system's setup where
 * {@link HostSlickDatabaseProvider} finds it: no JNDI look-up from a Pekko thread.
 *
 * @param threads threads Slick runs journal statements on, and connections it may hold
 */
public final class JournalDatabase extends Setup {

    private final DataSource dataSource;
    private final Dialect dialect;
    private final int threads;

    public JournalDatabase(DataSource dataSource, Dialect dialect, int threads) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        if (threads < 1) {
            throw new IllegalArgumentException("the journal needs at least one thread");
        }
        this.threads = threads;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return dialect;
    }

    public int threads() {
        return threads;
    }
}

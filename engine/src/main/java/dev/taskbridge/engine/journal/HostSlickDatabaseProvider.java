package dev.taskbridge.engine.journal;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickDatabaseProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcBackend$;
import slick.jdbc.JdbcProfile;
import slick.util.AsyncExecutor;
import slick.util.AsyncExecutor$;

/**
 * Gives the JDBC journal, snapshot store and read journal one Slick database over the host's
 * DataSource, named in configuration as {@code pekko-persistence-jdbc.database-provider-fqcn}.
 *
 * <p>Slick runs statements on an executor of its own; its threads are named
 * {@code taskbridge-journal-<n>} and end when the actor system terminates; a connection Slick
 * still holds then is rolled back and closed ({@link TrackedConnections}). The plugins must not
 * close the shared database themselves ({@link SlickDatabase#allowShutdown()} is false): the first
 * one to stop would pull it from under the others.
 */
public final class HostSlickDatabaseProvider implements SlickDatabaseProvider {

    private static final Logger LOG = LoggerFactory.getLogger(HostSlickDatabaseProvider.class);
    private static final String THREAD_NAME = "taskbridge-journal";
    private static final int QUEUE_SIZE = 10_000;

    private final SlickDatabase database;

    public HostSlickDatabaseProvider(ActorSystem system) {
        JournalDatabase setup = system.settings().setup().get(JournalDatabase.class).orElseThrow(() ->
                new IllegalStateException("the actor system was started without a " + JournalDatabase.class.getName()));
        AsyncExecutor executor = AsyncExecutor$.MODULE$.apply(THREAD_NAME, setup.threads(), setup.threads(),
                QUEUE_SIZE, setup.threads(), false);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Option<Object> maxConnections = (Option) Option.apply(setup.threads());
        TrackedConnections connections = new TrackedConnections(setup.dataSource());
        JdbcBackend.JdbcDatabaseDef db = JdbcBackend$.MODULE$.Database()
                .forDataSource(connections, maxConnections, executor, false);
        JdbcProfile profile = setup.dialect().slickProfile();
        this.database = new SharedDatabase(db, profile);
        system.registerOnTermination(() -> {
            db.close();
            int leftovers = connections.closeLeftovers();
            if (leftovers > 0) {
                LOG.warn("The journal still held {} connection(s) when the actor system stopped: rolled back and closed",
                        leftovers);
            }
        });
    }

    @Override
    public SlickDatabase database(Config config) {
        return database;
    }

    private record SharedDatabase(JdbcBackend.JdbcDatabaseDef database, JdbcProfile profile) implements SlickDatabase {

        @Override
        public boolean allowShutdown() {
            return false;
        }
    }
}

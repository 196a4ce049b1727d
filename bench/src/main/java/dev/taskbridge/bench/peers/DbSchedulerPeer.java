package dev.taskbridge.bench.peers;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

/**
 * db-scheduler (com.github.kagkarlsson:db-scheduler) on its own {@code scheduled_tasks} table,
 * with one of its two polling strategies. A benchmark task is a one-time task whose data is the
 * task reference as a string (the default Java serializer then writes a short string).
 *
 * <p>Per-key order: db-scheduler runs due executions in any order on its thread pool and has no
 * notion of a key; what its users do for ordered work is to let each execution schedule the next
 * one, so W5 chains: step n's body schedules step n+1 of its key.
 */
final class DbSchedulerPeer implements Peer {

    /** The two polling strategies of docs/performance.md. */
    enum Strategy {
        FETCH("db-scheduler-fetch"),
        LOCK_AND_FETCH("db-scheduler-lock-and-fetch");

        final String peerName;

        Strategy(String peerName) {
            this.peerName = peerName;
        }
    }

    /**
     * Executions fetched ahead, as fractions of the thread count: the first (and smallest) setup of
     * the benchmark table in docs/performance.md (20 threads, lower 4.0, upper 20.0), which reached
     * 2,000 ex/s with fetch and 10,600 with lock-and-fetch. Fetching far ahead is what keeps the
     * threads busy with no-op tasks: they end faster than a poll round-trip.
     */
    static final double LOWER_LIMIT = 4.0;
    static final double UPPER_LIMIT = 20.0;

    /**
     * W3 only: how often running executions' heartbeats are written and how many may be missed
     * before another scheduler revives them. The defaults (5 min, 6) leave a killed instance's
     * executions alone for half an hour; these give the 20 s after which JobRunr's defaults call a
     * silent server dead (4 polls of 5 s), so both recover on the same footing.
     */
    static final Duration W3_HEARTBEAT = Duration.ofSeconds(5);
    static final int W3_MISSED_HEARTBEATS = 4;

    private static final String PERFORMANCE_PAGE = "https://github.com/kagkarlsson/db-scheduler/blob/master/docs/performance.md";
    private static final String README = "https://github.com/kagkarlsson/db-scheduler#readme";

    private final Strategy strategy;
    private PeerDatabaseAccess db;
    private OneTimeTask<String> task;
    private Scheduler scheduler;
    private int threads;
    private boolean w3;

    DbSchedulerPeer(Strategy strategy) {
        this.strategy = strategy;
    }

    @Override
    public String name() {
        return strategy.peerName;
    }

    @Override
    public String library() {
        return "db-scheduler " + Versions.of("com.github.kagkarlsson", "db-scheduler");
    }

    @Override
    public List<String> settings() {
        return List.of(
                "polling strategy `" + (strategy == Strategy.FETCH ? "fetch" : "lock-and-fetch") + "` ("
                        + (strategy == Strategy.FETCH ? "`pollUsingFetchAndLockOnExecute`" : "`pollUsingLockAndFetch`")
                        + "), lower limit " + LOWER_LIMIT + " and upper limit " + UPPER_LIMIT
                        + " × threads: the first setup of the benchmark table in " + PERFORMANCE_PAGE
                        + " (page read for this harness; lock-and-fetch is the strategy it shows reaching ~10k "
                        + "executions/s on PostgreSQL, `fetch` 2,000-4,000)",
                "`threads(" + threads + ")`: the common worker count, so that every peer runs bodies on as many threads "
                        + "(the page's runs used 20-100 threads per instance on 2- and 4-core VMs; `bench.peers.workers` "
                        + "changes it for every peer alike)",
                "`enableImmediateExecution()`: a task scheduled for now in this instance is picked without waiting for "
                        + "the next poll (README's configuration list, " + README + "; not retrieved in this session)",
                "polling interval left at the default 10 s: under load the scheduler fetches again as soon as executions "
                        + "fall below the lower limit, so the interval only matters when idle",
                "table `scheduled_tasks` as the README's PostgreSQL table definition, in its own database",
                "W3 only: `heartbeatInterval(" + W3_HEARTBEAT.toSeconds() + " s)` and `missedHeartbeatsLimit("
                        + W3_MISSED_HEARTBEATS + ")` (README's configuration list: defaults 5 min and 6; 4 is the "
                        + "least it accepts): a killed instance's picked executions are revived once their heartbeat is "
                        + W3_HEARTBEAT.toSeconds() * W3_MISSED_HEARTBEATS + " s old, the same 20 s after which JobRunr's "
                        + "defaults call a silent server dead; at the defaults they would wait 30 min");
    }

    @Override
    public String orderingNote() {
        return "no per-key order in db-scheduler: each step's body schedules the next step of its key (a chain), "
                + "the pattern its users build for ordered work";
    }

    @Override
    public Ordering ordering() {
        return Ordering.CHAINED;
    }

    @Override
    public void start(PeerSetup setup) throws Exception {
        threads = setup.workers();
        w3 = setup.workload().equals("W3");
        db = new PeerDatabaseAccess(setup);
        if (!setup.resuming()) {
            createTable(setup);
        }
        task = Tasks.oneTime("peers-noop", String.class)
                .execute((instance, context) -> Round.ran(TaskRef.decode(instance.getData())));
        SchedulerBuilder builder = Scheduler.create(setup.dataSource(), task)
                .threads(threads)
                .enableImmediateExecution();
        if (w3) {
            builder = builder.heartbeatInterval(W3_HEARTBEAT).missedHeartbeatsLimit(W3_MISSED_HEARTBEATS);
        }
        builder = strategy == Strategy.FETCH
                ? builder.pollUsingFetchAndLockOnExecute(LOWER_LIMIT, UPPER_LIMIT)
                : builder.pollUsingLockAndFetch(LOWER_LIMIT, UPPER_LIMIT);
        scheduler = builder.build();
        scheduler.start();
    }

    /** The table db-scheduler needs (its README gives one definition per database; this is PostgreSQL's). */
    private static void createTable(PeerSetup setup) throws Exception {
        try (Connection connection = setup.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE scheduled_tasks (
                        task_name            TEXT NOT NULL,
                        task_instance        TEXT NOT NULL,
                        task_data            BYTEA,
                        execution_time       TIMESTAMP WITH TIME ZONE NOT NULL,
                        picked               BOOLEAN NOT NULL,
                        picked_by            TEXT,
                        last_success         TIMESTAMP WITH TIME ZONE,
                        last_failure         TIMESTAMP WITH TIME ZONE,
                        consecutive_failures INT,
                        last_heartbeat       TIMESTAMP WITH TIME ZONE,
                        version              BIGINT NOT NULL,
                        priority             SMALLINT,
                        PRIMARY KEY (task_name, task_instance))""");
            statement.execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
            statement.execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
            statement.execute("CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)");
        }
    }

    @Override
    public void submit(TaskRef ref, boolean ordered) {
        scheduler.schedule(task.instance(ref.id(), ref.encode()), Instant.now());
    }

    @Override
    public long unfinished() throws Exception {
        // a one-time execution's row is deleted when it completes
        return db.count("SELECT count(*) FROM scheduled_tasks");
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.stop();
        }
    }
}

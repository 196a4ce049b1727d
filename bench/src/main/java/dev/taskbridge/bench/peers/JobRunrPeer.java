package dev.taskbridge.bench.peers;

import java.time.Duration;
import java.util.List;

import org.jobrunr.configuration.JobRunr;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson.JacksonJsonMapper;

/**
 * JobRunr (open source) with its PostgreSQL storage provider, which creates its own tables on
 * start. Jobs are enqueued as {@link JobRequest}s, JobRunr's typed alternative to lambdas: a plain
 * object serialized as JSON, run by a handler class JobRunr instantiates itself. That keeps the
 * job's data explicit, as with the other peers, rather than captured from a lambda.
 *
 * <p>Per-key order: the open-source edition has no per-key serialization (mutexes and job chains
 * with {@code continueWith} are JobRunr Pro features), so W5 chains: step n's handler enqueues
 * step n+1 of its key.
 */
final class JobRunrPeer implements Peer {

    static final String CONFIG_PAGE = "https://www.jobrunr.io/en/documentation/configuration/fluent/";
    static final String DEFAULT_POLL_PAGE = "https://github.com/jobrunr/jobrunr/discussions/607";
    static final String SERVER_PAGE = "https://www.jobrunr.io/en/documentation/background-methods/";

    /**
     * How often the server looks for enqueued jobs when its workers are idle. Enqueued jobs wait for
     * it (the open-source edition has no in-JVM wake-up); under load a worker that frees up asks for
     * more work itself. The default is 15 s; see {@link #settings()}.
     */
    private Duration pollInterval;
    private int workers;
    private JobRequestScheduler scheduler;
    private PeerDatabaseAccess db;

    /** A benchmark task as JobRunr stores it: JSON with one field. */
    public static final class Step implements JobRequest {
        private String ref;

        public Step() {
        }

        Step(String ref) {
            this.ref = ref;
        }

        public String getRef() {
            return ref;
        }

        @Override
        public Class<StepHandler> getJobRequestHandler() {
            return StepHandler.class;
        }
    }

    /** Instantiated by JobRunr for each job (no IoC container here). */
    public static final class StepHandler implements JobRequestHandler<Step> {
        @Override
        public void run(Step step) {
            Round.ran(TaskRef.decode(step.getRef()));
        }
    }

    @Override
    public String name() {
        return "jobrunr";
    }

    @Override
    public String library() {
        return "JobRunr " + Versions.of("org.jobrunr", "jobrunr") + " (open source)";
    }

    @Override
    public List<String> settings() {
        return List.of(
                "`PostgresStorageProvider` on a Hikari pool of the same size as every peer's, tables created by "
                        + "JobRunr itself; `JacksonJsonMapper`; no dashboard",
                "`andWorkerCount(" + workers + ")`: the same workers as every peer (JobRunr's default is 8 per core on "
                        + "platform threads)",
                "`andPollInterval(" + pollInterval.toSeconds() + " s)`: the lowest JobRunr accepts (a shorter one "
                        + "fails at start with \"The smallest supported pollInterval is 5 seconds - otherwise it will cause "
                        + "to much load on your SQL/noSQL datastore\"); the default is 15 s (" + DEFAULT_POLL_PAGE + "). "
                        + "Enqueued jobs wait for the next poll unless a worker frees up and asks for more, so the "
                        + "shortest poll is the setting its configuration offers for throughput and latency ("
                        + CONFIG_PAGE + ", not retrieved in this session)",
                "jobs enqueued one by one with `JobRequestScheduler.enqueue(JobRequest)` (" + SERVER_PAGE + ", not "
                        + "retrieved in this session), as clients submit them one at a time in W1; JobRunr logs a WARN "
                        + "line whenever its default job filter takes over 10 ms on a submit, so such lines in the run's "
                        + "output are JobRunr's own");
    }

    @Override
    public String orderingNote() {
        return "no per-key order in JobRunr open source (mutexes and `continueWith` chains are Pro features): each "
                + "step's handler enqueues the next step of its key (a chain)";
    }

    @Override
    public Ordering ordering() {
        return Ordering.CHAINED;
    }

    @Override
    public void start(PeerSetup setup) {
        workers = setup.workers();
        pollInterval = Duration.ofSeconds(Integer.getInteger("bench.peers.jobrunr.poll.seconds", 5));
        db = new PeerDatabaseAccess(setup);
        scheduler = JobRunr.configure()
                .useJsonMapper(new JacksonJsonMapper())
                .useStorageProvider(new PostgresStorageProvider(setup.dataSource()))
                .useBackgroundJobServer(BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                        .andWorkerCount(workers)
                        .andPollInterval(pollInterval))
                .initialize()
                .getJobRequestScheduler();
    }

    @Override
    public void submit(TaskRef task, boolean ordered) {
        scheduler.enqueue(new Step(task.encode()));
    }

    @Override
    public long unfinished() throws Exception {
        return db.count("SELECT count(*) FROM jobrunr_jobs WHERE state NOT IN ('SUCCEEDED', 'DELETED')");
    }

    @Override
    public void close() {
        JobRunr.destroy();
    }
}

package dev.taskbridge.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz with the JDBC job store ({@code JobStoreTX}, {@code PostgreSQLDelegate}) on tables made
 * from the DDL that ships inside the quartz jar. A benchmark task is a one-shot simple trigger
 * carrying the task reference in its job data, fired on a durable job stored once: a trigger is
 * the least Quartz stores per run of a job.
 *
 * <p>Per-key order: one durable job per key whose class carries {@code @DisallowConcurrentExecution},
 * every step a trigger of that job. Quartz then never runs two steps of a key at once; which
 * waiting trigger fires next is decided by next fire time, then priority, so steps submitted in
 * the same millisecond may still swap. That is what a Quartz user gets, and what W5 counts.
 */
final class QuartzPeer implements Peer {

    static final String CONFIG_PAGE = "https://www.quartz-scheduler.org/documentation/quartz-2.3.0/configuration/ConfigMain.html";
    static final String JOBSTORE_PAGE = "https://quartz-scheduler.org/documentation/quartz-2.1.7/configuration/ConfigJobStoreTX.html";
    private static final String DDL = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";
    private static final String GROUP = "peers";
    private static final JobKey NO_OP = JobKey.jobKey("noop", GROUP);

    /**
     * Longer than any round: a fire-now trigger waiting behind a backlog is queued work, not a
     * missed schedule, and misfire handling would only add locked round-trips (see {@link #settings()}).
     */
    private static final long MISFIRE_THRESHOLD_MILLIS = 600_000;

    /** Triggers acquired per trip to the database; see {@link #settings()}. */
    private int batch;
    private int workers;
    private Scheduler scheduler;
    private PeerDatabaseAccess db;

    /** W1's job: many triggers of it may run at once. */
    public static final class NoOpJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            Round.ran(TaskRef.decode(context.getMergedJobDataMap().getString("ref")));
        }
    }

    /** W5's job, one per key: Quartz runs one trigger of a job at a time when its class says so. */
    @DisallowConcurrentExecution
    public static final class OrderedJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            Round.ran(TaskRef.decode(context.getMergedJobDataMap().getString("ref")));
        }
    }

    @Override
    public String name() {
        return "quartz";
    }

    @Override
    public String library() {
        return "Quartz " + Versions.of("org.quartz-scheduler", "quartz") + " (JDBC job store)";
    }

    @Override
    public List<String> settings() {
        return List.of(
                "`org.quartz.jobStore.class=JobStoreTX`, `driverDelegateClass=PostgreSQLDelegate`, not clustered; "
                        + "tables from `" + DDL + "` inside the quartz jar (" + JOBSTORE_PAGE + ")",
                "`org.quartz.threadPool.threadCount=" + workers + "`: the same workers as every peer",
                "`org.quartz.scheduler.batchTriggerAcquisitionMaxCount=" + batch + "` with "
                        + "`org.quartz.jobStore.acquireTriggersWithinLock=true`: the configuration reference says a larger "
                        + "batch makes firing more efficient when very many triggers are due at once, and that a batch "
                        + "above 1 on a JDBC store needs acquisition within the lock (" + CONFIG_PAGE + ", not retrieved in this "
                        + "session; the JDBC store page, read, lists `acquireTriggersWithinLock` as false \"or true - see doc "
                        + "below\"); the batch is the worker count, as the scheduler never acquires more triggers than it has "
                        + "free threads (`bench.peers.quartz.batch` changes it)",
                "`org.quartz.jobStore.useProperties=true`: job data stored as strings, not serialized blobs ("
                        + JOBSTORE_PAGE + ", read)",
                "`org.quartz.jobStore.misfireThreshold=" + MISFIRE_THRESHOLD_MILLIS + "` (default 60000, same page): "
                        + "longer than any round, because a fire-now trigger that waits behind a backlog is queued work, "
                        + "not a missed schedule; at the default, a backlog older than a minute would go through the "
                        + "misfire handler (more locked round-trips) before firing",
                "data source through Quartz's `hikaricp` provider, `maxConnections` = the pool size of every peer "
                        + "(the reference asks for at least the thread count + 3)",
                "a task is a one-shot `SimpleTrigger` (fire now, misfire: fire now) of one durable job; the trigger "
                        + "carries the task data",
                "jobs built with `requestRecovery(true)`: a job that was running when its scheduler died is fired "
                        + "again when the scheduler starts (Quartz's tutorial on jobs, \"RequestsRecovery\"); without it, "
                        + "a task killed mid-run is not run again");
    }

    @Override
    public String orderingNote() {
        return "one durable job per key, its class annotated `@DisallowConcurrentExecution`; every step a trigger of "
                + "that job, submitted in order (Quartz fires waiting triggers by next fire time, then priority)";
    }

    @Override
    public Ordering ordering() {
        return Ordering.AS_SUBMITTED;
    }

    @Override
    public boolean usesHarnessPool() {
        return false;
    }

    @Override
    public void start(PeerSetup setup) throws Exception {
        workers = setup.workers();
        batch = Integer.getInteger("bench.peers.quartz.batch", workers);
        db = new PeerDatabaseAccess(setup);
        if (!setup.resuming()) {
            createTables(setup);
        }
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "peers");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", Integer.toString(batch));
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(workers));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", "peers");
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(MISFIRE_THRESHOLD_MILLIS));
        p.setProperty("org.quartz.dataSource.peers.provider", "hikaricp");
        p.setProperty("org.quartz.dataSource.peers.driver", "org.postgresql.Driver");
        p.setProperty("org.quartz.dataSource.peers.URL", setup.jdbcUrl());
        p.setProperty("org.quartz.dataSource.peers.user", setup.user());
        p.setProperty("org.quartz.dataSource.peers.password", setup.password());
        p.setProperty("org.quartz.dataSource.peers.maxConnections", Integer.toString(setup.poolSize()));
        scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.addJob(JobBuilder.newJob(NoOpJob.class).withIdentity(NO_OP).storeDurably().requestRecovery().build(), true);
        for (int key = 0; key < setup.keys(); key++) {
            scheduler.addJob(JobBuilder.newJob(OrderedJob.class).withIdentity(keyJob(key)).storeDurably().requestRecovery().build(), true);
        }
        scheduler.start();
    }

    private static JobKey keyJob(int key) {
        return JobKey.jobKey("key-" + key, GROUP);
    }

    /** Runs the DDL shipped in the jar, statement by statement (it is plain SQL ending each in ';'). */
    private static void createTables(PeerSetup setup) throws Exception {
        String ddl;
        try (InputStream in = Scheduler.class.getClassLoader().getResourceAsStream(DDL)) {
            if (in == null) {
                throw new IOException(DDL + " is not in the quartz jar");
            }
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder withoutComments = new StringBuilder();
        for (String line : ddl.split("\n")) {
            if (!line.strip().startsWith("--")) {
                withoutComments.append(line).append('\n');
            }
        }
        try (Connection connection = setup.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : withoutComments.toString().split(";")) {
                String trimmed = sql.strip();
                if (!trimmed.isEmpty() && !trimmed.equalsIgnoreCase("commit")) {
                    statement.execute(trimmed);
                }
            }
        }
    }

    @Override
    public void submit(TaskRef ref, boolean ordered) throws Exception {
        scheduler.scheduleJob(TriggerBuilder.newTrigger()
                .withIdentity(ref.id(), GROUP)
                .forJob(ordered ? keyJob(ref.key()) : NO_OP)
                .usingJobData("ref", ref.encode())
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                .startNow()
                .build());
    }

    @Override
    public long unfinished() throws Exception {
        // a fired one-shot trigger is deleted once its job completes
        return db.count("SELECT (SELECT count(*) FROM qrtz_triggers) + (SELECT count(*) FROM qrtz_fired_triggers)");
    }

    @Override
    public void close() {
        if (scheduler != null) {
            try {
                scheduler.shutdown(true);
            } catch (Exception e) {
                System.err.println("Quartz did not shut down cleanly: " + e);
            }
        }
    }
}

package dev.taskbridge.bench.peers;

import java.util.List;

import javax.sql.DataSource;

/**
 * One durable task library, embedded as its users embed it, behind the few calls the workloads
 * need. Each adapter is started in a JVM of its own, so nothing here has to be shared or reset.
 */
interface Peer extends AutoCloseable {

    /** How a peer keeps the steps of one key in order in W5. */
    enum Ordering {
        /** Every step is submitted by the client; the library (or what its users build on it) orders them. */
        AS_SUBMITTED,
        /** The client submits step 0 only; each step's body submits the next, as the library offers no per-key order. */
        CHAINED
    }

    /** Short name used on the command line and in the report, e.g. {@code db-scheduler-fetch}. */
    String name();

    /** Library and version as resolved from the class path. */
    String library();

    /** The settings chosen, each with why and the page it comes from: lines for the report. */
    List<String> settings();

    /** What this peer does for per-key order in W5, in one sentence for the report. */
    String orderingNote();

    Ordering ordering();

    void start(PeerSetup setup) throws Exception;

    /**
     * Whether the library runs on the harness's pool ({@link PeerSetup#dataSource()}). A peer that
     * makes its own (Quartz) gets a pool of two for its tables and counts, so that the server's
     * connection limit is not spent twice.
     */
    default boolean usesHarnessPool() {
        return true;
    }

    /**
     * Submits one durable task; returns once the library says it is stored.
     *
     * @param ordered a W5 step, to be kept in order with the other steps of its key by whatever
     *                the peer offers for that (the same as unordered for most peers)
     */
    void submit(TaskRef task, boolean ordered) throws Exception;

    /**
     * Where W3's bodies write their effect: the harness's pool (its own connection, committed at
     * once), unless the library offers bodies a transaction of their task's (Taskbridge).
     */
    default DataSource bodyDataSource(DataSource harnessPool) {
        return harnessPool;
    }

    /** Tasks the library itself does not yet count as done: the harness stops the clock at zero. */
    long unfinished() throws Exception;

    @Override
    void close();
}

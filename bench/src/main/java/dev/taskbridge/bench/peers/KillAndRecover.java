package dev.taskbridge.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

/**
 * W3: unfinished tasks, {@code kill -9}, restart. Two JVMs per peer, one after the other on the same
 * database. The first ({@link #crash}) submits the tasks with every body held, lets them go, and
 * once {@code bench.peers.w3.kill-after} of them have committed their effect, writes what it knows
 * and sends itself SIGKILL: some bodies are then between their effect and the library's record of
 * their end, the rest wait in the library's tables. The second ({@link #recover}) starts the
 * library again on what the first left and waits until every task has its effect and the library
 * counts none unfinished: the time from this JVM's start, the tasks lost (no effect when it ends)
 * and duplicated (more than one effect), read from the database, not from memory.
 *
 * <p>A body's effect is a row in {@value #EFFECTS}, written through the data source the peer's
 * bodies get ({@link Peer#bodyDataSource}): the harness's pool (committed at once) for every peer
 * but Taskbridge, whose chunk's work shares the chunk's transaction with its record. No warm-up: a
 * restarted process is cold, for every peer alike.
 */
final class KillAndRecover {

    static final String EFFECTS = "w3_effect";
    /** Round id of W3's tasks in both JVMs, so that the second finds the first's tasks' round. */
    private static final int ROUND = 3;

    private KillAndRecover() {
    }

    /** What both phases share: sizes, database and where the first phase leaves its figures for the second. */
    record Setting(String peerName, String adminUrl, String database, String user, String password, int workers,
                   int poolSize, int submitters, int tasks, int killAfter, long bodyMillis, long boundMillis,
                   Path crashFile) {

        static Setting fromProperties(String peerName, String adminUrl, String database, String user, String password,
                                      int workers, int poolSize, int submitters, long boundMillis) {
            String result = System.getProperty("bench.peers.result", "peer-run.properties");
            return new Setting(peerName, adminUrl, database, user, password, workers, poolSize, submitters,
                    Integer.getInteger("bench.peers.w3.tasks", 1_100), Integer.getInteger("bench.peers.w3.kill-after", 100),
                    Integer.getInteger("bench.peers.w3.body.millis", 20), boundMillis,
                    Path.of(System.getProperty("bench.peers.w3.crash-file", result + ".crash")));
        }

        /** A peer on its own pool (Quartz) still needs one connection per body for the effects. */
        int harnessPool(Peer peer) {
            return peer.usesHarnessPool() ? poolSize : workers + 2;
        }
    }

    /**
     * The first JVM: fresh database, tasks submitted while held, released, killed with SIGKILL once
     * {@code killAfter} effects are in. Writes its figures to {@code crashFile} first; never returns.
     */
    static void crash(Setting setting) throws Exception {
        Peer peer = Peers.create(setting.peerName());
        PeerDatabase db = PeerDatabase.recreate(setting.adminUrl(), setting.database(), setting.user(), setting.password(),
                setting.harnessPool(peer));
        try (Connection connection = db.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            // no unique key: a task whose body committed twice must show as two rows
            statement.execute("CREATE TABLE " + EFFECTS + " (task TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())");
        }
        Round round = new Round(ROUND, setting.tasks(), 1, false, false, peer);
        round.writeEffects(effectWriter(peer, db.dataSource()), setting.bodyMillis());
        round.hold();
        peer.start(setup(setting, db, false));
        double submitSeconds = PeerRun.submitAll(round, setting.submitters(), setting.boundMillis());
        PeerRun.log(setting.peerName(), "W3", String.format("%,d tasks submitted (bodies held) in %.1f s; released; kill -9 "
                + "once %,d effects are in", setting.tasks(), submitSeconds, setting.killAfter()));
        round.release();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(setting.boundMillis());
        long effects;
        while ((effects = db.count("SELECT count(*) FROM " + EFFECTS)) < setting.killAfter()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format("%s W3: only %,d of %,d effects before the kill within %d s",
                        setting.peerName(), effects, setting.killAfter(), setting.boundMillis() / 1000));
            }
            Thread.sleep(2);
        }
        Properties crash = new Properties();
        crash.setProperty("submitted", Integer.toString(setting.tasks()));
        crash.setProperty("submitSeconds", Double.toString(submitSeconds));
        crash.setProperty("effectsSeenBeforeKill", Long.toString(effects));
        crash.setProperty("killedAtMillis", Long.toString(System.currentTimeMillis()));
        try (OutputStream out = Files.newOutputStream(setting.crashFile())) {
            crash.store(out, "W3: the process that was killed");
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        PeerRun.log(setting.peerName(), "W3", effects + " effects in: kill -9 " + pid);
        new ProcessBuilder("kill", "-9", pid).inheritIO().start().waitFor();
        Thread.sleep(TimeUnit.MINUTES.toMillis(1));
        throw new IllegalStateException("kill -9 " + pid + " did not end this JVM");
    }

    /**
     * The second JVM: the library started again on the killed one's database; figures into {@code
     * out}. The clock starts with this JVM, as a restarted server's would.
     */
    static void recover(Setting setting, Properties out) throws Exception {
        long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
        Properties crash = new Properties();
        try (InputStream in = Files.newInputStream(setting.crashFile())) {
            crash.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("W3: the killed run left no " + setting.crashFile() + ": it failed before its kill", e);
        }
        int tasks = Integer.parseInt(crash.getProperty("submitted"));
        long killedAt = Long.parseLong(crash.getProperty("killedAtMillis"));
        Peer peer = Peers.create(setting.peerName());
        try (PeerDatabase db = PeerDatabase.open(setting.adminUrl(), setting.database(), setting.user(), setting.password(),
                setting.harnessPool(peer))) {
            // no body runs before the peer starts: what is there now, the killed process committed
            long doneAtKill = distinctEffects(db);
            long rowsAtKill = db.count("SELECT count(*) FROM " + EFFECTS);
            Round round = new Round(ROUND, tasks, 1, false, false, peer);
            round.writeEffects(effectWriter(peer, db.dataSource()), setting.bodyMillis());
            peer.start(setup(setting, db, true));
            try {
                double startedSeconds = since(jvmStartMillis);
                PeerRun.log(setting.peerName(), "W3", String.format("restarted %.2f s after the kill; library started %.2f s "
                                + "into this JVM; %,d of %,d tasks had their effect before the kill, %,d unfinished",
                        (jvmStartMillis - killedAt) / 1000.0, startedSeconds, doneAtKill, tasks, tasks - doneAtKill));
                StringBuilder curve = new StringBuilder(String.format("%.3f:%d", startedSeconds, doneAtKill));
                long lastSampled = doneAtKill;
                long nextSample = System.nanoTime();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(setting.boundMillis());
                long done = doneAtKill;
                boolean finished = false;
                while (System.nanoTime() < deadline) {
                    done = distinctEffects(db);
                    if (done != lastSampled && System.nanoTime() >= nextSample) {
                        curve.append(String.format(",%.3f:%d", since(jvmStartMillis), done));
                        lastSampled = done;
                        nextSample = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                    }
                    if (done >= tasks && peer.unfinished() == 0) {
                        finished = true;
                        break;
                    }
                    Thread.sleep(10);
                }
                double allDoneSeconds = since(jvmStartMillis);
                curve.append(String.format(",%.3f:%d", allDoneSeconds, done));
                long duplicated = db.count("SELECT count(*) FROM (SELECT task FROM " + EFFECTS
                        + " GROUP BY task HAVING count(*) > 1) twice");
                long rows = db.count("SELECT count(*) FROM " + EFFECTS);
                out.setProperty("tasks", Integer.toString(tasks));
                out.setProperty("killAfter", Integer.toString(setting.killAfter()));
                out.setProperty("bodyMillis", Long.toString(setting.bodyMillis()));
                out.setProperty("submitSeconds", crash.getProperty("submitSeconds"));
                out.setProperty("doneAtKill", Long.toString(doneAtKill));
                out.setProperty("rowsAtKill", Long.toString(rowsAtKill));
                out.setProperty("unfinishedAtKill", Long.toString(tasks - doneAtKill));
                out.setProperty("restartGapSeconds", Double.toString((jvmStartMillis - killedAt) / 1000.0));
                out.setProperty("libraryStartSeconds", Double.toString(startedSeconds));
                out.setProperty("recoverSeconds", Double.toString(allDoneSeconds));
                out.setProperty("finished", Boolean.toString(finished));
                out.setProperty("lost", Long.toString(tasks - done));
                out.setProperty("duplicated", Long.toString(duplicated));
                out.setProperty("extraEffects", Long.toString(rows - done));
                out.setProperty("curve", curve.toString());
                out.setProperty("library", peer.library());
                out.setProperty("settings", String.join("\n", peer.settings()));
                PeerRun.log(setting.peerName(), "W3", String.format("%s %.2f s after this JVM started: %,d of %,d tasks done, "
                                + "%,d lost, %,d duplicated", finished ? "all done" : "gave up", allDoneSeconds, done, tasks,
                        tasks - done, duplicated));
            } finally {
                peer.close();
                round.close();
            }
        }
    }

    private static PeerSetup setup(Setting setting, PeerDatabase db, boolean resuming) {
        return new PeerSetup(db.dataSource(), db.url(), setting.user(), setting.password(), setting.workers(),
                setting.poolSize(), "W3", 0, resuming);
    }

    /** Asks the peer for its bodies' data source at each write: a body runs only once the peer has started. */
    private static Round.EffectWriter effectWriter(Peer peer, DataSource harnessPool) {
        return task -> {
            try (Connection connection = peer.bodyDataSource(harnessPool).getConnection();
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO " + EFFECTS + " (task) VALUES (?)")) {
                insert.setString(1, task.id());
                insert.executeUpdate();
            }
        };
    }

    private static long distinctEffects(PeerDatabase db) throws SQLException {
        return db.count("SELECT count(DISTINCT task) FROM " + EFFECTS);
    }

    private static double since(long epochMillis) {
        return (System.currentTimeMillis() - epochMillis) / 1000.0;
    }
}

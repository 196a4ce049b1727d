package dev.taskbridge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.taskbridge.engine.plugins.TaskTypeRegistry;
import dev.taskbridge.engine.schedule.FiringTimes;
import dev.taskbridge.engine.schedule.ScheduleFirings;
import dev.taskbridge.engine.schedule.ScheduleDefinition;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.store.MissedFirings;
import dev.taskbridge.engine.store.Schedule;
import dev.taskbridge.plugin.Payload;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Schedules against restarts and faults: random sequences of schedules created (short intervals,
 * each policy for missed firings), waits, engine restarts after a while down, database outages,
 * a failure right between a firing's task and the move of its schedule's cursor, pauses and
 * resumes; then the store is read and every firing accounted for.
 *
 * <p>What must hold: each firing that fell due while its schedule was not paused made exactly one
 * task, or was recorded as skipped, never both and never neither; a firing is skipped only if an
 * engine started after it fell due (it was missed while none ran) and the schedule's policy is
 * not RUN_ALL; under SKIP every firing missed while no engine ran is skipped; under RUN_ONCE the
 * latest of those of one stretch makes a task and the others are skipped; nothing fires deep in
 * a pause (its resume records what it passed as skipped, "paused by"); a firing a resume passed (recorded as skipped, "paused by") was still waiting when a
 * pause came, whatever the policy.
 */
class ScheduleModelTest {

    private static final String TYPE = "model.scheduled";
    private static final EngineSettings SETTINGS = EngineSettings.DEFAULTS
            .withRetry(new RetrySettings(3, Duration.ofMillis(10), Duration.ofMillis(50)));
    /** Around a pause, a close or a start the outcome of a firing depends on which came first: either is right. */
    private static final Duration MARGIN = Duration.ofMillis(150);

    sealed interface Step {
    }

    record Create(int intervalMillis, MissedFirings policy) implements Step {
    }

    record Wait(int millis) implements Step {
    }

    /** The engine stops, stays down so long, and starts again. */
    record Restart(int downMillis) implements Step {
    }

    record Outage(int afterMillis, int millis) implements Step {
    }

    /** The next move of a schedule's cursor fails, as if the server died just after the firing's task was stored. */
    record FailBeforeCursorMoves(int outageMillis) implements Step {
    }

    record Pause(int pick) implements Step {
    }

    record Resume(int pick) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(4, Combinators.combine(Arbitraries.integers().between(80, 250), Arbitraries.of(MissedFirings.class))
                        .as(Create::new)),
                Tuple.of(8, Arbitraries.integers().between(20, 400).map(Wait::new)),
                Tuple.of(3, Arbitraries.integers().between(0, 700).map(Restart::new)),
                Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, 100), Arbitraries.integers().between(30, 400))
                        .as(Outage::new)),
                Tuple.of(2, Arbitraries.integers().between(20, 300).map(FailBeforeCursorMoves::new)),
                Tuple.of(2, Arbitraries.integers().between(0, 5).map(Pause::new)),
                Tuple.of(2, Arbitraries.integers().between(0, 5).map(Resume::new)));
        return step.list().ofMinSize(2).ofMaxSize(9);
    }

    /**
     * A pause: from when, until when (null while it lasts). Not certain when the call that made or
     * ended it failed: the database may have taken it or not.
     */
    private static final class PauseWindow {
        final Instant from;
        Instant until;
        boolean certain = true;

        PauseWindow(Instant from) {
            this.from = from;
        }
    }

    /** A schedule as the model knows it. */
    private static final class ModelSchedule {
        final Schedule stored;
        final List<PauseWindow> pauses = new ArrayList<>();

        ModelSchedule(Schedule stored) {
            this.stored = stored;
        }

        boolean paused() {
            return !pauses.isEmpty() && pauses.get(pauses.size() - 1).until == null;
        }
    }

    /** When an engine ran: from {@code started} until {@code stopped} (null while it runs). */
    private static final class Run {
        final Instant started;
        Instant stopped;

        Run(Instant started) {
            this.started = started;
        }
    }

    /** Everything a sequence works on. */
    private static final class World {
        final JdbcDataSource h2 = new JdbcDataSource();
        final FaultyDataSource database;
        final List<ModelSchedule> schedules = new ArrayList<>();
        final List<Run> runs = new ArrayList<>();
        TaskEngine engine;

        World() {
            h2.setURL("jdbc:h2:mem:schedule-model-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
            database = new FaultyDataSource(h2);
        }

        void start() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try {
                    engine = TaskEngine.start(SETTINGS, TaskTypeRegistry.of(List.of(new ScriptedTaskType(TYPE, 2))),
                            database, null, ScheduleModelTest.class.getClassLoader(), Clock.systemUTC(), null, TaskMetrics.NONE);
                    runs.add(new Run(engine.startedAt()));
                    return;
                } catch (EngineStartException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(Math.max(10, database.outageLeft().toMillis()));
                }
            }
        }

        void stop() {
            engine.close();
            runs.get(runs.size() - 1).stopped = Instant.now();
        }
    }

    @Property(tries = 25)
    void everyFiringMakesOneTaskOrIsSkippedAsItsPolicySaysAcrossRestartsAndFaults(@ForAll("sequences") List<Step> steps)
            throws Exception {
        World world = new World();
        List<String> log = new ArrayList<>();
        world.start();
        try {
            for (Step step : steps) {
                log.add(Instant.now() + " " + step + ": " + run(step, world));
            }
            world.database.heal();
            Instant end = Instant.now();
            awaitFiringsMadeUntil(world, end);
            for (ModelSchedule schedule : world.schedules) {
                if (!schedule.paused()) {
                    schedule.pauses.add(new PauseWindow(Instant.now()));
                    world.engine.schedules().pause(schedule.stored.id(), "model");
                }
            }
            world.stop();
            for (ModelSchedule schedule : world.schedules) {
                check(world, schedule, end); // every firing until then is made: awaited above
            }
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nsteps:\n  " + String.join("\n  ", log), e);
        } finally {
            world.database.heal();
            world.engine.close();
        }
    }

    /** The sequence CI found: the resume records the pause's firings as passed, which is not firing in it. */
    @Example
    void aLongPauseAcrossARestartFiresNothingAndItsResumeRecordsWhatItPassed() throws Exception {
        everyFiringMakesOneTaskOrIsSkippedAsItsPolicySaysAcrossRestartsAndFaults(List.of(new Create(80, MissedFirings.RUN_ONCE),
                new Pause(0), new Restart(699), new Resume(1)));
    }

    private static String run(Step step, World world) throws Exception {
        TaskEngine engine = world.engine;
        List<ModelSchedule> schedules = world.schedules;
        if (step instanceof Create create) {
            if (schedules.size() >= 3) {
                return "enough schedules";
            }
            try {
                Schedule stored = engine.schedules().create(new ScheduleDefinition("s" + schedules.size(), TYPE,
                        new Payload("text/plain", "chunks=1".getBytes(StandardCharsets.UTF_8)), null, null,
                        Duration.ofMillis(create.intervalMillis()), create.policy()), "model");
                schedules.add(new ModelSchedule(stored));
                return "created " + stored.id() + " from " + stored.anchorAt();
            } catch (RuntimeException e) {
                return "failed: " + e; // the database away: nothing stored
            }
        } else if (step instanceof Wait wait) {
            Thread.sleep(wait.millis());
            return "waited";
        } else if (step instanceof Restart restart) {
            world.stop();
            Thread.sleep(restart.downMillis());
            world.start();
            return "restarted at " + world.engine.startedAt();
        } else if (step instanceof Outage outage) {
            world.database.outage(Duration.ofMillis(outage.afterMillis()), Duration.ofMillis(outage.millis()));
            return "scheduled";
        } else if (step instanceof FailBeforeCursorMoves fail) {
            world.database.beforeStatement("UPDATE tb_schedule SET next_fire_at",
                    () -> world.database.outage(Duration.ZERO, Duration.ofMillis(fail.outageMillis())));
            return "armed";
        } else if (step instanceof Pause pause) {
            if (schedules.isEmpty()) {
                return "no schedule";
            }
            ModelSchedule schedule = schedules.get(pause.pick() % schedules.size());
            if (schedule.paused()) {
                return "paused already";
            }
            PauseWindow window = new PauseWindow(Instant.now());
            schedule.pauses.add(window);
            try {
                engine.schedules().pause(schedule.stored.id(), "model");
                return "paused " + schedule.stored.id();
            } catch (RuntimeException e) {
                window.certain = false; // the database may have taken it: the end's pause or a resume says
                return "failed: " + e;
            }
        } else if (step instanceof Resume resume) {
            if (schedules.isEmpty()) {
                return "no schedule";
            }
            ModelSchedule schedule = schedules.get(resume.pick() % schedules.size());
            if (!schedule.paused()) {
                return "not paused";
            }
            PauseWindow window = schedule.pauses.get(schedule.pauses.size() - 1);
            try {
                engine.schedules().resume(schedule.stored.id());
                window.until = Instant.now();
                return "resumed " + schedule.stored.id();
            } catch (RuntimeException e) {
                window.certain = false; // it may have been resumed: the window stays open, and not sure
                return "failed: " + e;
            }
        }
        throw new IllegalArgumentException("unknown step " + step);
    }

    /** Waits until every schedule that fires has moved its cursor past {@code end}: its firings until then are made. */
    private static void awaitFiringsMadeUntil(World world, Instant end) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            boolean behind = false;
            try (Connection connection = world.h2.getConnection();
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT COUNT(*) FROM tb_schedule WHERE paused_at IS NULL AND next_fire_at <= ?");) {
                select.setObject(1, OffsetDateTime.ofInstant(end, java.time.ZoneOffset.UTC));
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    behind = row.getLong(1) > 0;
                }
            }
            if (!behind) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the schedules did not catch up with " + end + " within 15 s");
    }

    private static void check(World world, ModelSchedule model, Instant until) throws Exception {
        Schedule schedule = model.stored;
        List<Run> runs = world.runs;
        Map<Instant, Integer> tasks = new HashMap<>();
        List<Skip> skips = new ArrayList<>();
        Instant cursor = null;
        try (Connection connection = world.h2.getConnection()) {
            try (PreparedStatement select = connection.prepareStatement("SELECT next_fire_at FROM tb_schedule WHERE id = ?")) {
                select.setString(1, schedule.id());
                try (ResultSet rows = select.executeQuery()) {
                    if (rows.next() && rows.getObject(1, OffsetDateTime.class) != null) {
                        cursor = rows.getObject(1, OffsetDateTime.class).toInstant();
                    }
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT idempotency_key FROM tb_task WHERE idempotency_key LIKE ?")) {
                select.setString(1, "schedule:" + schedule.id() + ":%");
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        String key = rows.getString(1);
                        tasks.merge(Instant.parse(key.substring(("schedule:" + schedule.id() + ":").length())), 1, Integer::sum);
                    }
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT fire_at, until_at, recorded_at, detail FROM tb_schedule_run WHERE schedule_id = ? AND outcome = 'SKIPPED'")) {
                select.setString(1, schedule.id());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        Instant from = rows.getObject(1, OffsetDateTime.class).toInstant();
                        OffsetDateTime to = rows.getObject(2, OffsetDateTime.class);
                        skips.add(new Skip(from, to == null ? from : to.toInstant(),
                                rows.getObject(3, OffsetDateTime.class).toInstant(),
                                rows.getString(4).startsWith(ScheduleFirings.PAUSED)));
                    }
                }
            }
        }
        Instant pendingFrom = cursor;
        String where = "schedule " + schedule.id() + " (" + schedule.missedFirings() + ", every " + schedule.interval()
                + " from " + schedule.anchorAt() + ")";
        FiringTimes times = FiringTimes.of(schedule);
        List<Instant> firings = new ArrayList<>();
        for (Instant at = times.nextAfter(schedule.anchorAt()).orElseThrow(); !at.isAfter(until); at = times.nextAfter(at).orElseThrow()) {
            firings.add(at);
        }
        assertThat(tasks.keySet()).as("%s: tasks only for its firings", where).allSatisfy(at -> assertThat(times.nextAfter(
                at.minusNanos(1))).contains(at));
        assertThat(tasks.values()).as("%s: one task per firing", where).allMatch(count -> count == 1);
        for (Instant at : firings) {
            boolean task = tasks.containsKey(at);
            Skip skip = skips.stream().filter(stretch -> stretch.holds(at)).findFirst().orElse(null);
            boolean skipped = skip != null;
            if (nearOrInPause(model, at)) {
                assertThat(task && skipped).as("%s: firing %s in a pause: a task or skipped, not both", where, at).isFalse();
                if (deepInPause(model, at)) {
                    // its resume records it as passed ("paused by"): that is not a firing
                    assertThat(task || skipped && !skip.byPause()).as("%s: nothing fires deep in a pause (%s), task %s, skip %s",
                            where, at, task, skip).isFalse();
                }
                continue;
            }
            if (!task && !skipped && model.paused() && pendingFrom != null && !at.isBefore(pendingFrom)) {
                // Paused before an engine got to it (an outage, a cursor move that failed): it is at
                // or after the cursor, unmade. RUN_ONCE makes a missed firing's task only once the
                // cursor is on it, so a pause right after a start can leave it so. Its resume will
                // record it as passed.
                continue;
            }
            assertThat(task ^ skipped).as("%s: firing %s made a task (%s) or was skipped (%s), exactly one", where, at, task,
                    skipped).isTrue();
            if (skipped && skip.byPause()) {
                // still waiting when a pause came: passed by its resume, which is when the skip was recorded
                assertThat(model.pauses).as("%s: %s was passed by a resume, so a pause came after it fell due", where, at)
                        .anyMatch(pause -> pause.from.isAfter(at) && !skip.recordedAt().isBefore(pause.from));
            } else if (skipped) {
                assertThat(schedule.missedFirings()).as("%s: RUN_ALL skips nothing (%s)", where, at).isNotEqualTo(MissedFirings.RUN_ALL);
                Instant skippedAt = skip.recordedAt();
                assertThat(runs).as("%s: %s was skipped, so an engine started after it fell due", where, at)
                        .anyMatch(run -> run.started.isAfter(at) && !run.started.isAfter(skippedAt));
            }
        }
        // each stretch while no engine ran: firings well inside it were missed
        for (int i = 1; i < runs.size(); i++) {
            Instant stopped = runs.get(i - 1).stopped;
            Instant started = runs.get(i).started;
            List<Instant> stretch = firings.stream().filter(at -> at.isAfter(stopped.plus(MARGIN)) && at.isBefore(started)).toList();
            // those a resume passed are accounted for above
            List<Instant> missed = stretch.stream().filter(at -> !nearOrInPause(model, at))
                    .filter(at -> skips.stream().noneMatch(skip -> skip.byPause() && skip.holds(at))).toList();
            if (missed.isEmpty()) {
                continue;
            }
            switch (schedule.missedFirings()) {
                case SKIP -> assertThat(missed).as("%s: missed between %s and %s, all skipped", where, stopped, started)
                        .allSatisfy(at -> assertThat(tasks).doesNotContainKey(at));
                case RUN_ONCE -> {
                    Instant latest = stretch.get(stretch.size() - 1);
                    // An engine that stopped again before it caught up (up for a few milliseconds, or
                    // while the database failed) leaves this stretch to the next one, whose one run
                    // covers both: its skip of this latest firing, recorded after that engine had
                    // stopped, shows so. Seen in CI: up 33 ms between two restarts, under a fault.
                    Instant nextStopped = runs.get(i).stopped;
                    boolean leftToALaterEngine = nextStopped != null && skips.stream().anyMatch(skip ->
                            skip.holds(latest) && skip.recordedAt().isAfter(nextStopped));
                    boolean pending = model.paused() && pendingFrom != null && !latest.isBefore(pendingFrom);
                    if (missed.contains(latest) && !leftToALaterEngine && !pending) {
                        assertThat(tasks).as("%s: the latest firing missed between %s and %s ran", where, stopped, started)
                                .containsKey(latest);
                    }
                    assertThat(missed).as("%s: the others were skipped", where).filteredOn(at -> !at.equals(latest))
                            .allSatisfy(at -> assertThat(tasks).doesNotContainKey(at));
                }
                case RUN_ALL -> assertThat(missed).as("%s: missed between %s and %s, all ran", where, stopped, started)
                        .allSatisfy(at -> assertThat(tasks).containsKey(at));
            }
        }
    }

    /** A skipped stretch: first firing, last firing, when recorded, and whether a resume passed it. */
    private record Skip(Instant from, Instant until, Instant recordedAt, boolean byPause) {
        boolean holds(Instant at) {
            return !at.isBefore(from) && !at.isAfter(until);
        }
    }

    /** In a pause, or near enough to one (or in one that may not have been taken) that either outcome is right. */
    private static boolean nearOrInPause(ModelSchedule model, Instant at) {
        return model.pauses.stream().anyMatch(pause -> !at.isBefore(pause.from.minus(MARGIN))
                && (pause.until == null || at.isBefore(pause.until.plus(MARGIN))));
    }

    /** Well inside a pause that certainly held. */
    private static boolean deepInPause(ModelSchedule model, Instant at) {
        return model.pauses.stream().anyMatch(pause -> pause.certain && at.isAfter(pause.from.plus(MARGIN))
                && (pause.until == null || at.isBefore(pause.until.minus(MARGIN))));
    }
}

package dev.taskbridge.bench.peers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.taskbridge.bench.EngineLikeActorSystems;
import dev.taskbridge.engine.EngineSettings;
import dev.taskbridge.engine.JsonSerializable;
import dev.taskbridge.engine.journal.Dialect;
import dev.taskbridge.engine.store.TaskStore;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One event-sourced actor per task on Pekko: the first design of the field report Taskbridge
 * started from, and what a team that knows Pekko would write first. A task is an
 * {@code EventSourcedBehavior} of its own ({@code PeerTask|<id>}): it journals {@code Submitted}
 * before its submitter is answered, runs its body on a pool of as many threads as every peer's
 * workers, journals {@code Completed}, and stops. The journal is Pekko's JDBC journal set up exactly
 * as Taskbridge's ({@link EngineLikeActorSystems}: the same configuration, DataSource provider,
 * Jackson serializer and journal threads), so the journal is not what differs: the design is.
 *
 * <p>At start after a crash (W3), the task actors are found as the JDBC read journal's
 * {@code currentPersistenceIds} finds them, by the persistence ids in the journal table, and each
 * is started and left to recover: one whose last event is {@code Submitted} runs its body again.
 * A body's effect and the task's {@code Completed} are two writes, so a kill between them runs the
 * body twice: the design is at least once, as the peers without a shared transaction are.
 *
 * <p>Per-key order: actors of different tasks run independently; W5 chains, each step's body
 * submitting the next, as for db-scheduler and JobRunr.
 */
final class ActorPerTaskPeer implements Peer {

    static final String PERSISTENCE_TYPE = "PeerTask";
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RUN_AGAIN_AFTER = Duration.ofSeconds(1);
    private static final Duration PERSIST_BACKOFF_MIN = Duration.ofMillis(200);
    private static final Duration PERSIST_BACKOFF_MAX = Duration.ofSeconds(5);

    /** Ids of tasks journaled as submitted and not yet as completed: a set, as an actor restarted after a failed write recovers and counts again. */
    private final Set<String> unfinished = ConcurrentHashMap.newKeySet();
    private ActorSystem<Tasks.Command> system;
    private ExecutorService bodies;
    private int workers;

    @Override
    public String name() {
        return "pekko-actor-per-task";
    }

    @Override
    public String library() {
        return "Apache Pekko persistence-typed " + Versions.of("org.apache.pekko", "pekko-persistence-typed_2.13")
                + " with pekko-persistence-jdbc " + Versions.of("org.apache.pekko", "pekko-persistence-jdbc_2.13")
                + " (an actor per task, written for this harness)";
    }

    @Override
    public List<String> settings() {
        return List.of(
                "one `EventSourcedBehavior` per task, a child of one guardian actor that spawns it on submission: "
                        + "`Submitted` journaled before the submitter is answered, the body run on a fixed pool of "
                        + workers + " threads (the common worker count), `Completed` journaled after it, then the "
                        + "actor stops",
                "Pekko's JDBC journal on the harness's pool, configured as Taskbridge's own (its "
                        + "`taskbridge-pekko.conf`, `JournalDatabase` provider, Jackson serializer, "
                        + EngineSettings.DEFAULTS.journalThreads() + " journal threads), so that the journal's setup "
                        + "is not what differs",
                "W3: at start, every persistence id of the journal table is started (what the JDBC read journal's "
                        + "`currentPersistenceIds` reads) and recovers, before the peer counts as started; an "
                        + "unfinished one runs its body again",
                "a body that throws runs again after " + RUN_AGAIN_AFTER.toSeconds() + " s",
                "`onPersistFailure(SupervisorStrategy.restartWithBackoff(" + PERSIST_BACKOFF_MIN.toMillis() + " ms, "
                        + PERSIST_BACKOFF_MAX.toSeconds() + " s, 0.2))`, as Pekko's persistence documentation recommends: "
                        + "an actor whose write failed (the JDBC journal refuses writes beyond its buffer of 1,000, which "
                        + "a burst of ends fills: W4 releases 10,000 held bodies at once) recovers from its journal and "
                        + "carries on, running a body whose end was not journaled again");
    }

    @Override
    public String orderingNote() {
        return "actors of different tasks run independently, with no per-key order: each step's body submits the "
                + "next step of its key (a chain)";
    }

    @Override
    public Ordering ordering() {
        return Ordering.CHAINED;
    }

    @Override
    public void start(PeerSetup setup) throws Exception {
        workers = setup.workers();
        Dialect dialect = Dialect.of(setup.dataSource());
        if (!setup.resuming()) {
            // the journal's tables, as the engine creates them (its task tables come along, unused)
            new TaskStore(setup.dataSource(), Clock.systemUTC()).createSchema(dialect);
        }
        bodies = Executors.newFixedThreadPool(workers, runnable -> {
            Thread thread = new Thread(runnable);
            thread.setName("actor-per-task-body-" + thread.getId());
            thread.setDaemon(true);
            return thread;
        });
        system = ActorSystem.create(Tasks.create(unfinished, bodies), "peers-actor-per-task",
                EngineLikeActorSystems.setup(setup.dataSource(), dialect, EngineSettings.DEFAULTS,
                        ActorPerTaskPeer.class.getClassLoader()));
        if (setup.resuming()) {
            List<String> ids = persistenceIds(setup);
            List<CompletableFuture<Done>> recovered = new ArrayList<>();
            for (String id : ids) {
                recovered.add(ask(replyTo -> new Tasks.Resume(id, replyTo)));
            }
            for (CompletableFuture<Done> each : recovered) {
                each.get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private static List<String> persistenceIds(PeerSetup setup) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection connection = setup.dataSource().getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT DISTINCT persistence_id FROM event_journal WHERE persistence_id LIKE ?")) {
            select.setString(1, PERSISTENCE_TYPE + "|%");
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1).substring(PERSISTENCE_TYPE.length() + 1));
                }
            }
        }
        return ids;
    }

    @Override
    public void submit(TaskRef task, boolean ordered) throws Exception {
        ask(replyTo -> new Tasks.Submit(task.id(), task.encode(), replyTo)).get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<Done> ask(org.apache.pekko.japi.function.Function<ActorRef<Done>, Tasks.Command> message) {
        return AskPattern.ask(system, message, ASK_TIMEOUT, system.scheduler()).toCompletableFuture();
    }

    /** Tasks journaled as submitted and not yet as completed, as the actors count them. */
    @Override
    public long unfinished() {
        return unfinished.size();
    }

    @Override
    public void close() {
        if (system != null) {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the harness is ending this JVM anyway
            }
        }
        if (bodies != null) {
            bodies.shutdownNow();
        }
    }

    /** The guardian: spawns each task's actor by its id and passes it the command. */
    static final class Tasks {

        sealed interface Command {
        }

        record Submit(String taskId, String ref, ActorRef<Done> replyTo) implements Command {
        }

        /** Start a task's actor after a restart; answered once it has recovered. */
        record Resume(String taskId, ActorRef<Done> replyTo) implements Command {
        }

        private Tasks() {
        }

        static Behavior<Command> create(Set<String> unfinished, ExecutorService bodies) {
            return Behaviors.receive((context, command) -> {
                if (command instanceof Submit submit) {
                    task(context, submit.taskId(), unfinished, bodies).tell(new TaskActor.Submit(submit.ref(), submit.replyTo()));
                } else if (command instanceof Resume resume) {
                    task(context, resume.taskId(), unfinished, bodies).tell(new TaskActor.Recovered(resume.replyTo()));
                }
                return Behaviors.same();
            });
        }

        @SuppressWarnings("unchecked")
        private static ActorRef<TaskActor.Command> task(ActorContext<Command> context, String taskId, Set<String> unfinished,
                                                        ExecutorService bodies) {
            String name = "task-" + taskId;
            return context.getChild(name)
                    .map(child -> (ActorRef<TaskActor.Command>) (ActorRef<?>) child) // children are task actors only
                    .orElseGet(() -> context.spawn(TaskActor.create(taskId, unfinished, bodies), name));
        }
    }

    /** One task: {@code Submitted}, its body, {@code Completed}, stop. */
    static final class TaskActor extends EventSourcedBehavior<TaskActor.Command, TaskActor.Event, TaskActor.State> {

        sealed interface Command {
        }

        record Submit(String ref, ActorRef<Done> replyTo) implements Command {
        }

        /** Answered once the actor has recovered (commands wait until then). */
        record Recovered(ActorRef<Done> replyTo) implements Command {
        }

        private record BodyEnded(Throwable failure) implements Command {
        }

        private record RunAgain() implements Command {
        }

        private record Stop() implements Command {
        }

        sealed interface Event extends JsonSerializable {
        }

        public record Submitted(String ref) implements Event {
        }

        public record Completed(String ref) implements Event {
        }

        /** The task reference once submitted; done once completed. */
        record State(String ref, boolean done) {

            static final State EMPTY = new State(null, false);

            boolean running() {
                return ref != null && !done;
            }
        }

        private final String taskId;
        private final ActorContext<Command> context;
        private final Set<String> unfinished;
        private final ExecutorService bodies;

        private TaskActor(String taskId, ActorContext<Command> context, Set<String> unfinished, ExecutorService bodies) {
            super(PersistenceId.of(PERSISTENCE_TYPE, taskId),
                    SupervisorStrategy.restartWithBackoff(PERSIST_BACKOFF_MIN, PERSIST_BACKOFF_MAX, 0.2));
            this.taskId = taskId;
            this.context = context;
            this.unfinished = unfinished;
            this.bodies = bodies;
        }

        static Behavior<Command> create(String taskId, Set<String> unfinished, ExecutorService bodies) {
            return Behaviors.setup(context -> new TaskActor(taskId, context, unfinished, bodies));
        }

        @Override
        public State emptyState() {
            return State.EMPTY;
        }

        @Override
        public CommandHandler<Command, Event, State> commandHandler() {
            return newCommandHandlerBuilder()
                    .forAnyState()
                    .onCommand(Submit.class, (state, submit) -> state.ref() != null
                            ? Effect().none().thenReply(submit.replyTo(), s -> Done.getInstance()) // a repeat
                            : Effect().persist(new Submitted(submit.ref()))
                                    .thenRun(s -> {
                                        unfinished.add(taskId);
                                        runBody(s.ref());
                                    })
                                    .thenReply(submit.replyTo(), s -> Done.getInstance()))
                    .onCommand(Recovered.class, (state, recovered) -> Effect().none()
                            .thenReply(recovered.replyTo(), s -> Done.getInstance()))
                    .onCommand(BodyEnded.class, (state, ended) -> {
                        if (ended.failure() != null) {
                            context.getLog().warn("body of {} failed; it runs again", state.ref(), ended.failure());
                            context.scheduleOnce(RUN_AGAIN_AFTER, context.getSelf(), new RunAgain());
                            return Effect().none();
                        }
                        return Effect().persist(new Completed(state.ref()))
                                .thenRun(s -> unfinished.remove(taskId))
                                .thenStop();
                    })
                    .onCommand(RunAgain.class, (state, again) -> Effect().none().thenRun(s -> runBody(s.ref())))
                    .onCommand(Stop.class, (state, stop) -> Effect().stop())
                    .build();
        }

        @Override
        public SignalHandler<State> signalHandler() {
            return newSignalHandlerBuilder()
                    .onSignal(RecoveryCompleted.instance(), state -> {
                        if (state.running()) { // submitted before a crash (or a failed write) and not completed: run it again
                            unfinished.add(taskId);
                            runBody(state.ref());
                        } else if (state.done()) {
                            context.getSelf().tell(new Stop());
                        }
                    })
                    .build();
        }

        private void runBody(String ref) {
            CompletableFuture<Void> body = CompletableFuture.runAsync(() -> Round.ran(TaskRef.decode(ref)), bodies);
            context.pipeToSelf(body, (ignored, failure) -> new BodyEnded(failure));
        }

        @Override
        public EventHandler<State, Event> eventHandler() {
            return newEventHandlerBuilder()
                    .forAnyState()
                    .onEvent(Submitted.class, (state, submitted) -> new State(submitted.ref(), false))
                    .onEvent(Completed.class, (state, completed) -> new State(state.ref(), true))
                    .build();
        }
    }
}

package dev.taskbridge.bench;

import java.util.concurrent.CountDownLatch;

import dev.taskbridge.engine.JsonSerializable;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The most trivial event-sourced actor: it persists one small event after another, as fast as
 * the journal confirms them, and nothing else. Its events are the size of a slot's
 * {@code TaskAccepted} (one task id) and go through the same Jackson serializer.
 *
 * <p>Each write starts the next one from the persist callback, one at a time, just as a slot
 * persists its events one at a time; nothing is stashed, so any number of events can be asked for.
 */
final class JournalWriter extends EventSourcedBehavior<JournalWriter.Command, JournalWriter.Written, Long> {

    static final String PERSISTENCE_TYPE = "BenchWriter";

    sealed interface Command {
    }

    /** Counts down once the writer has recovered, so that recovery is not timed. */
    record Ready(CountDownLatch latch) implements Command {
    }

    /** Persist {@code count} events one after another, then count down. */
    record Write(int count, String taskId, CountDownLatch done) implements Command {
    }

    record Stop() implements Command {
    }

    /** The journaled event. */
    public record Written(String taskId) implements JsonSerializable {
    }

    private final ActorContext<Command> context;

    private JournalWriter(String key, ActorContext<Command> context) {
        super(PersistenceId.of(PERSISTENCE_TYPE, key));
        this.context = context;
    }

    static Behavior<Command> create(String key) {
        return Behaviors.setup(context -> new JournalWriter(key, context));
    }

    @Override
    public Long emptyState() {
        return 0L;
    }

    @Override
    public CommandHandler<Command, Written, Long> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(Ready.class, (state, ready) -> Effect().none().thenRun(s -> ready.latch().countDown()))
                .onCommand(Write.class, (state, write) -> Effect().persist(new Written(write.taskId()))
                        .thenRun(s -> {
                            if (write.count() > 1) {
                                context.getSelf().tell(new Write(write.count() - 1, write.taskId(), write.done()));
                            } else {
                                write.done().countDown();
                            }
                        }))
                .onCommand(Stop.class, (state, stop) -> Effect().stop())
                .build();
    }

    @Override
    public EventHandler<Long, Written> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(Written.class, (count, event) -> count + 1)
                .build();
    }
}

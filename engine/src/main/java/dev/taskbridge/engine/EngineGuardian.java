package dev.taskbridge.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The actor system's guardian: spawns every slot of every task type when the engine starts, so
 * that slots with unfinished work recover and resume without waiting for a message, and reports
 * which slot actors are alive.
 */
final class EngineGuardian extends AbstractBehavior<EngineGuardian.Command> {

    private static final String SLOT_PREFIX = "slot-";

    sealed interface Command {
    }

    /** Counts live slot actors per task type. */
    record CountLiveSlots(ActorRef<LiveSlots> replyTo) implements Command {
    }

    record LiveSlots(Map<String, Integer> perTaskType) {
    }

    /** Spec of what to spawn: each slot and its behavior. */
    interface SlotSpawner {
        Map<SlotId, Behavior<Slot.Command>> slots(ActorSystem<?> system);
    }

    static Behavior<Command> create(SlotSpawner spawner, CompletableFuture<Map<SlotId, ActorRef<Slot.Command>>> spawned) {
        return Behaviors.setup(context -> {
            Map<SlotId, ActorRef<Slot.Command>> refs = new HashMap<>();
            spawner.slots(context.getSystem()).forEach((slot, behavior) ->
                    refs.put(slot, context.spawn(behavior, SLOT_PREFIX + slot.key())));
            spawned.complete(Map.copyOf(refs));
            return new EngineGuardian(context);
        });
    }

    private EngineGuardian(ActorContext<Command> context) {
        super(context);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(CountLiveSlots.class, this::onCountLiveSlots)
                .build();
    }

    private Behavior<Command> onCountLiveSlots(CountLiveSlots count) {
        Map<String, Integer> perType = new TreeMap<>();
        for (ActorRef<Void> child : getContext().getChildren()) {
            String name = child.path().name();
            if (name.startsWith(SLOT_PREFIX)) {
                String type = name.substring(SLOT_PREFIX.length(), name.lastIndexOf('-'));
                perType.merge(type, 1, Integer::sum);
            }
        }
        count.replyTo().tell(new LiveSlots(perType));
        return this;
    }
}

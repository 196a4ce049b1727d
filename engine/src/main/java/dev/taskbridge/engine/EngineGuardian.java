package dev.taskbridge.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import dev.taskbridge.engine.routing.LocalSlots;
import dev.taskbridge.engine.routing.ShardedSlots;
import dev.taskbridge.engine.routing.SlotAddressing;
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
 * which slot actors are alive. On a node of a cluster it starts the slots' sharding instead
 * (design note 036), and the slots are not its children.
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

    /** Makes, once per actor system, what makes a slot's behavior. */
    interface SlotFactory {
        Function<SlotId, Behavior<Slot.Command>> slots(ActorSystem<?> system);
    }

    /**
     * @param slotIds  every slot, spawned here when the engine runs alone
     * @param cluster  on a node of a cluster, the slots are sharded entities instead, placed by their types' roles
     * @param started  completed with how the engine reaches its slots
     */
    static Behavior<Command> create(SlotFactory factory, Set<SlotId> slotIds, ClusterSettings cluster,
                                    CompletableFuture<SlotAddressing> started) {
        return Behaviors.setup(context -> {
            Function<SlotId, Behavior<Slot.Command>> slot = factory.slots(context.getSystem());
            if (cluster.enabled()) {
                started.complete(new ShardedSlots(context.getSystem(), slot, cluster.typeRoles()));
            } else {
                Map<SlotId, ActorRef<Slot.Command>> refs = new HashMap<>();
                slotIds.forEach(id -> refs.put(id, context.spawn(slot.apply(id), SLOT_PREFIX + id.key())));
                started.complete(new LocalSlots(refs, context.getSystem().scheduler()));
            }
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

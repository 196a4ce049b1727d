package dev.taskbridge.engine.routing;

import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import dev.taskbridge.engine.ClusterSettings;
import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slots as sharded entities of a Pekko cluster (design note 036): each runs on one node at a time,
 * wherever sharding places its shard, and moves when nodes join, leave or die. Remembered
 * entities (configured in {@code taskbridge-cluster.conf}) start a slot again on its new node by
 * themselves, so its unfinished tasks resume without waiting for a message.
 *
 * <p>A slot's entity id is its {@link SlotId#key()}, which is also its persistence id's suffix: a
 * slot keeps its journal whether it runs alone or in a cluster, and on whichever node.
 */
public final class ShardedSlots implements SlotAddressing {

    /**
     * The entity type of the slots of every task type that is not placed on a role: placed on
     * {@link ClusterSettings#UNPLACED_TYPES_ROLE}, which every node but a worker has.
     */
    public static final EntityTypeKey<Slot.Command> SLOTS = EntityTypeKey.create(Slot.Command.class, "slot");

    private static final Logger LOG = LoggerFactory.getLogger(ShardedSlots.class);

    private final ClusterSharding sharding;
    /** Task type to the role its slots are placed on; a type not here runs on any node but a worker. */
    private final Map<String, String> typeRoles;

    /**
     * Starts this node's part of the slots' sharding; {@code slot} makes a slot's behavior on this
     * node. The slots of a type placed on a role are entities of a type of their own, which
     * sharding places only on nodes with that role (a node without it reaches them through a
     * proxy), its coordinator among those nodes too: Pekko 1.7.0 cannot run a coordinator on
     * another role than its shards' (apache/pekko#2918 came after it).
     *
     * @param typeRoles task type to the role its slots run on; a type not listed runs on any node
     *                  but a worker
     */
    public ShardedSlots(ActorSystem<?> system, Function<SlotId, Behavior<Slot.Command>> slot, Map<String, String> typeRoles) {
        this.sharding = ClusterSharding.get(system);
        this.typeRoles = Map.copyOf(typeRoles);
        init(SLOTS, ClusterSettings.UNPLACED_TYPES_ROLE, slot);
        for (String role : new TreeSet<>(typeRoles.values())) {
            init(entityType(role), role, slot);
        }
    }

    /** The entity type of the slots placed on {@code role}: a name of its own, so that its remembered slots are its own. */
    static EntityTypeKey<Slot.Command> entityType(String role) {
        return EntityTypeKey.create(Slot.Command.class, "slot@" + role);
    }

    private void init(EntityTypeKey<Slot.Command> key, String role, Function<SlotId, Behavior<Slot.Command>> slot) {
        // a slot whose shard moves lets its steps under way end first, so no chunk runs on two nodes at once
        Entity<Slot.Command, ShardingEnvelope<Slot.Command>> entity = Entity.of(key, context -> {
            SlotId id = SlotId.ofKey(context.getEntityId());
            if (!key.equals(keyOf(id))) {
                // remembered under another placement (its type's role changed since): forgotten there, never run
                // there, so that it runs only where its type is placed now
                LOG.info("Slot {} was remembered among the slots of {}; its type is placed on {} now, so it is forgotten there",
                        id.key(), key.name(), keyOf(id).name());
                return Behaviors.<Slot.Command>setup(forgotten -> {
                    context.getShard().tell(new ClusterSharding.Passivate<>(forgotten.getSelf()));
                    return Behaviors.receiveMessage(message -> message instanceof Slot.HandOff ? Behaviors.stopped() : Behaviors.same());
                });
            }
            return slot.apply(id);
        }).withStopMessage(Slot.HandOff.INSTANCE);
        sharding.init(entity.withRole(role));
    }

    private EntityTypeKey<Slot.Command> keyOf(SlotId slot) {
        String role = typeRoles.get(slot.taskType());
        return role == null ? SLOTS : entityType(role);
    }

    @Override
    public void tell(SlotId slot, Slot.Command command) {
        sharding.entityRefFor(keyOf(slot), slot.key()).tell(command);
    }

    @Override
    public <R> CompletionStage<R> ask(SlotId slot, Function<ActorRef<R>, Slot.Command> command, Duration timeout) {
        return sharding.entityRefFor(keyOf(slot), slot.key()).ask(command::apply, timeout);
    }
}

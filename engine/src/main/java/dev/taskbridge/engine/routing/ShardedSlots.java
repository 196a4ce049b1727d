package dev.taskbridge.engine.routing;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

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

    public static final EntityTypeKey<Slot.Command> SLOTS = EntityTypeKey.create(Slot.Command.class, "slot");

    private final ClusterSharding sharding;
    private final Scheduler scheduler;

    /** Starts this node's part of the slots' sharding; {@code slot} makes a slot's behavior on this node. */
    public ShardedSlots(ActorSystem<?> system, Function<SlotId, Behavior<Slot.Command>> slot) {
        this.sharding = ClusterSharding.get(system);
        this.scheduler = system.scheduler();
        // a slot whose shard moves lets its steps under way end first, so no chunk runs on two nodes at once
        sharding.init(Entity.of(SLOTS, context -> slot.apply(SlotId.ofKey(context.getEntityId())))
                .withStopMessage(Slot.HandOff.INSTANCE));
    }

    /**
     * How many slots run on each node, by node address, as each node's shard region answers; a
     * node that does not answer within {@code timeout} is left out.
     */
    public CompletionStage<Map<String, Integer>> slotsPerNode(Duration timeout) {
        return AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(sharding.shardState(),
                replyTo -> new GetClusterShardingStats(SLOTS, timeout, replyTo), timeout.plus(timeout), scheduler)
                .thenApply(stats -> {
                    Map<String, Integer> perNode = new TreeMap<>();
                    stats.getRegions().forEach((address, region) -> perNode.put(address.toString(),
                            region.getStats().values().stream().mapToInt(count -> ((Number) count).intValue()).sum()));
                    return perNode;
                });
    }

    @Override
    public void tell(SlotId slot, Slot.Command command) {
        sharding.entityRefFor(SLOTS, slot.key()).tell(command);
    }

    @Override
    public <R> CompletionStage<R> ask(SlotId slot, Function<ActorRef<R>, Slot.Command> command, Duration timeout) {
        return sharding.entityRefFor(SLOTS, slot.key()).ask(command::apply, timeout);
    }
}

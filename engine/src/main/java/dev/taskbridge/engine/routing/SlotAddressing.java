package dev.taskbridge.engine.routing;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * How the engine reaches a slot. The local implementation keeps one actor per slot in this JVM;
 * a cluster implementation sends through sharding. Nothing else in the engine knows which.
 */
public interface SlotAddressing {

    /** Delivers a command to the slot; messages to one slot from one sender stay in order. */
    void tell(SlotId slot, Slot.Command command);

    /** Sends a command made with a reply address and completes with the reply, or fails after the timeout. */
    <R> CompletionStage<R> ask(SlotId slot, Function<ActorRef<R>, Slot.Command> command, Duration timeout);
}

package dev.taskbridge.engine.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** Slots as actors in this JVM, one per slot id, spawned when the engine starts. */
public final class LocalSlots implements SlotAddressing {

    private final Map<SlotId, ActorRef<Slot.Command>> slots;
    private final Scheduler scheduler;

    public LocalSlots(Map<SlotId, ActorRef<Slot.Command>> slots, Scheduler scheduler) {
        this.slots = Map.copyOf(slots);
        this.scheduler = scheduler;
    }

    @Override
    public void tell(SlotId slot, Slot.Command command) {
        ref(slot).tell(command);
    }

    @Override
    public <R> CompletionStage<R> ask(SlotId slot, Function<ActorRef<R>, Slot.Command> command, Duration timeout) {
        return AskPattern.ask(ref(slot), command::apply, timeout, scheduler);
    }

    private ActorRef<Slot.Command> ref(SlotId slot) {
        ActorRef<Slot.Command> ref = slots.get(slot);
        if (ref == null) {
            throw new IllegalArgumentException("no slot " + slot);
        }
        return ref;
    }
}

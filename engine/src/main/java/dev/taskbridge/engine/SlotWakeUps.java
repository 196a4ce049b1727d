package dev.taskbridge.engine;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import dev.taskbridge.engine.routing.SlotAddressing;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * Hands every slot an empty hand-over every {@link #EVERY}, so that nothing a slot was sent waits
 * in its stash for another command that may never come.
 *
 * <p>Why it is needed: while a slot recovers, Pekko's typed persistence (1.7.0, and its main
 * branch as read on 2026-12-03) stashes everything that reaches it, including the journal's and
 * the snapshot store's late answers to what the slot asked before its restart (event deletions
 * after a snapshot, the write a failing incarnation left in flight). Once running, it takes one
 * stashed message after each message it handles; but handling such a late answer
 * ({@code Running.HandlingCommands}: {@code case JournalResponse(r) => onDeleteEventsJournalResponse})
 * does not take the next one. Whatever waits behind it (the slot's own step result, a hand-over)
 * then waits until some other command reaches the slot: with no submission, cancel or query for
 * that slot, its task stayed QUEUED or RUNNING for good. A single failed journal write shortly
 * after a snapshot was enough ({@code TaskEngineTest}, {@code EngineModelTest} found it).
 *
 * <p>Every command the slot handles moves its stash on by at least one message, and an empty
 * hand-over changes nothing else: the slot acknowledges it at once, writing nothing. Four messages
 * a second per slot cost nothing measurable, but the slot's message timer
 * ({@code taskbridge_slot_message_seconds}) counts them. A constant, not a setting: it only bounds
 * how long a stuck stash waits (about {@link #EVERY} per late answer ahead of a slot's command).
 */
final class SlotWakeUps {

    /** A slot stuck behind such a late answer moves on within about this long per answer ahead of it. */
    static final Duration EVERY = Duration.ofMillis(250);

    private SlotWakeUps() {
    }

    /** Starts the wake-ups; they stop with the actor system's scheduler, or when {@code running} says no. */
    /** @param here which slots to wake: those that run on this node */
    static Cancellable start(SlotAddressing slots, Set<SlotId> slotIds, Predicate<SlotId> here, ActorRef<Slot.Accepted> nobody,
                             Scheduler scheduler, ExecutionContext executor, BooleanSupplier running) {
        List<SlotId> all = List.copyOf(slotIds);
        return scheduler.scheduleWithFixedDelay(EVERY, EVERY, () -> {
            if (running.getAsBoolean()) {
                for (SlotId slot : all) {
                    if (here.test(slot)) {
                        slots.tell(slot, new Slot.Accept(List.of(), nobody));
                    }
                }
            }
        }, executor);
    }
}

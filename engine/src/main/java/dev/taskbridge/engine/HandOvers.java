package dev.taskbridge.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import dev.taskbridge.engine.routing.SlotAddressing;
import dev.taskbridge.engine.routing.SlotId;
import dev.taskbridge.engine.slot.RetrySettings;
import dev.taskbridge.engine.slot.Slot;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Hands stored tasks to their slots, in batches: while a slot journals one hand-over, the tasks
 * routed to it meanwhile gather and go in the next, as one {@link Slot.Accept} and one journal
 * write. Each slot's tasks go in the order they were handed over.
 *
 * <p>A hand-over is repeated, with backoff, until the slot acknowledges that it journaled it: a
 * slot that was restarting, or failed before journaling, never leaves an accepted task waiting for
 * the next server start. Repeating is safe: a slot that holds a task acknowledges it again without
 * queueing it twice.
 */
final class HandOvers {

    private static final Logger LOG = LoggerFactory.getLogger(HandOvers.class);

    /** Tasks in one hand-over at most: one journal event of some tens of kilobytes. */
    static final int MAX_BATCH = 1000;

    private final SlotAddressing slots;
    private final Duration askTimeout;
    private final RetrySettings retry;
    private final Scheduler scheduler;
    private final ExecutionContextExecutor executor;
    private final BooleanSupplier running;
    private final Map<SlotId, Inbox> inboxes = new ConcurrentHashMap<>();

    HandOvers(SlotAddressing slots, Duration askTimeout, RetrySettings retry, Scheduler scheduler,
              ExecutionContextExecutor executor, BooleanSupplier running) {
        this.slots = slots;
        this.askTimeout = askTimeout;
        this.retry = retry;
        this.scheduler = scheduler;
        this.executor = executor;
        this.running = running;
    }

    /** What waits for one slot, and whether a hand-over to it is on its way. Guarded by itself. */
    private static final class Inbox {
        final ArrayDeque<Slot.QueuedTask> waiting = new ArrayDeque<>();
        boolean sending;
        int failedTries;
    }

    /**
     * Tasks routed to the slot that wait for the hand-over on its way to be acknowledged. Those
     * on their way are not counted: the slot counts them in its queue as soon as it takes them,
     * before it acknowledges, and counting them here too would count them twice.
     */
    int waiting(SlotId slot) {
        Inbox inbox = inboxes.get(slot);
        if (inbox == null) {
            return 0;
        }
        synchronized (inbox) {
            return inbox.waiting.size();
        }
    }

    void handOver(SlotId slot, String taskId, int generation, int priority, String orderKey) {
        Inbox inbox = inboxes.computeIfAbsent(slot, any -> new Inbox());
        synchronized (inbox) {
            inbox.waiting.add(new Slot.QueuedTask(taskId, generation, priority, orderKey));
        }
        send(slot, inbox);
    }

    private void send(SlotId slot, Inbox inbox) {
        List<Slot.QueuedTask> batch;
        synchronized (inbox) {
            if (inbox.sending || inbox.waiting.isEmpty() || !running.getAsBoolean()) {
                return; // a stopped engine hands every unfinished task over again at its next start
            }
            inbox.sending = true;
            batch = new ArrayList<>(Math.min(inbox.waiting.size(), MAX_BATCH));
            while (!inbox.waiting.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(inbox.waiting.poll());
            }
        }
        CompletionStage<Slot.Accepted> acknowledged;
        try {
            acknowledged = slots.ask(slot, replyTo -> new Slot.Accept(batch, replyTo), askTimeout);
        } catch (RuntimeException e) {
            acknowledged = CompletableFuture.failedFuture(e); // handled as any failed hand-over
        }
        // On the actor system's threads: the stage Pekko's ask returns runs even a plain
        // whenComplete on the JDK's default executor, which on two cores starts a thread per call.
        acknowledged.whenCompleteAsync((accepted, failure) -> {
            if (failure == null) {
                synchronized (inbox) {
                    inbox.sending = false;
                    inbox.failedTries = 0;
                }
                send(slot, inbox);
                return;
            }
            Duration wait;
            synchronized (inbox) {
                for (int i = batch.size() - 1; i >= 0; i--) {
                    inbox.waiting.addFirst(batch.get(i)); // they keep their place ahead of later ones
                }
                inbox.failedTries++;
                wait = retry.backoff(inbox.failedTries);
            }
            if (running.getAsBoolean()) {
                LOG.warn("Slot {} did not acknowledge {} task(s) (try {}: {}); handing them over again in {} ms",
                        slot, batch.size(), inbox.failedTries, failure.toString(), wait.toMillis());
            }
            scheduler.scheduleOnce(wait, () -> {
                synchronized (inbox) {
                    inbox.sending = false;
                }
                send(slot, inbox);
            }, executor);
        }, executor);
    }
}

package dev.taskbridge.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The steps of task runs that are under way (reading and starting a task, its chunks, storing its
 * end), so that a stopping engine can let them end before it stops: it starts no new step, and
 * waits for each that is under way to finish (drain). A chunk is all or nothing either way; waiting
 * means the stop does not take its threads, its connection or the container's transaction away
 * from under it, plugin code does not run on a stopped engine's threads, and a chunk that was
 * nearly done is not run again at the next start.
 *
 * <p>A step counts from the moment the slot asks for it, also while it waits for a blocking thread
 * or for its group of chunks: a stop waits for those too, as they were accepted before it.
 */
final class StepsInFlight {

    private int underWay;
    private boolean draining;

    /**
     * Runs {@code step}, counted until its answer completes; once draining, starts nothing and
     * answers never: the slot's step stays in flight until the actor system stops, no try is spent
     * and nothing is logged as failed, and the task goes on at the next start from what it committed.
     */
    <T> CompletionStage<T> run(Supplier<? extends CompletionStage<T>> step) {
        synchronized (this) {
            if (draining) {
                return new CompletableFuture<>();
            }
            underWay++;
        }
        boolean started = false;
        try {
            CompletionStage<T> answer = step.get().whenComplete((result, failure) -> ended());
            started = true;
            return answer;
        } finally {
            if (!started) {
                ended(); // the step threw (an Error too) before it had an answer to wait for
            }
        }
    }

    private synchronized void ended() {
        underWay--;
        if (underWay == 0) {
            notifyAll();
        }
    }

    /**
     * Starts no step from now on and waits until those under way have ended, or {@code timeout}
     * has passed.
     *
     * @return how many are still under way: 0 when every step ended
     */
    synchronized int drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (underWay > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return underWay;
    }

    synchronized int underWay() {
        return underWay;
    }
}

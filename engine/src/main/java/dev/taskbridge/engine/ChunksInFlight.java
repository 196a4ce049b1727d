package dev.taskbridge.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import dev.taskbridge.plugin.ChunkOutcome;

/**
 * The chunks that run now, so that a stopping engine can let them end before it stops: it starts
 * no new chunk, and waits for each that runs to commit or roll back (drain). A chunk is all or
 * nothing either way; waiting for it means the stop does not take its threads, its connection or
 * the container's transaction away from under it, and a chunk that was nearly done is not run
 * again at the next start.
 */
final class ChunksInFlight {

    private int running;
    private boolean draining;

    /**
     * Runs {@code chunk}, counted until its answer completes; once draining, starts nothing and
     * answers never: the slot's step stays in flight until the actor system stops, and the task
     * goes on at the next start from its last committed chunk.
     */
    CompletionStage<ChunkOutcome> run(Supplier<CompletionStage<ChunkOutcome>> chunk) {
        synchronized (this) {
            if (draining) {
                return new CompletableFuture<>();
            }
            running++;
        }
        CompletionStage<ChunkOutcome> answer;
        try {
            answer = chunk.get();
        } catch (RuntimeException e) {
            ended();
            throw e;
        }
        return answer.whenComplete((outcome, failure) -> ended());
    }

    private synchronized void ended() {
        running--;
        if (running == 0) {
            notifyAll();
        }
    }

    /**
     * Starts no chunk from now on and waits until those that run have ended, or {@code timeout}
     * has passed.
     *
     * @return how many still run: 0 when every chunk ended
     */
    synchronized int drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return running;
    }

    synchronized int running() {
        return running;
    }
}

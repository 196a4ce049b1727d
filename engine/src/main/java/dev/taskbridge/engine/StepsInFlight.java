package dev.taskbridge.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import org.slf4j.MDC;

/**
 * The steps of task runs that are under way (reading and starting a task, its chunks, storing its
 * end), so that a stopping engine can let them end before it stops: it starts no new step, and
 * waits for each that is under way to finish (drain). A chunk is all or nothing either way; waiting
 * means the stop does not take its threads, its connection or the container's transaction away
 * from under it, plugin code does not run on a stopped engine's threads, and a chunk that was
 * nearly done is not run again at the next start.
 *
 * <p>A suspended engine (its server's suspend, note 027) holds its steps instead: a step asked for
 * while suspended starts when the engine resumes, and the suspend is complete once the steps under
 * way have ended.
 *
 * <p>A step counts from the moment the slot asks for it, also while it waits for a blocking thread
 * or for its group of chunks: a stop waits for those too, as they were accepted before it.
 */
final class StepsInFlight {

    private int underWay;
    private boolean draining;
    /** Steps asked for while suspended, to start at the resume; null when not suspended. */
    private List<Runnable> held;
    /**
     * Completes once suspended and no step is under way, or once a drain has ended; null when not
     * suspended. A resume drops it uncompleted: completed after the resume, it would tell the host
     * a running engine is quiet.
     */
    private CompletableFuture<Void> quiet;

    /**
     * @param suspended whether it starts suspended, as {@link #suspend()} would leave it
     */
    StepsInFlight(boolean suspended) {
        if (suspended) {
            suspend();
        }
    }

    /**
     * Runs {@code step}, counted until its answer completes; while suspended, holds it until the
     * resume; once draining, starts nothing and answers never: the slot's step stays in flight
     * until the actor system stops, no try is spent and nothing is logged as failed, and the task
     * goes on at the next start from what it committed.
     */
    <T> CompletionStage<T> run(Supplier<? extends CompletionStage<T>> step) {
        synchronized (this) {
            if (draining) {
                return new CompletableFuture<>();
            }
            if (held != null) {
                CompletableFuture<T> answer = new CompletableFuture<>();
                Map<String, String> askedIn = MDC.getCopyOfContextMap(); // the task's log context, for the thread that starts it
                held.add(() -> {
                    try (TaskLog.Scope scope = TaskLog.enter(askedIn == null ? Map.of() : askedIn)) {
                        start(step).whenComplete((result, failure) -> {
                            if (failure != null) {
                                answer.completeExceptionally(failure);
                            } else {
                                answer.complete(result);
                            }
                        });
                    } catch (RuntimeException | Error e) {
                        answer.completeExceptionally(e); // as the step would have thrown to its caller
                    }
                });
                return answer;
            }
            underWay++;
        }
        return start(step);
    }

    /** Starts a step already counted as under way. */
    private <T> CompletionStage<T> start(Supplier<? extends CompletionStage<T>> step) {
        try {
            return step.get().whenComplete((result, failure) -> ended());
        } catch (RuntimeException | Error e) {
            ended(); // the step threw before it had an answer to wait for
            throw e;
        }
    }

    private void ended() {
        CompletableFuture<Void> nowQuiet;
        synchronized (this) {
            underWay--;
            if (underWay > 0) {
                return;
            }
            notifyAll();
            nowQuiet = quiet;
        }
        if (nowQuiet != null) {
            nowQuiet.complete(null); // outside the lock: the host's next steps of its suspend run on this thread
        }
    }

    /**
     * Starts no step from now on until {@link #resume(Executor)}: a step asked for meanwhile waits.
     *
     * @return whether it was not suspended before
     */
    synchronized boolean suspend() {
        if (held != null) {
            return false;
        }
        held = new ArrayList<>();
        quiet = new CompletableFuture<>();
        if (underWay == 0 || draining) {
            quiet.complete(null);
        }
        return true;
    }

    /** Completes once no step is under way while suspended (at once when none is, or when not suspended). */
    synchronized CompletionStage<Void> quiet() {
        return quiet == null ? CompletableFuture.completedFuture(null) : quiet.minimalCompletionStage();
    }

    /**
     * Starts the steps that waited, and every later one at once; nothing when not suspended.
     *
     * @param releaseOn where the steps that waited start: not on the caller's thread, which is the host's
     * @return whether it was suspended
     */
    boolean resume(Executor releaseOn) {
        List<Runnable> waited;
        synchronized (this) {
            if (held == null) {
                return false;
            }
            waited = held; // none once draining: the drain let them go
            underWay += waited.size();
            held = null;
            quiet = null;
        }
        for (Runnable step : waited) {
            try {
                releaseOn.execute(step);
            } catch (RejectedExecutionException stopping) {
                ended(); // the engine stops at this moment: the step never answers, as in a drain
            }
        }
        return true;
    }

    synchronized boolean suspended() {
        return held != null;
    }

    /**
     * Starts no step from now on and waits until those under way have ended, or {@code timeout}
     * has passed. Steps held by a suspend are never started, and the suspend is complete at once:
     * nothing more starts, and the stop waits for what is under way.
     *
     * @return how many are still under way: 0 when every step ended
     */
    int drain(Duration timeout) throws InterruptedException {
        CompletableFuture<Void> suspended;
        synchronized (this) {
            draining = true;
            if (held != null) {
                held.clear();
            }
            suspended = quiet;
        }
        if (suspended != null) {
            suspended.complete(null); // nothing starts from here on, and the stop waits for what is under way
        }
        synchronized (this) {
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
    }

    synchronized int underWay() {
        return underWay;
    }
}

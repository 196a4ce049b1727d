package dev.taskbridge.bench.peers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One batch of tasks and what their bodies saw. Task bodies are instantiated by each library, not
 * by the harness, so they find their round through a static registry ({@link #ran}).
 *
 * <p>Order is checked where it can be seen for sure: when a step's body starts, every earlier
 * step of its key must have finished its body. A step that starts earlier counts as one
 * violation, however many steps it overtook.
 */
final class Round {

    private static final Map<Integer, Round> ROUNDS = new ConcurrentHashMap<>();

    final int id;
    final int keys;
    final int steps;
    private final boolean chain;
    private final boolean ordered;
    private final Peer peer;
    private final AtomicIntegerArray runs;
    private final AtomicIntegerArray finished;
    private final AtomicLongArray submitLatency;
    private final AtomicLongArray toStartLatency;
    private final AtomicInteger distinctFinished = new AtomicInteger();
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger chainFailures = new AtomicInteger();
    private final AtomicLong lastBodyEnd = new AtomicLong();
    /** Bodies that have begun, held or not. */
    private final AtomicInteger entered = new AtomicInteger();
    /** While held (W4), every body waits here before it does anything; null when bodies run at once. */
    private volatile CountDownLatch gate;
    /** W3: what a body writes to the database before it ends, and how long its other work takes; none elsewhere. */
    private volatile EffectWriter effects;
    private volatile long bodyMillis;

    /** A body's durable effect (W3): one row per run, through the data source the peer's bodies write with. */
    @FunctionalInterface
    interface EffectWriter {
        void write(TaskRef task) throws Exception;
    }

    /**
     * @param ordered W5: steps of a key must run in order
     * @param chain   W5 on a peer without per-key order: each step's body submits the next
     */
    Round(int id, int keys, int steps, boolean ordered, boolean chain, Peer peer) {
        this.id = id;
        this.ordered = ordered;
        this.keys = keys;
        this.steps = steps;
        this.chain = chain;
        this.peer = peer;
        int total = keys * steps;
        this.runs = new AtomicIntegerArray(total);
        this.finished = new AtomicIntegerArray(total);
        this.submitLatency = new AtomicLongArray(total);
        this.toStartLatency = new AtomicLongArray(total);
        ROUNDS.put(id, this);
    }

    int total() {
        return keys * steps;
    }

    /** Submits one task through the peer, timing the call. */
    void submit(int key, int step) throws Exception {
        long start = System.nanoTime();
        peer.submit(new TaskRef(id, key, step, start), ordered);
        submitLatency.set(index(key, step), System.nanoTime() - start);
    }

    /** Called by every peer's task body: the whole of a benchmark task's work. */
    static void ran(TaskRef task) {
        long now = System.nanoTime();
        Round round = ROUNDS.get(task.round());
        if (round == null) {
            throw new IllegalStateException("task of an unknown round: " + task);
        }
        round.entered.incrementAndGet();
        CountDownLatch held = round.gate;
        if (held != null) {
            try {
                // bounded, so that a run that fails to release its bodies does not hang a library's threads for good
                if (!held.await(10, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("task " + task + " was held for 10 minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("task " + task + " was interrupted while held", e);
            }
        }
        EffectWriter writer = round.effects;
        if (writer != null) {
            round.effect(writer, task);
        }
        round.body(task, now);
    }

    /**
     * From now on every body first writes its effect, then works for {@code millis} (a sleep), then
     * ends: a kill then finds some bodies with their effect written and their end not yet recorded.
     */
    void writeEffects(EffectWriter writer, long millis) {
        bodyMillis = millis;
        effects = writer;
    }

    private void effect(EffectWriter writer, TaskRef task) {
        try {
            writer.write(task);
            Thread.sleep(bodyMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("task " + task + " was interrupted in its body", e);
        } catch (Exception e) {
            throw new IllegalStateException("task " + task + " could not write its effect", e);
        }
    }

    /** From now on every body waits, before it runs, until {@link #release()}: the library's workers fill, the rest queue. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    /** Lets every held body, and every later one, run. */
    void release() {
        CountDownLatch held = gate;
        if (held != null) {
            held.countDown();
        }
    }

    /** Bodies that have begun: while held, the tasks the library has taken to run and not queued. */
    int entered() {
        return entered.get();
    }

    private void body(TaskRef task, long startedNanos) {
        int index = index(task.key(), task.step());
        if (runs.getAndIncrement(index) > 0) {
            duplicates.incrementAndGet();
        } else {
            toStartLatency.set(index, startedNanos - task.submitNanos());
        }
        for (int earlier = 0; earlier < task.step(); earlier++) {
            if (finished.get(index(task.key(), earlier)) == 0) {
                violations.incrementAndGet();
                break;
            }
        }
        // marked finished before chaining on: the next step may start as soon as it is submitted
        if (finished.getAndSet(index, 1) == 0) {
            distinctFinished.incrementAndGet();
        }
        lastBodyEnd.accumulateAndGet(System.nanoTime(), Math::max);
        if (chain && task.step() + 1 < steps) {
            try {
                submit(task.key(), task.step() + 1);
            } catch (Exception e) {
                chainFailures.incrementAndGet();
                throw new IllegalStateException("could not chain step " + (task.step() + 1) + " of key " + task.key(), e);
            }
        }
    }

    private int index(int key, int step) {
        return key * steps + step;
    }

    int distinctFinished() {
        return distinctFinished.get();
    }

    int violations() {
        return violations.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    int chainFailures() {
        return chainFailures.get();
    }

    long lastBodyEnd() {
        return lastBodyEnd.get();
    }

    long[] submitLatencies() {
        return copy(submitLatency);
    }

    long[] toStartLatencies() {
        return copy(toStartLatency);
    }

    private static long[] copy(AtomicLongArray values) {
        long[] out = new long[values.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    void close() {
        release();
        ROUNDS.remove(id);
    }
}
